"""The checksums of resident ID numbers and credit codes, phones, regions, countries."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import (
    CREDIT_CHARS,
    credit_check_char,
    make_credit_code,
    make_id_number,
    normalize_phone,
    validate_credit_code,
    validate_id_number,
)

regions = st.sampled_from(["330782", "110101", "350503", "440106", "330302"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))


@given(regions, births, st.integers(0, 999))
def test_every_well_formed_id_number_passes(region, born, seq):
    number = make_id_number(region, born, seq)
    assert validate_id_number(number.lower()) == number


@given(regions, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_changing_one_digit_breaks_the_id_checksum(region, born, seq, pos, delta):
    number = make_id_number(region, born, seq)
    digits = list(number)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    broken = "".join(digits)
    with pytest.raises(ValidationError):
        validate_id_number(broken)


@given(st.text(alphabet=CREDIT_CHARS, min_size=17, max_size=17))
def test_every_credit_code_with_its_check_char_passes(body):
    assert validate_credit_code(body + credit_check_char(body)) == body + credit_check_char(body)


@given(st.text(alphabet=CREDIT_CHARS, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
def test_changing_one_char_breaks_the_credit_checksum(body, pos, delta):
    code = body + credit_check_char(body)
    chars = list(code)
    chars[pos] = CREDIT_CHARS[(CREDIT_CHARS.index(chars[pos]) + delta) % 31]
    with pytest.raises(ValidationError):
        validate_credit_code("".join(chars))


def test_known_real_format_numbers():
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    body = "91330782MA2HQ0XL3"
    assert validate_credit_code(body + credit_check_char(body)) == body + credit_check_char(body)
    assert validate_credit_code(make_credit_code("330782", 12345))


def test_id_number_messages_say_what_is_wrong():
    with pytest.raises(ValidationError, match="18位"):
        validate_id_number("3307821985")
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("330782198502300011")
    good = make_id_number("330782", dt.date(1985, 3, 5), 1)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number(wrong)


def test_credit_code_rejects_letters_not_in_the_standard():
    with pytest.raises(ValidationError, match="不允许"):
        validate_credit_code("91330782MA2HQ0XLIO")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "+8613812345678"),
        ("0086 138-1234-5678", "+8613812345678"),
        ("+39 333 123 4567", "+393331234567"),
        ("+34 612 345 678", "+34612345678"),
    ],
)
def test_phones_are_stored_in_international_form(raw, expected):
    assert normalize_phone(raw) == expected


def test_impossible_phone_is_rejected():
    with pytest.raises(ValidationError):
        normalize_phone("12345")
