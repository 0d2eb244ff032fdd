"""Matching demands and products across languages.

A demand in any language is turned into Chinese glossary words (`glossary.to_chinese`); each
word finds published products through the shared search index, and the demand's sentence vector
finds the nearest products (`vectors.search`) in the categories the demand names or the glossary
implies. The score adds the share of the demand's words a product carries, its cosine, and a
small bonus for the same category; `reasons` say which of these found it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from core import search
from directory import glossary, vectors
from directory.encoder import from_bytes, get_encoder
from directory.models import Category, Demand, DemandStatus, Product, Status

WORD_CANDIDATES = 300
VECTOR_CANDIDATES = 200
MIN_SCORE = 0.15  # = cosine 0.3 alone; unrelated goods score about 0.2 cosine (0.1)


@dataclass
class Found:
    """A product (or demand) found, its score and why."""

    obj: object
    score: float
    reasons: list[str] = field(default_factory=list)


def demand_words(demand: Demand) -> tuple[list[str], list[str]]:
    """The Chinese words of a demand and the words the glossary could not translate."""
    text = f"{demand.title} {demand.description}"
    if demand.language == "zh":
        return glossary.chinese_terms(text) or [demand.title], []
    return glossary.to_chinese(text, demand.language)


def search_categories(demand: Demand, words: list[str]) -> list[int]:
    """The demand's own category, or the (at most two) categories its glossary words imply.

    Narrow on purpose: a category is one block of the vector files (a few percent of the rows), and
    a product outside it is still found by its words.
    """
    if demand.category_id:
        return [demand.category_id]
    cats = {code: (pk, parent) for code, pk, parent in Category.objects.filter(
        code__in=glossary.categories_of(words)).values_list("code", "pk", "parent_id")}
    ordered = [cats[c] for c in glossary.categories_of(words) if c in cats]
    # A second-level category is a block of a few percent of the rows; a top-level one, ten times that.
    narrow = [pk for pk, parent in ordered if parent is not None]
    return (narrow or [pk for pk, _parent in ordered])[:2]


def _word_hits(words: list[str]) -> dict[int, list[str]]:
    hits: dict[int, list[str]] = {}
    if len(words) > 1:
        # Products with every word first: a common word alone would fill its quota with others.
        for pk in search.matching_ids("directory.product", " ".join(words[:8]), None, WORD_CANDIDATES):
            hits[pk] = list(words[:8])
    for word in words[:8]:
        for pk in search.matching_ids("directory.product", word, None, WORD_CANDIDATES):
            if word not in hits.setdefault(pk, []):
                hits[pk].append(word)
    return hits


def demand_vector(demand: Demand):
    """The demand's vector (stored, or computed now); None without an encoder."""
    encoder = get_encoder()
    if not encoder.available:
        return None
    if demand.vector:
        return from_bytes(demand.vector)
    return encoder.encode([f"{demand.title}. {demand.description}".strip(". ")])[0]


def match_demand(demand: Demand, limit: int = 20) -> list[Found]:
    """The published products that fit a demand, best first."""
    words, _missing = demand_words(demand)
    categories = search_categories(demand, words)
    hits = _word_hits(words)
    cosine: dict[int, float] = {}
    vector = demand_vector(demand)
    if vector is not None:
        cosine = dict(vectors.search(vector, VECTOR_CANDIDATES, categories or None))
    ids = set(hits) | set(cosine)
    if not ids:
        return []
    # Score on three columns first; only the best `limit` products are loaded whole.
    # By primary key alone (status checked here): with `status` in the WHERE, SQLite walked the
    # status index over every published product (290 ms at two million).
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    rows = Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "status")
    scored = []
    for pk, category, state in rows:
        if state != Status.PUBLISHED:
            continue
        parent = parents.get(category)
        share = len(hits.get(pk, ())) / max(1, len(words))
        cos = cosine.get(pk, 0.0)
        same = category is not None and (category in categories or parent in categories)
        score = 0.5 * share + 0.5 * max(cos, 0.0) + (0.05 if same else 0.0)
        if score < MIN_SCORE and share < 1:
            continue
        reasons = (["words:" + "、".join(hits[pk])] if hits.get(pk) else []) + (
            [f"semantic:{cos:.2f}"] if cos else []) + (["category"] if same else [])
        scored.append((round(score, 4), pk, reasons))
    scored.sort(key=lambda t: (-t[0], t[1]))
    scored = scored[:limit]
    products = Product.objects.select_related("enterprise", "category").defer("vector").in_bulk(
        [pk for _s, pk, _r in scored])
    return [Found(products[pk], score, reasons) for score, pk, reasons in scored if pk in products]


def match_product(product: Product, limit: int = 20) -> list[Found]:
    """The open demands a product could answer, best first (open demands are few: all are scored)."""
    words = set(glossary.chinese_terms(f"{product.name} {product.description}"))
    for t in (product.translations or {}).values():
        words |= set(glossary.to_chinese(t.get("name", ""), "en")[0])
    pvec = from_bytes(product.vector) if product.vector else None
    found = []
    open_demands = Demand.objects.filter(status=DemandStatus.OPEN).only(
        "pk", "title", "description", "language", "translation", "vector", "buyer", "destination", "quantity",
        "unit", "org_id", "category_id", "created_at", "deadline")
    for d in open_demands.iterator(chunk_size=2000):
        dwords = set(d.translation.get("words", [])) if d.translation else set()
        share = len(words & dwords) / max(1, len(dwords)) if dwords else 0.0
        cos = float(from_bytes(d.vector) @ pvec) if (pvec is not None and d.vector) else 0.0
        score = 0.5 * share + 0.5 * max(cos, 0.0)
        if score >= MIN_SCORE:
            found.append(Found(d, round(score, 4), [f"words:{len(words & dwords)}/{len(dwords)}", f"semantic:{cos:.2f}"]))
    found.sort(key=lambda f: -f.score)
    return found[:limit]


def vendor() -> str:
    """The database in use (for the benchmark's labels)."""
    return connection.vendor
