"""Fuzzing the import's normalisers, validators and readers (hypothesis): whatever a sheet holds, the answer is a
clean value or a ValidationError / UnreadableSheet with a message, never another exception; and the round trips
that should hold do (a valid ID number typed full-width with spaces comes back as itself, a date in any of the
accepted spellings comes back as the date, a country by name comes back as its code, …).

Reproducible: `derandomize=True` and no example database, so CI sees the same examples every run.
"""
import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import validators as v
from core.countries import country_choices, country_code
from core.importing import normalize as n
from core.importing import sheets
from core.importing.reader import Sheet, UnreadableSheet

FUZZ = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
FEW = settings(FUZZ, max_examples=25)

# What a reader can hand a normaliser: calamine gives str, int, float, bool, date, datetime, timedelta, None.
CELLS = st.one_of(
    st.none(), st.text(), st.text(alphabet="0123456789０１２３４５６７８９ -/.年月日xX+()（）,，¥元"),
    st.integers(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.floats(), st.booleans(),
    st.dates(), st.datetimes(), st.timedeltas(), st.just("9" * 5000), st.sampled_from(
        ["NaN", "nan", "Infinity", "-inf", "sNaN", "1e999999", "²³¹", "١٩٨٥", "𝟏𝟗𝟖𝟓", "\x00", "\u202e", "😀"]),
)


def fullwidth(s: str) -> str:
    """ASCII letters and digits as a Chinese keyboard in full-width mode types them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def only_clean_errors(func, value):
    """Call a normaliser: a ValidationError with a message is an answer, anything else raised is a bug."""
    try:
        return func(value)
    except ValidationError as e:
        assert e.messages and all(m.strip() for m in e.messages)
        return e


NORMALISERS = [n.text, n.compact, n.id_number, n.code, n.org_code, n.date, n.country, n.phone, n.boolean, n.region,
               n.decimal, n.integer, n.email, n.choice([("M", "男"), ("F", "女")])]


@pytest.mark.parametrize("func", NORMALISERS, ids=lambda f: getattr(f, "__name__", "choice"))
@FUZZ
@given(value=CELLS)
def test_normalisers_answer_a_value_or_a_validation_error(func, value):
    only_clean_errors(func, value)


def _columns():
    for kind in sheets.kinds():
        for col in kind.columns:
            yield pytest.param(col.normalize, id=f"{kind.kind}.{col.field}")


@pytest.mark.parametrize("normalize", list(_columns()))
@FEW
@given(value=CELLS)
def test_every_sheet_column_answers_a_value_or_a_validation_error(normalize, value, db):
    result = only_clean_errors(normalize, value)
    if isinstance(result, float | Decimal):
        assert result == result and abs(result) != float("inf"), "NaN or infinity would be stored"


@pytest.mark.parametrize("func", [v.validate_id_number, v.validate_credit_code, v.normalize_phone, v.validate_phone,
                                  v.validate_region, v.validate_country])
@FUZZ
@given(value=st.one_of(st.text(), st.text(alphabet="0123456789Xx١٢٣²𝟎 +-"), st.text(min_size=18, max_size=18)))
@example(value="1101011985030512²3")  # "²".isdigit() is true, int("²") fails
@example(value="١١٠١٠١١٩٨٥٠٣٠٥١٢٣٤")  # Arabic-Indic digits
def test_validators_answer_only_validation_errors(func, value):
    only_clean_errors(func, value)


def test_id_numbers_are_ascii_digits_only():
    number = v.make_id_number("110101", dt.date(1985, 3, 5), 123)
    arabic = number[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + number[17]
    with pytest.raises(ValidationError):
        v.validate_id_number(arabic)


@FUZZ
@given(value=st.text())
def test_country_code_answers_a_code_or_none(value):
    code = country_code(value)
    assert code is None or (len(code) == 2 and code.isascii() and code.isupper())


# ---- full-width folding -------------------------------------------------------------------------


@FUZZ
@given(value=st.text())
def test_text_folds_full_width_and_spaces_and_is_idempotent(value):
    s = n.text(value)
    assert n.text(s) == s
    assert not any(0xFF01 <= ord(c) <= 0xFF5E or c in "\u3000\xa0" for c in s)
    assert s == s.strip() and "  " not in s
    assert not any(ord(c) < 0x20 or c == "\x7f" for c in s)  # NUL would not even reach PostgreSQL


@FUZZ
@given(value=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_full_width_ascii_folds_back_to_itself(value):
    assert n.text(fullwidth(value)) == value


# ---- round trips --------------------------------------------------------------------------------

REGIONS = ["110101", "330102", "330782", "440305", "650102"]


@FUZZ
@given(region=st.sampled_from(REGIONS), born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
       seq=st.integers(0, 999), spaced=st.booleans(), wide=st.booleans())
def test_a_valid_id_number_survives_typing_noise(region, born, seq, spaced, wide):
    number = v.make_id_number(region, born, seq)
    typed = number.lower()
    if spaced:
        typed = f" {typed[:6]} {typed[6:14]}\u3000{typed[14:]} "
    if wide:
        typed = fullwidth(typed)
    assert v.validate_id_number(n.id_number(typed)) == number
    assert v.id_birth_date(number) == born


@FUZZ
@given(region=st.sampled_from(REGIONS), serial=st.integers(0, 30 ** 9 - 1))
def test_a_valid_credit_code_validates_and_survives_typing_noise(region, serial):
    code = v.make_credit_code(region, serial)
    assert v.validate_credit_code(code) == code
    assert v.validate_credit_code(n.code(fullwidth(" ".join(code.lower())))) == code


@FUZZ
@given(day=st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)), wide=st.booleans())
def test_dates_in_every_accepted_spelling_come_back(day, wide):
    spellings = [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                 f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"), f"{day.isoformat()} 00:00:00"]
    for s in spellings:
        assert n.date(fullwidth(s) if wide else s) == day, s
    assert n.date(dt.datetime.combine(day, dt.time(13, 5))) == day
    assert n.date(int(day.strftime("%Y%m%d"))) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert n.date(serial) == day and n.date(float(serial) + 0.5) == day


@FEW
@given(code_name=st.sampled_from(country_choices("zh-hans")))
def test_countries_by_code_and_name_come_back_as_their_code(code_name):
    code, name = code_name
    assert n.country(code) == code and n.country(code.lower()) == code
    assert n.country(name) == code
    assert n.country(fullwidth(code)) == code


@FUZZ
@given(prefix=st.sampled_from(["138", "139", "150", "186", "199"]), rest=st.text("0123456789", min_size=8, max_size=8),
       style=st.sampled_from(["{p}{r}", "+86 {p} {r4} {r8}", "0086-{p}-{r4}-{r8}", "({p}){r}", "+86{p}{r}"]))
def test_mainland_mobiles_in_any_style_come_back_as_e164(prefix, rest, style):
    typed = style.format(p=prefix, r=rest, r4=rest[:4], r8=rest[4:])
    e164 = "+86" + prefix + rest
    assert n.phone(typed) == e164 and n.phone(fullwidth(typed)) == e164
    assert v.normalize_phone(e164) == e164


@FUZZ
@given(value=st.text(alphabet="+0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９ -", max_size=20))
def test_a_normalised_phone_is_ascii_e164_and_stable(value):
    result = only_clean_errors(n.phone, value)
    if isinstance(result, str) and result:
        assert result.startswith("+") and result[1:].isascii() and result[1:].isdigit()
        assert v.normalize_phone(result) == result


@FUZZ
@given(value=st.decimals(min_value=-10 ** 12, max_value=10 ** 12, places=2, allow_nan=False))
def test_amounts_in_chinese_notation_come_back(value):
    assert n.decimal(f"{value:,}") == value
    assert n.decimal(f"¥{value}元") == value and n.decimal(fullwidth(str(value))) == value


@FUZZ
@given(value=st.integers(-10 ** 15, 10 ** 15))
def test_integers_come_back(value):
    assert n.integer(str(value)) == value and n.integer(fullwidth(str(value)) + "年") == value
    assert n.integer(float(value) if abs(value) < 2 ** 52 else value) == value


@FEW
@given(code=st.sampled_from(REGIONS))
def test_regions_by_code_and_full_name_come_back(code):
    from core.regions import region_full_name

    assert n.region(code) == code and n.region(region_full_name(code)) == code


# ---- readers ------------------------------------------------------------------------------------


def _read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        return list(Sheet(path, name).rows())
    except UnreadableSheet as e:
        assert str(e)
        return e


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_as_csv_are_rows_or_unreadable(tmp_path_factory, data):
    _read(tmp_path_factory.mktemp("csv"), "名单.csv", data)


@FEW
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".xlsb"]))
def test_any_bytes_as_a_workbook_are_unreadable_not_a_crash(tmp_path_factory, data, suffix):
    _read(tmp_path_factory.mktemp("xl"), "名单" + suffix, data)


def _texts(alphabet=None):
    # Cells a spreadsheet can hold as text: no control or unassigned characters, not empty.
    chars = st.characters(blacklist_categories=("Cc", "Cs", "Cn")) if alphabet is None else alphabet
    return st.text(chars, min_size=1, max_size=30)


@FEW
@given(rows=st.lists(st.lists(_texts(), min_size=1, max_size=5), min_size=1, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_round_trip(tmp_path_factory, rows, encoding):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    read = _read(tmp_path_factory.mktemp("csv"), "名单.csv", out.getvalue().encode(encoding))
    assert [r for _n, r in read] == rows


@FEW
@given(rows=st.lists(st.lists(_texts(st.sampled_from("王小明 意大利abc123-")), min_size=2, max_size=5),
                     min_size=1, max_size=8))
def test_tab_separated_round_trip(tmp_path_factory, rows):
    data = "\n".join("\t".join(r) for r in rows).encode("gb18030")
    read = _read(tmp_path_factory.mktemp("tsv"), "名单.txt", data)
    assert [r for _n, r in read] == rows


@FEW
@given(rows=st.lists(st.lists(_texts(), min_size=1, max_size=5), min_size=1, max_size=8))
def test_xlsx_round_trip(tmp_path_factory, rows):
    wb = openpyxl.Workbook()
    for i, r in enumerate(rows, start=1):
        for j, value in enumerate(r, start=1):
            cell = wb.active.cell(row=i, column=j, value=value)
            cell.data_type = "s"  # a text that starts with "=" stays text
    out = io.BytesIO()
    wb.save(out)
    read = _read(tmp_path_factory.mktemp("xl"), "名单.xlsx", out.getvalue())
    assert [[c for c in r if c != ""] for _n, r in read] == rows


# ---- the whole pipeline and the annotated copy ----------------------------------------------------


@pytest.mark.django_db
@settings(FUZZ, max_examples=20)
@given(rows=st.lists(st.lists(CELLS.filter(lambda c: not isinstance(c, dt.timedelta)).map(
    lambda c: "" if c is None else str(c)), min_size=5, max_size=5),
    min_size=1, max_size=5))
def test_an_import_of_any_cells_reports_rows_and_writes_a_clean_annotated_copy(tmp_path_factory, rows, users, tree):
    from core.importing.pipeline import run_import
    from core.importing.workbooks import write_annotated

    folder = tmp_path_factory.mktemp("imp")
    src = folder / "名单.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "类别", "国家", "身份证号", "手机号"])
        w.writerows(rows)
    report = run_import("people", src, by=users["hz_staff"], org=tree["hz"], dry_run=True, filename="名单.csv")
    assert report.rows <= len(rows) and report.created == 0  # blank rows are skipped; a dry run writes nothing
    out = folder / "annotated.xlsx"
    write_annotated(src, "名单.csv", report, out)
    book = openpyxl.load_workbook(out)
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)
