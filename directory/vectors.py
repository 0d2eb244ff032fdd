"""Vector search over the published products, with faiss over memory-mapped files.

The vectors live in `Product.vector` (float16). `manage.py directory_vectors --build` writes them
under var/: the rows sorted by top-level category, then category, as a flat faiss index of float16
codes (`flat.faiss`) beside the product id of each row (`ids.npy`); every process memory-maps them,
so the operating system keeps one copy in its page cache however many workers read it. A search in
the categories a demand names computes the distances to those categories' rows only (each is one
contiguous range of rows), in faiss's SIMD code: numpy's float16 → float32 conversion of a 100,000-row
block alone cost 200–600 ms. Products changed after the files were written are read from the
database at query time (`updated_at` is indexed), so a new listing matches at once; hidden ones are
filtered out when the results are fetched.

A search in no category would read every row. Above DIRECTORY_COARSE_MIN_ROWS rows a build also
writes a coarse index (`coarse.faiss`): an inverted file (IVF) of about √N k-means clusters holding
the vectors as float16, so that such a search reads only the rows of the DIRECTORY_COARSE_PROBES
clusters nearest the query.

faiss (45 MB with its libraries) is imported by the functions that read, write or search an index, so
that the processes that never match a demand (an import from the command line) do without it.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from directory.encoder import DIM, from_bytes

CHUNK = 262_144
COARSE_MIN_ROWS = 100_000
COARSE_PROBES = 48
_lock = threading.Lock()
_cache: dict[str, Index] = {}


def _base() -> Path:
    name = Path(str(connection.settings_dict["NAME"])).name
    return Path(getattr(settings, "DIRECTORY_VECTOR_DIR", Path(settings.BASE_DIR) / "var")) / (
        f"directory-vectors-{connection.vendor}-{name}")


class Index:
    """The memory-mapped indexes of one build, with the product id and the category range of each row."""

    def __init__(self, base: Path):
        import faiss  # here, not at the top: see the module's docstring

        meta = json.loads((base / "meta.json").read_text())
        self.built_at = dt.datetime.fromisoformat(meta["built_at"])
        self.ids = np.load(base / "ids.npy", mmap_mode="r")
        self.flat = faiss.read_index(str(base / "flat.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        self.blocks = {int(k): tuple(v) for k, v in meta["blocks"].items()}
        self.tops = {int(k): tuple(v) for k, v in meta.get("tops", {}).items()}
        self.stamp = meta["built_at"]
        self.coarse = None
        if meta.get("coarse"):
            self.coarse = faiss.read_index(str(base / "coarse.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)

    def rows(self, categories: list[int] | None):
        """(start, stop) row ranges of the categories, a top-level one with its children (all rows when None)."""
        if not categories:
            return [(0, len(self.ids))]
        return [self.tops.get(c) or self.blocks[c] for c in categories if c in self.tops or c in self.blocks]


def current() -> Index | None:
    """The latest build for this database, or None (then every vector comes from the database)."""
    base = _base()
    meta = base / "meta.json"
    if not meta.exists():
        return None
    stamp = json.loads(meta.read_text())["built_at"]
    with _lock:
        index = _cache.get(str(base))
        if index is None or index.stamp != stamp:
            index = _cache[str(base)] = Index(base)
    return index


def build(progress=None) -> dict:
    """Write the files from the stored vectors of published products; returns rows and seconds."""
    import time

    from directory.models import Product, Status

    started = time.monotonic()
    built_at = timezone.now()
    qs = (Product.objects.filter(status=Status.PUBLISHED, vector__isnull=False)
          .values_list("pk", "category_id", "vector").order_by("pk"))
    ids, cats, parts = [], [], []
    for pk, cat, vector in qs.iterator(chunk_size=20_000):
        ids.append(pk)
        cats.append(cat or 0)
        parts.append(np.frombuffer(bytes(vector), dtype=np.float16))
        if progress and len(ids) % 100_000 == 0:
            progress(len(ids))
    matrix = np.vstack(parts) if parts else np.zeros((0, DIM), dtype=np.float16)
    rows = write(np.asarray(ids, dtype=np.int64), np.asarray(cats, dtype=np.int64), matrix, built_at)
    return {"rows": rows, "seconds": round(time.monotonic() - started, 1)}


def write(ids: np.ndarray, cats: np.ndarray, matrix: np.ndarray, built_at=None) -> int:
    """Write the files of a build: rows sorted by top-level category, then category (`cats`), so that one
    category and one top-level category with all its children are each one contiguous block."""
    import faiss

    from directory.models import Category

    base = _base()
    base.mkdir(parents=True, exist_ok=True)
    built_at = built_at or timezone.now()
    top_of = {pk: parent or pk for pk, parent in Category.objects.values_list("pk", "parent_id")}
    tops = np.asarray([top_of.get(int(c), 0) for c in cats], dtype=np.int64) if len(cats) else cats
    order = np.lexsort((cats, tops))
    ids, cats, tops = ids[order], cats[order], tops[order]
    key = tops * (1 << 32) + cats
    blocks = {}
    for k in np.unique(key):
        lo, hi = np.searchsorted(key, k, "left"), np.searchsorted(key, k, "right")
        blocks[int(k % (1 << 32))] = (int(lo), int(hi))
    top_blocks = {}
    for t in np.unique(tops):
        lo, hi = np.searchsorted(tops, t, "left"), np.searchsorted(tops, t, "right")
        top_blocks[int(t)] = (int(lo), int(hi))
    matrix = np.asarray(matrix, dtype=np.float16)[order]
    # Written under temporary names and renamed, so a reader never maps half a file; meta.json,
    # written last, says which build the files belong to.
    np.save(base / "ids.tmp.npy", ids)
    flat = faiss.IndexScalarQuantizer(DIM, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    for start in range(0, len(matrix), CHUNK):
        flat.add(np.ascontiguousarray(matrix[start:start + CHUNK], dtype=np.float32))
    faiss.write_index(flat, str(base / "flat.tmp.faiss"))
    del flat  # its codes (1 KB a row) leave memory before the coarse index builds its own
    names = ["ids.npy", "flat.faiss"]
    if len(ids) >= getattr(settings, "DIRECTORY_COARSE_MIN_ROWS", COARSE_MIN_ROWS):
        faiss.write_index(coarse_index(ids, matrix), str(base / "coarse.tmp.faiss"))
        names.append("coarse.faiss")
    for name in names:
        stem, ext = name.split(".")
        (base / f"{stem}.tmp.{ext}").replace(base / name)
    (base / "meta.json").write_text(json.dumps({"built_at": built_at.isoformat(), "rows": len(ids),
                                                "blocks": blocks, "tops": top_blocks,
                                                "coarse": "coarse.faiss" in names}))
    return int(len(ids))


def coarse_index(ids: np.ndarray, matrix: np.ndarray, seed: int = 7):
    """The faiss IVF index of a matrix: about √N clusters (spherical k-means on 50 rows per cluster),
    every row stored as float16 under its product id."""
    import faiss

    rows = len(matrix)
    clusters = max(1, min(int(np.sqrt(rows)), rows))
    quantizer = faiss.IndexFlatIP(DIM)
    index = faiss.IndexIVFScalarQuantizer(quantizer, DIM, clusters, faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10
    index.cp.spherical = True
    index.cp.seed = seed
    index.cp.max_points_per_centroid = 50
    sample = np.sort(np.random.default_rng(seed).choice(rows, size=min(rows, clusters * 50), replace=False))
    index.train(np.ascontiguousarray(matrix[sample], dtype=np.float32))
    for start in range(0, rows, CHUNK):
        index.add_with_ids(np.ascontiguousarray(matrix[start:start + CHUNK], dtype=np.float32),
                           np.ascontiguousarray(ids[start:start + CHUNK], dtype=np.int64))
    return index


def top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (id, score) pairs, best first."""
    if len(scores) == 0:
        return []
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    part = part[np.argsort(-scores[part])]
    return [(int(ids[i]), float(scores[i])) for i in part]


