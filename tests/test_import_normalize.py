"""Property tests of the normalisers: whatever way a sheet writes a value, the same value comes out."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.countries import country_choices
from core.importing import normalize as n
from core.validators import make_id_number
from registry.models import Category, Gender

FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31))
spaces = st.sampled_from(["", " ", "  ", "\u3000", "\t"])


def widen(s: str, mask: list[bool]) -> str:
    """Write some characters full-width, as a Chinese input method does."""
    return "".join(FULLWIDTH.get(c, c) if m else c for c, m in zip(s, mask + [False] * len(s), strict=False))


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30),
       st.lists(st.booleans(), max_size=30), spaces, spaces)
def test_text_folds_full_width_and_spaces(s, mask, before, after):
    assert n.text(before + widen(s, mask) + after) == n.text(s)
    assert n.text(s) == n.text(n.text(s))


@given(st.text(max_size=40))
def test_text_is_idempotent_and_stripped(s):
    once = n.text(s)
    assert n.text(once) == once and once == once.strip() and "  " not in once


@given(dates, st.sampled_from(["{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}",
                               "{y}-{m:02d}-{d:02d}", "{y} 年 {m} 月 {d} 日", "{y}-{m}-{d} 00:00:00"]),
       st.lists(st.booleans(), max_size=20))
def test_dates_written_any_way(day, pattern, mask):
    written = pattern.format(y=day.year, m=day.month, d=day.day)
    assert n.date(written) == day
    assert n.date(widen(written, mask)) == day


@given(dates)
def test_dates_as_cells_and_serials(day):
    serial = (day - dt.date(1899, 12, 30)).days
    assert n.date(serial) == day and n.date(float(serial)) == day
    assert n.date(day) == day and n.date(dt.datetime.combine(day, dt.time(8, 30))) == day
    assert n.date(int(day.strftime("%Y%m%d"))) == day


@given(st.sampled_from(["1985年13月5日", "1985/2/30", "昨天", "85.3.5x", "2023-02-29"]))
def test_impossible_dates_are_rejected(s):
    with pytest.raises(ValidationError):
        n.date(s)


@given(dates.filter(lambda d: d < dt.date.today()), st.integers(0, 999),
       st.sampled_from(["110101", "330782", "440305"]), st.lists(st.booleans(), max_size=18), spaces)
def test_id_numbers(born, seq, region, mask, gap):
    number = make_id_number(region, born, seq)
    messy = widen(number.lower(), mask)
    messy = messy[:6] + gap + messy[6:]
    assert n.id_number(messy) == number


@given(st.sampled_from(country_choices("en")))
def test_countries_by_code_and_english_and_chinese_name(pair):
    code, english = pair
    chinese = dict(country_choices("zh-hans")).get(code)
    assert n.country(code) == n.country(code.lower()) == code
    assert n.country(english) == n.country(english.upper()) == code
    if chinese:
        assert n.country(chinese) == code


def test_unknown_country():
    with pytest.raises(ValidationError):
        n.country("火星")


@given(st.sampled_from(["138", "139", "150", "186", "199"]), st.integers(0, 99_999_999),
       st.sampled_from(["{n}", "+86 {a} {b} {c}", "0086{n}", "{a}-{b}-{c}", "+86-{n}", "(+86) {n}", "0086 {a} {b} {c}"]),
       st.lists(st.booleans(), max_size=25))
def test_mainland_mobiles_to_e164(prefix, rest, pattern, mask):
    number = f"{prefix}{rest:08d}"
    written = pattern.format(n=number, a=number[:3], b=number[3:7], c=number[7:])
    assert n.phone(widen(written, mask)) == "+86" + number


@given(st.integers(100_0000, 999_9999), st.sampled_from(["+39 333 {n}", "0039 333 {n}", "+39-333-{n}"]))
def test_foreign_mobiles_to_e164(rest, pattern):
    assert n.phone(pattern.format(n=rest)) == f"+39333{rest}"


@given(st.text(alphabet="0123456789", min_size=1, max_size=5))
def test_short_numbers_are_rejected(s):
    with pytest.raises(ValidationError):
        n.phone(s)


@given(st.sampled_from(sorted(n.TRUE_WORDS)), st.sampled_from(sorted(n.FALSE_WORDS)), spaces)
def test_booleans(yes, no, gap):
    assert n.boolean(gap + yes.upper() + gap) is True and n.boolean(no + gap) is False
    assert n.boolean(True) is True and n.boolean("") is None


@given(st.sampled_from(Category.choices + Gender.choices), st.booleans(), spaces)
def test_choices_by_label_or_code(pair, by_label, gap):
    value, label = pair
    normalize = n.choice(Category.choices if pair in Category.choices else Gender.choices)
    assert normalize(gap + (str(label) if by_label else value.upper()) + gap) == value


def test_unknown_choice_lists_the_choices():
    with pytest.raises(ValidationError, match="华侨"):
        n.choice(Category.choices)("火星人")


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amounts(amount):
    assert n.decimal(f"{amount:,}") == amount
    assert n.decimal(f"¥{amount}元") == amount
    assert n.decimal(float(amount)) == Decimal(str(float(amount))).quantize(Decimal("0.01"))


@given(st.integers(1900, 2100), st.lists(st.booleans(), max_size=4))
def test_integers(year, mask):
    assert n.integer(widen(str(year), mask) + "年") == year == n.integer(float(year))


@given(st.sampled_from(["330782", "浙江省金华市义乌市", "义乌市", "110101"]))
def test_regions(written):
    code = n.region(written)
    assert len(code) == 6 and n.region(code) == code


@given(st.text(alphabet="abcdefghij-0123", min_size=1, max_size=10), spaces)
def test_org_codes_and_codes(s, gap):
    assert n.org_code(gap + s.upper() + gap) == s.lower()
    assert n.code(gap + widen(s, [True] * 10)) == s.upper()
    assert n.email(" A@B.CN ") == "a@b.cn"
