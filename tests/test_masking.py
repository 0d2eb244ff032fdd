"""Masked personal data as every list, page, export and API shows it (core.personal.mask_value)."""
import datetime as dt

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from core.personal import mask_value


@pytest.mark.parametrize(("field", "value", "shown"), [
    ("phone", "+8613812345678", "138****5678"),
    ("phone", "+393331234567", "+39 333***4567"),
    ("phone", "+390212345678", "+39 212**5678"),  # an Italian landline's leading zero, as phonenumbers reads it
    ("phone", "+12125551234", "+1 212***1234"),
    ("id_number", "330782198503051234", "33**************34"),
    ("email", "wang@example.com", "w***@example.com"),
    ("address", "意大利米兰某街1号", "意大利米兰某****"),
    ("birth_date", dt.date(1985, 3, 5), "1985-**-**"),
    ("phone", "", ""),
])
def test_masks(field, value, shown):
    assert mask_value(field, value) == shown


@pytest.mark.parametrize("region", ["IT", "ES", "FR", "DE", "GB", "US", "BR", "HU", "RU", "JP", "AU", "AE", "NG"])
def test_a_foreign_number_is_split_where_phonenumbers_splits_it(region):
    """The calling code shown, the national part masked: for valid numbers of each country, the same split as
    phonenumbers.parse (which the mask no longer calls for each of a page's numbers)."""
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
        example = phonenumbers.example_number_for_type(region, kind)
        e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
        national = str(example.national_number)
        expected = f"+{example.country_code} " + (
            national[:3] + "*" * (len(national) - 7) + national[-4:] if len(national) >= 8 else "*" * len(national))
        assert mask_value("phone", e164) == expected, e164
