"""Validators with messages a secretary understands.

Resident ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015),
phone numbers (via `phonenumbers`), regions (GB/T 2260) and countries (ISO 3166).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(value: str) -> dt.date | None:
    """The birth date written in a resident ID number, or None when it is impossible."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> str:
    """Check an 18-character resident ID number and return it normalised (upper-case X)."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(_("身份证号应为18位，当前为%(n)d位。") % {"n": len(value)}, code="length")
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号只能由数字和末位X组成。"), code="chars")
    born = id_birth_date(value)
    if born is None or born > dt.date.today() or born.year < 1880:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不存在。") % {"d": value[6:14]}, code="birth")
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误：末位应为 %(c)s，请核对号码。") % {"c": expected}, code="checksum"
        )
    return value


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Check an 18-character unified social credit code and return it normalised."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(value)}, code="length"
        )
    bad = [c for c in value if c not in CREDIT_CHARS]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(c)s（不使用 I、O、Z、S、V）。") % {"c": "".join(bad)},
            code="chars",
        )
    expected = credit_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：末位应为 %(c)s，请核对代码。") % {"c": expected}, code="checksum"
        )
    return value


_CN_MOBILE = re.compile(r"(?:\+86|0086)?(1\d{10})")


@cache
def _cn_mobile_prefix_valid(prefix: str) -> bool:
    """Whether 11-digit Chinese mobile numbers starting with these 5 digits are valid.

    The numbering plan decides validity on at most the first five digits and the length,
    so one parse per prefix answers for every number under it (10,000 prefixes at most).
    """
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(prefix + "000000", "CN"))
    except phonenumbers.NumberParseException:
        return False


def normalize_phone(value: str, default_region: str = "CN") -> str:
    """Parse a phone number and return it in international E.164 form (+8613812345678)."""
    raw = (value or "").strip()
    if default_region == "CN":
        # Fast path for the common case (imports of a million rows): a plain mainland mobile number.
        m = _CN_MOBILE.fullmatch(raw)
        if m and _cn_mobile_prefix_valid(m[1][:5]):
            return "+86" + m[1]
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("电话号码“%(v)s”无法识别。") % {"v": value}, code="parse") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("电话号码“%(v)s”不是有效号码，境外号码请加国际区号（如意大利 +39）。") % {"v": value},
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Django field validator: the value must be a valid phone number."""
    normalize_phone(value)


def validate_past_date(value: dt.date) -> None:
    """A date of birth or founding cannot be in the future or before 1880."""
    if value and (value > dt.date.today() or value.year < 1880):
        raise ValidationError(_("日期 %(d)s 不可能，请核对。") % {"d": value.isoformat()}, code="impossible")


def validate_region(value: str) -> None:
    """The value must be a GB/T 2260 six-digit administrative-division code."""
    from core.regions import region_name

    if value and region_name(value) is None:
        raise ValidationError(_("行政区划代码“%(v)s”不存在。") % {"v": value}, code="region")


def validate_country(value: str) -> None:
    """The value must be an ISO 3166 alpha-2 country code."""
    from core.countries import country_name

    if value and country_name(value) is None:
        raise ValidationError(_("国家代码“%(v)s”不存在。") % {"v": value}, code="country")


def make_id_number(region: str, born: dt.date, sequence: int) -> str:
    """Build a valid resident ID number (for demo data and tests): region, birth date, sequence, check."""
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(region: str, serial: int) -> str:
    """Build a valid credit code (for demo data and tests): registry 9, kind 1, region, serial, check."""
    body = f"91{region}"
    chars = CREDIT_CHARS[:30]
    tail = ""
    n = serial
    for _i in range(9):
        tail = chars[n % 30] + tail
        n //= 30
    first17 = body + tail
    return first17 + credit_check_char(first17)
