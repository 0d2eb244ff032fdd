"""The two-level category tree shipped in directory/data/categories.tsv, loaded by the migration (and by tests
whose database was flushed)."""
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "categories.tsv"


def load(Category) -> int:
    """Create or update every category of the file with the given model class; returns how many."""
    made = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, parent, name, name_en = line.split("\t")
        made[code], _created = Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "parent": made.get(parent) if parent else None})
    return len(made)


def ensure() -> None:
    """Load the categories when the table is empty (a flushed test database)."""
    from directory.models import Category

    if not Category.objects.exists():
        load(Category)
