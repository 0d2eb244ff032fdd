"""Maps drawn on the server as SVG, for the annual review's page, PDF and print (no script needed).

The dashboards draw maps with ECharts in the browser; a review must print the same map in a
PDF, where no script runs. The outlines are the vendored GeoJSON files the dashboards use
(static/vendor/maps: countries keyed by ISO alpha-2 code, provinces by GB/T 2260 code),
projected equirectangularly (the world cropped to -60°…85°, China to its bounding box), and
shaded in five steps of the value.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

GEO = {"world": "world.json", "china": "china-provinces.json"}
BOUNDS = {"world": (-180.0, 180.0, -60.0, 85.0), "china": (73.0, 136.0, 17.0, 54.0)}
SHADES = ("#fde0dd", "#fcbba1", "#fc9272", "#ef3b2c", "#a50f15")
EMPTY = "#eeeeee"
WIDTH = 560


@functools.cache
def outlines(geo: str) -> list[tuple[str, list]]:
    """(code, polygons) for every region of a vendored map; each polygon is a list of rings of (lon, lat)."""
    path = Path(settings.BASE_DIR) / "static" / "vendor" / "maps" / GEO[geo]
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    out = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        out.append((str(feature["properties"]["name"]), polygons))
    return out


def _shade(value: float, top: float) -> str:
    if not value:
        return EMPTY
    return SHADES[min(len(SHADES) - 1, int(len(SHADES) * value / top))] if top else SHADES[0]


def choropleth(geo: str, values: dict, title: str, labels: dict | None = None) -> str:
    """An SVG map of `values` ({code: number}) with a title for screen readers and a tooltip per region."""
    west, east, south, north = BOUNDS[geo]
    scale = WIDTH / (east - west)
    height = int((north - south) * scale)
    top = max((float(v) for v in values.values()), default=0)
    labels = labels or {}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="review-map" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">']
    for code, polygons in outlines(geo):
        value = float(values.get(code, 0) or 0)
        d = []
        for polygon in polygons:
            for ring in polygon:
                points = [(round((lon - west) * scale, 1), round((north - lat) * scale, 1)) for lon, lat in ring]
                d.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
        name = labels.get(code, code)
        tip = f"{name}: {int(value) if value.is_integer() else value}" if value else name
        parts.append(f'<path d="{"".join(d)}" fill="{_shade(value, top)}" stroke="#ffffff" stroke-width="0.4" '
                     f'data-code="{escape(code)}"><title>{escape(tip)}</title></path>')
    parts.append("</svg>")
    return "".join(parts)
