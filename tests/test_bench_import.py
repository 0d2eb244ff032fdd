"""The import benchmark's sheet and its reference (core.bench_import): no timing here, only what the figures rely on."""
import datetime as dt

from core import bench_import
from core.importing.pipeline import run_import
from core.validators import validate_id_number
from registry.models import Person


def test_the_benchmark_sheet_is_all_new_valid_people(users, tree, tmp_path):
    path = tmp_path / "new-people.xlsx"
    bench_import.write_people_sheet(path, 600)
    report = run_import("people", path, by=users["zj_admin"], org=tree["zj"])
    # Every row is imported as a new person: the import's figure is rows written, not rows rejected.
    assert (report.rows, report.created, report.updated, report.rejected) == (600, 600, 0, [])
    people = list(Person.objects.all())
    assert len({p.id_number for p in people}) == 600
    for p in people[:50]:
        validate_id_number(p.id_number)
        assert p.birth_date == dt.date(int(p.id_number[6:10]), int(p.id_number[10:12]), int(p.id_number[12:14]))
    abroad = [p for p in people if p.country]
    assert 350 < len(abroad) < 450 and all(p.phone.startswith(("+39", "+34", "+33")) for p in abroad)


def test_the_bare_insert_puts_the_same_rows_into_the_person_table_and_keeps_none(users, tree, tmp_path,
                                                                                django_assert_max_num_queries):
    path = tmp_path / "new-people.xlsx"
    bench_import.write_people_sheet(path, 300)
    with django_assert_max_num_queries(8):
        result = bench_import.bare_insert(path, tree["zj"].pk)
    assert result["rows"] == 300 and result["insert_rows_per_s"] > 0 and result["read_rows_per_s"] > 0
    assert not Person.objects.exists()  # rolled back: the benchmark database keeps its scale
