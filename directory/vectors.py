"""Brute-force vector search over the published products, with numpy.

The vectors live in `Product.vector` (float16). `manage.py directory_vectors --build` writes
them, sorted by top-level category, to three .npy files under var/ (ids, category of each row,
the float16 matrix), which every process memory-maps: the operating system keeps one copy in
its page cache however many workers read it. A search multiplies the query by the rows of the
categories it names (or by every row), chunk by chunk in float32. Products changed after the
files were written are read from the database at query time (`updated_at` is indexed), so a new
listing matches at once; hidden ones are filtered out when the results are fetched.

A search in no category would multiply every row (about a second at two million). Above
DIRECTORY_COARSE_MIN_ROWS rows a build also writes a coarse index: the rows partitioned by
k-means (faiss) into about √N clusters, and such a search reads only the rows of the
DIRECTORY_COARSE_PROBES clusters whose centroids are nearest the query (an inverted file, IVF).
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
    """The memory-mapped matrix of one build, with its rows' ids and top-level categories."""

    def __init__(self, base: Path):
        meta = json.loads((base / "meta.json").read_text())
        self.built_at = dt.datetime.fromisoformat(meta["built_at"])
        self.ids = np.load(base / "ids.npy", mmap_mode="r")
        self.matrix = np.load(base / "matrix.npy", mmap_mode="r")
        self.blocks = {int(k): tuple(v) for k, v in meta["blocks"].items()}
        self.tops = {int(k): tuple(v) for k, v in meta.get("tops", {}).items()}
        self.stamp = meta["built_at"]
        self.coarse = meta.get("coarse", False)
        if self.coarse:
            self.centroids = np.load(base / "centroids.npy")
            self.lists = np.load(base / "lists.npy", mmap_mode="r")
            self.offsets = np.load(base / "offsets.npy")

    def probe(self, query: np.ndarray, probes: int) -> np.ndarray:
        """Row numbers, ascending, of the `probes` clusters whose centroids are nearest `query`."""
        nearest = np.argsort(-(self.centroids @ query))[:probes]
        return np.sort(np.concatenate([self.lists[self.offsets[c]:self.offsets[c + 1]] for c in nearest]))

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
    names = ["ids", "matrix"]
    np.save(base / "ids.tmp.npy", ids)
    np.save(base / "matrix.tmp.npy", matrix)
    coarse = len(ids) >= getattr(settings, "DIRECTORY_COARSE_MIN_ROWS", COARSE_MIN_ROWS)
    if coarse:
        centroids, lists, offsets = partition(matrix)
        np.save(base / "centroids.tmp.npy", centroids)
        np.save(base / "lists.tmp.npy", lists)
        np.save(base / "offsets.tmp.npy", offsets)
        names += ["centroids", "lists", "offsets"]
    for name in names:
        (base / f"{name}.tmp.npy").replace(base / f"{name}.npy")
    (base / "meta.json").write_text(json.dumps({"built_at": built_at.isoformat(), "rows": len(ids),
                                                "blocks": blocks, "tops": top_blocks, "coarse": coarse}))
    return int(len(ids))


def partition(matrix: np.ndarray, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coarse index of a matrix: (centroids, row numbers grouped by cluster, each cluster's offset).

    About √N clusters trained by faiss's k-means (spherical, the vectors are unit length) on a sample
    of 50 rows per cluster, then every row assigned to its nearest centroid, chunk by chunk in float32.
    """
    import faiss

    rows = len(matrix)
    clusters = max(1, min(int(np.sqrt(rows)), rows))
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(rows, size=min(rows, clusters * 50), replace=False))
    kmeans = faiss.Kmeans(DIM, clusters, niter=10, spherical=True, seed=seed, verbose=False,
                          max_points_per_centroid=50)
    kmeans.train(np.ascontiguousarray(matrix[sample], dtype=np.float32))
    assigned = np.empty(rows, dtype=np.int32)
    for start in range(0, rows, CHUNK):
        block = np.ascontiguousarray(matrix[start:start + CHUNK], dtype=np.float32)
        assigned[start:start + len(block)] = kmeans.index.search(block, 1)[1][:, 0]
    lists = np.argsort(assigned, kind="stable").astype(np.int32)
    offsets = np.searchsorted(assigned[lists], np.arange(clusters + 1)).astype(np.int64)
    return kmeans.centroids.astype(np.float32), lists, offsets


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
    from directory.models import Product, Status

    query = np.asarray(query, dtype=np.float32)
    found: dict[int, float] = {}
    index = current()
    since = None
    if index is not None and not categories and index.coarse:
        since = index.built_at
        probes = getattr(settings, "DIRECTORY_COARSE_PROBES", COARSE_PROBES)
        rows = index.probe(query, probes)
        for start in range(0, len(rows), CHUNK):
            chosen = rows[start:start + CHUNK]
            block = np.asarray(index.matrix[chosen], dtype=np.float32)
            found.update(top_k(block @ query, index.ids[chosen], k))
    elif index is not None:
        since = index.built_at
        for lo, hi in index.rows(categories):
            for start in range(lo, hi, CHUNK):
                block = np.asarray(index.matrix[start:min(hi, start + CHUNK)], dtype=np.float32)
                found.update(top_k(block @ query, index.ids[start:start + len(block)], k))
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
