"""The two-level category tree shipped in directory/data/categories.tsv."""
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.tsv"


def load(apps, schema_editor):
    Category = apps.get_model("directory", "Category")
    made = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, parent, name, name_en = line.split("\t")
        made[code], _created = Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "parent": made.get(parent) if parent else None})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