def search(query: np.ndarray, k: int = 200, categories: list[int] | None = None) -> list[tuple[int, float]]:
    """The k published products nearest to `query` (cosine), in the given categories (a top-level one
    with its children) or in all."""
    import faiss

    from directory.models import Product, Status

    query = np.asarray(query, dtype=np.float32)
    found: dict[int, float] = {}
    index = current()
    since = None
    if index is not None and not categories and index.coarse is not None:
        since = index.built_at
        params = faiss.SearchParametersIVF(nprobe=getattr(settings, "DIRECTORY_COARSE_PROBES", COARSE_PROBES))
        scores, ids = index.coarse.search(query.reshape(1, -1), k, params=params)
        found.update((int(i), float(d)) for i, d in zip(ids[0], scores[0], strict=True) if i >= 0)
    elif index is not None:
        since = index.built_at
        for lo, hi in index.rows(categories):
            if hi <= lo:
                continue
            params = faiss.SearchParameters(sel=faiss.IDSelectorRange(lo, hi))
            scores, rows = index.flat.search(query.reshape(1, -1), k, params=params)
            found.update((int(index.ids[r]), float(d)) for r, d in zip(rows[0], scores[0], strict=True) if r >= 0)
    # Only the range scan of the `updated_at` index: the planners otherwise walk the status index
    # over every published product (390 ms at two million on SQLite).
    fresh = Product.objects.filter(updated_at__gt=since) if since is not None else Product.objects.filter(
        vector__isnull=False)
    wanted = None
    if categories:
        from directory.models import Category

        top_of = dict(Category.objects.values_list("pk", "parent_id"))
        wanted = set(categories)
    rows = [(pk, vector) for pk, state, category, vector in
            fresh.values_list("pk", "status", "category_id", "vector")[:200_000]
            if vector is not None and state == Status.PUBLISHED
            and (wanted is None or category in wanted or top_of.get(category) in wanted)]
    if rows:
        matrix = np.vstack([from_bytes(v) for _pk, v in rows])
        found.update(top_k(matrix @ query, np.asarray([pk for pk, _v in rows]), k))
    return sorted(found.items(), key=lambda kv: -kv[1])[:k]


def forget() -> None:
    """Drop the mapped files of this process (tests)."""
    _cache.clear()
