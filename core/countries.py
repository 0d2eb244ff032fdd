"""Country names (ISO 3166 alpha-2) in the user's language, from Babel's CLDR data."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from django.utils import translation

_EXCLUDED = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}


@lru_cache(maxsize=8)
def _territories(lang: str) -> dict[str, str]:
    locale = Locale.parse("zh_Hans" if lang.startswith("zh") else "en")
    return {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _EXCLUDED
    }


def country_name(code: str, lang: str | None = None) -> str | None:
    """The country's name in `lang` (default: the active language), or None if unknown."""
    lang = lang or translation.get_language() or "zh-hans"
    return _territories(lang).get((code or "").upper())


def country_namer(lang: str | None = None):
    """`country` as the templates show it (the name, else the code as written) for many rows: the language read once."""
    names = _territories(lang or translation.get_language() or "zh-hans")
    return lambda code: names.get((code or "").upper()) or code or ""


def country_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by code."""
    lang = lang or translation.get_language() or "zh-hans"
    return sorted(_territories(lang).items())


@lru_cache(maxsize=1)
def _names_to_codes() -> dict[str, str]:
    index = {}
    for lang in ("en", "zh-hans"):
        for code, name in _territories(lang).items():
            index[name.casefold()] = code
    return index


def country_code(value: str) -> str | None:
    """Read a country written as 意大利, Italy or IT; None when not recognised."""
    value = (value or "").strip()
    if len(value) == 2 and value.upper() in _territories("en"):
        return value.upper()
    return _names_to_codes().get(value.casefold())
