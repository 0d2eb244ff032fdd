"""Chinese search: one module, one function (`search`), on SQLite FTS5 and PostgreSQL tsvector alike.

Each indexed record gets one row of space-separated tokens (core.SearchEntry):
- traditional characters folded to simplified (OpenCC t2s), full-width folded, lower case;
- rjieba `cut_for_search` words, every Chinese character and every pair of adjacent characters,
  so one- and two-character queries (王, 小明) and any part of a name (华联贸易) match;
- pinyin syllables, the joined pinyin and its initials (wang, wangxiaoming, wxm);
- Latin words of foreign names, and their English stems (Snowball) where they differ, so that
  "scarves" finds "scarf…" listings' "scarves" and "toys" finds "toy";
- `o<path>` for every ancestor of the record's organization, so the caller's scope is part of
  the full-text query itself rather than a filter applied after a limit.
A query is normalised the same way; every term must match (AND), Latin and pinyin terms
as prefixes. Results: exact name first, then names that start with the query, then the rest.

Written by hand because no library does Chinese full text on both databases: PostgreSQL's
parsers and SQLite's tokenizers do not segment Chinese, and trigram indexes miss one- and
two-character words.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache

import opencc
import rjieba
import snowballstemmer
from django.core.cache import cache, caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q
from pypinyin import Style, lazy_pinyin

from core.models import SearchEntry

_t2s = opencc.OpenCC("t2s")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[0-9a-z]+")
_stemmer = snowballstemmer.stemmer("english")
MAX_CANDIDATES = 500
SAMPLE_MODULUS = 8  # PostgreSQL: one entry in 8 has a second, smaller index (see _matching_ids)
SEARCH_WORK_MEM = "32MB"  # PostgreSQL: room for an exact bitmap of a common term's matches
# PostgreSQL: queries whose sampled index lately held fewer than the limit ((label, tsquery, limit) → when). The
# next time they go to the whole index at once: the sampled query would only be read and thrown away.
_SPARSE: dict[tuple[str, str, int], float] = {}
SPARSE_SECONDS = 600  # then the sample is tried again: a word grows common as records come in
SPARSE_MAX = 20_000
# A query's candidates are kept per process for CANDIDATES_SECONDS under their model's generation, which every
# write of search entries renews (`changed`): a kept answer is the index's answer, never an older one. The
# time limit only bounds what a write that bypassed `changed` (SQL by hand) could leave behind.
CANDIDATES_SECONDS = 600
GENERATION_KEY = "search-generation:"
ROOTS_SECONDS = 60  # how long a process keeps the tree's roots (`tree_roots`)
_ROOTS: tuple[float, frozenset[str]] | None = None


@dataclass(frozen=True)
class Indexed:
    """How one model is indexed: its name fields (ranked) and its other searchable texts."""

    model: type
    names: Callable[[object], list[str]]
    texts: Callable[[object], list[str]]
    label: str
    name_field: str


REGISTRY: dict[str, Indexed] = {}


def register(model, *, names: Callable, texts: Callable | None = None, name_field: str = "name") -> None:
    """Index `model` and keep its entries current on every save and delete.

    `names(obj)` are ranked (exact, prefix), `texts(obj)` are searched too; `name_field` is the
    indexed column looked up for exact names. Bulk writes (import, demo) call `index()` themselves.
    """
    from django.db.models.signals import post_delete, post_save

    label = model._meta.label_lower
    REGISTRY[label] = Indexed(model, names, texts or (lambda obj: []), label, name_field)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"search-save-{label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-delete-{label}")


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        index([instance])


def _on_delete(sender, instance, **kwargs):
    unindex(sender, [instance.pk])


def normalize(text: str) -> str:
    """Fold full-width forms and traditional characters, lower-case: 陳ＡＢ → 陈ab."""
    return _t2s.convert(unicodedata.normalize("NFKC", text or "")).lower().strip()


# Ranking normalises the name of each of up to 500 candidates (2 µs each through OpenCC), and the same
# candidates come back for the same words: names are memoised per process.
_normalized_name = lru_cache(maxsize=65536)(normalize)


@lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> tuple[str, str]:
    syllable = lazy_pinyin(char)[0]
    initial = lazy_pinyin(char, style=Style.FIRST_LETTER)[0]
    return syllable, initial


def pinyin_tokens(text: str) -> list[str]:
    """wang xiao ming wangxiaoming wxm for 王小明 (characters looked up one by one, cached),
    and the pinyin of each word of longer names."""
    tokens = []
    for run in _CJK.findall(text):
        pairs = [_char_pinyin(c) for c in run]
        syllables = [p[0] for p in pairs if p[0].isascii()]
        if not syllables:
            continue
        tokens.extend(syllables)
        tokens.append("".join(syllables))
        tokens.append("".join(p[1] for p in pairs if p[1].isascii()))
        if len(run) > 3:
            # 华联 → hualian, so pinyin finds a word inside a long enterprise name.
            tokens.extend("".join(_char_pinyin(c)[0] for c in word) for word in rjieba.cut(run) if len(word) > 1)
    return tokens


def text_tokens(text: str) -> list[str]:
    """Words, characters, bigrams and Latin words of an already normalised text."""
    tokens = []
    for run in _CJK.findall(text):
        tokens.extend(rjieba.cut_for_search(run))
        tokens.extend(run)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    words = _LATIN.findall(text)
    tokens.extend(words)
    tokens.extend(stem for word, stem in zip(words, _stems(words), strict=True) if stem != word)
    return tokens


def _stems(words: list[str]) -> list[str]:
    """English stems of Latin words of four letters or more (others, and numbers, as they are)."""
    return [_stemmer.stemWord(w) if len(w) > 3 and w.isalpha() else w for w in words]


def _latin_query_term(word: str) -> str:
    """A query word as a prefix term: its stem when the stem is a prefix of it (scarves → scarv*),
    else the word (a stem such as happi is not a prefix of happy, and would miss pinyin tokens)."""
    stem = _stems([word])[0]
    return stem if word.startswith(stem) else word


def scope_tokens(path: str, steplen: int = 4) -> list[str]:
    """o0001 o00010002 … for every ancestor of an organization path."""
    return [f"o{path[:i]}".lower() for i in range(steplen, len(path) + 1, steplen)]


def model_token(label: str) -> str:
    """The token every entry of a model carries (mregistryperson): SQLite's queries AND it, so that a word
    common in another model's entries (义乌 in two million product descriptions) is not fetched and then
    dropped row by row. PostgreSQL uses a partial index per model instead (`ensure_model_indexes`)."""
    return "m" + re.sub(r"[^a-z0-9]", "", label.lower())


def ensure_model_indexes(using: str = "default", **kwargs) -> list[str]:
    """On PostgreSQL, two partial GIN indexes of the entries of each indexed model (run after every migrate).

    The query's `model = …` then reads only that model's postings: with two million products in the same
    table, a person search for a word of their descriptions (义乌) read and dropped millions of rows.
    The second index holds one entry in SAMPLE_MODULUS, where a common word's candidates are looked for
    first (`_matching_ids`). Returns the indexes created.
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return []
    made = []
    with conn.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_searchentry'")
        have = {row[0] for row in cursor.fetchall()}
        for label in REGISTRY:
            name = "core_searchentry_tsv_" + re.sub(r"[^a-z0-9]", "_", label.lower())
            for index, where in [(name, ""), (name + "_s", f" AND object_id %% {SAMPLE_MODULUS} = 0")]:
                if index not in have:
                    cursor.execute(f"CREATE INDEX {index} ON core_searchentry USING GIN (tsv) WHERE model = %s{where}",
                                   [label])
                    made.append(index)
    return made


def document(obj, entry: Indexed, known: dict[str, tuple[str, ...]] | None = None) -> str:
    """The token string of one record; `known` holds names already tokenised (`name_tokens`) elsewhere."""
    tokens: list[str] = [model_token(entry.label)]
    for name in entry.names(obj):
        if not name:
            continue
        found = known.get(name) if known else None
        tokens.extend(_name_tokens(name) if found is None else found)
    for text in entry.texts(obj):
        tokens.extend(_text_tokens(text))
    tokens.extend(_scope_tokens(_org_path(obj)))
    return " ".join(dict.fromkeys(t for t in tokens if t))


def name_tokens(obj, entry: Indexed) -> dict[str, tuple[str, ...]]:
    """{name: its tokens} for the names of `obj`: what `document` takes as `known` (an import computes them
    in its reading process, which has time to spare, so they leave the memo of Chinese names as it is)."""
    return {name: _tokens_of_name(name) for name in entry.names(obj) if name}


def _name_tokens(name: str) -> tuple[str, ...]:
    # A name without Chinese characters (Marco Rossi) costs a few µs and is usually unique: memoising it
    # only pushed the Chinese names, which repeat, out of the memo.
    if not name or _CJK.search(name) is None:
        return _tokens_of_name(name)
    return _chinese_name_tokens(name)


def _tokens_of_name(name: str) -> tuple[str, ...]:
    name = normalize(name)
    return (*text_tokens(name), *pinyin_tokens(name))


def _shared_tokens_of_name(name: str) -> tuple[str, ...]:
    # Interned: the memo's names share their characters, syllables and pairs (王, wang, 小明) instead of
    # holding a string object of each per name (130 MB → 58 MB for 161,000 names).
    return tuple(map(sys.intern, _tokens_of_name(name)))


# Chinese names repeat a lot at province scale (a million people share a few hundred thousand names,
# and the pinyin and segmentation of a name cost ~40 µs): memoised, reindexing and the demo
# tokenise each distinct name, text and organization path once.
_chinese_name_tokens = lru_cache(maxsize=262144)(_shared_tokens_of_name)


@lru_cache(maxsize=262144)
def _text_tokens(text: str) -> tuple[str, ...]:
    return tuple(map(sys.intern, text_tokens(normalize(text))))


@lru_cache(maxsize=16384)
def _scope_tokens(path: str) -> tuple[str, ...]:
    return tuple(scope_tokens(path))


def _org_path(obj) -> str:
    return obj.path if hasattr(obj, "path") else obj.org.path


def index(objs: Iterable) -> int:
    """Add or refresh the entries of these records (one model); returns how many were written."""
    objs = list(objs)
    if not objs:
        return 0
    entry = REGISTRY[objs[0]._meta.label_lower]
    rows = {o.pk: document(o, entry) for o in objs}
    with transaction.atomic():
        SearchEntry.objects.filter(model=entry.label, object_id__in=list(rows)).delete()
        SearchEntry.objects.bulk_create(
            [SearchEntry(model=entry.label, object_id=pk, tokens=t) for pk, t in rows.items()], batch_size=2000
        )
        changed(entry.label)
    return len(rows)


def changed(*labels: str) -> None:
    """Say that the entries of these models (every indexed model when none is named) were written.

    Their generation is renewed at once, so that this transaction's own searches see its writes, and
    again when it commits, so that no process keeps candidates read while the writes were invisible
    to it. Every writer of search entries calls it (index, unindex, reindex, bulk loads, imports,
    restore). Candidates kept under an older generation are never read again.
    """
    keys = [GENERATION_KEY + label for label in (labels or REGISTRY)]

    def renew():
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    renew()
    # Robust: a cache that fails after the commit must not turn a saved record into an error page;
    # kept candidates then expire within CANDIDATES_SECONDS.
    transaction.on_commit(renew, robust=True)


def generation(label: str) -> str:
    """The current generation of a model's entries (a random token that `changed` renews)."""
    key = GENERATION_KEY + label
    value = cache.get(key)
    if value is None:  # never set, evicted or cleared: a new one, never the token of an earlier state
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key)
    return value or uuid.uuid4().hex


@contextmanager
def bulk_loading():
    """Around a bulk load of SearchEntry rows (the demo): fill the SQLite FTS5 index once at the end.

    The FTS5 insert trigger indexes one row at a time; measured on 200,000 entries: 8.2 s
    through the trigger, 1.3 s with one INSERT … SELECT afterwards. Must run inside a
    transaction, so that a failure leaves the trigger and the index as they were.
    PostgreSQL computes its tsvector column and GIN index on COPY; nothing to defer there.
    At the end every model's generation is renewed (`changed`), so the loads inside it (imports, the demo)
    need not renew it chunk by chunk.
    """
    if connection.vendor != "sqlite":
        yield
        changed()
        return
    if not connection.in_atomic_block:
        raise RuntimeError("search.bulk_loading() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'core_search_ai'")
        trigger = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_searchentry")
        before = cursor.fetchone()[0]
        cursor.execute("DROP TRIGGER core_search_ai")
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_search_fts(rowid, tokens) SELECT id, tokens FROM core_searchentry "
                       "WHERE id > %s", [before])
        cursor.execute(trigger)
    changed()


def unindex(model, pks: Iterable[int]) -> None:
    """Remove the entries of deleted records."""
    SearchEntry.objects.filter(model=model._meta.label_lower, object_id__in=list(pks)).delete()
    changed(model._meta.label_lower)


def reindex(labels: Iterable[str] | None = None, batch: int = 5000, progress: Callable | None = None) -> int:
    """Rebuild the index of the given models (all by default); returns the number of records."""
    total = 0
    for label in labels or list(REGISTRY):
        entry = REGISTRY[label]
        SearchEntry.objects.filter(model=label).delete()
        changed(label)
        qs = entry.model._base_manager.order_by("pk")
        if _has_org_fk(entry.model):
            qs = qs.select_related("org")
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            SearchEntry.objects.bulk_create(
                [SearchEntry(model=label, object_id=o.pk, tokens=document(o, entry)) for o in chunk],
                batch_size=2000,
            )
            last = chunk[-1].pk
            total += len(chunk)
            changed(label)
            if progress:
                progress(total)
    return total


def _has_org_fk(model) -> bool:
    return any(f.name == "org" and f.is_relation for f in model._meta.get_fields())


def query_terms(query: str) -> list[tuple[str, bool]]:
    """The terms of a query as (token, is_prefix): Chinese as characters or bigrams, Latin as prefixes."""
    text = normalize(query)
    terms: list[tuple[str, bool]] = []
    for run in _CJK.findall(text):
        if len(run) == 1:
            terms.append((run, False))
        else:
            terms.extend((run[i : i + 2], False) for i in range(len(run) - 1))
    terms.extend((_latin_query_term(w), True) for w in _LATIN.findall(text))
    return list(dict.fromkeys(terms))


def _fts_query(terms, scope_paths, label: str | None = None) -> str:
    parts = [f'"{t}"' + ("*" if prefix else "") for t, prefix in terms]
    if label:
        parts.append(f'"{model_token(label)}"')
    if scope_paths:
        parts.append("(" + " OR ".join(f'"{scope_tokens(p)[-1]}"' for p in scope_paths) + ")")
    return " AND ".join(parts)


def _tsquery(terms, scope_paths) -> str:
    # No model token here: PostgreSQL has a partial GIN index per model (`ensure_model_indexes`), and ANDing
    # a token carried by a million entries cost more (120 ms) than the partial index's whole scan (15 ms).
    parts = ["'" + t.replace("'", "") + "'" + (":*" if prefix else "") for t, prefix in terms]
    if scope_paths:
        parts.append("(" + " | ".join("'" + scope_tokens(p)[-1] + "'" for p in scope_paths) + ")")
    return " & ".join(parts)


def matching_ids(label: str, query: str, scope_paths: list[str] | None, limit: int = MAX_CANDIDATES,
                 current: str | None = None) -> list[int]:
    """Ids of records of `label` matching every term, inside the scope (None = everywhere).

    Latin and pinyin terms match as prefixes, but whole words are tried first: when they alone fill
    the limit, the prefix query is not run. A prefix expands to every word it starts (silk → silks,
    silky …), and PostgreSQL collects each one's matches in full before the limit applies: 'silk':*
    cost four times 'silk' at 2.1 million products. Words are indexed with their stems (toys → toy),
    so the whole-word query already finds the plural forms.

    The answer is kept per process under the model's generation (`changed`; `current` when the caller has
    just read it): the same words in the same scope (the next page, the API after the web page, a
    colleague's search) read no index until the model's entries are written again.
    """
    terms = query_terms(query)
    if not terms or scope_paths == []:
        return []
    kept = caches["fragments"]
    key = "search-candidates:" + hashlib.sha1(
        json.dumps([label, terms, scope_paths, limit, current or generation(label)]).encode()).hexdigest()
    found = kept.get(key)
    if found is None:
        found = _candidates(label, terms, scope_paths, limit)
        kept.set(key, found, CANDIDATES_SECONDS)
    return found


def _candidates(label: str, terms, scope_paths, limit: int) -> list[int]:
    with connection.cursor() as cursor, _planner_kept_on_the_index(cursor):
        if any(prefix for _term, prefix in terms):
            words = _matching_ids(cursor, label, [(term, False) for term, _prefix in terms], scope_paths, limit)
            if len(words) >= limit:
                return words
        return _matching_ids(cursor, label, terms, scope_paths, limit)


def _matching_ids(cursor, label: str, terms, scope_paths, limit: int) -> list[int]:
    """One query of `terms`: PostgreSQL's sampled index first, then all of it (see below); SQLite's FTS5.

    PostgreSQL: a GIN index scan builds the bitmap of every match before LIMIT applies, so a common word
    (围巾 in 85,000 of 2.1 million products, silk in 120,000) cost 45–90 ms. A second partial index holds
    one entry in SAMPLE_MODULUS (`ensure_model_indexes`), where such a word still has thousands of
    matches: the limit fills at an eighth of the cost (8–12 ms). A rarer word falls through to the whole
    index, cheap for a short posting list. Either way the candidates are matches (the exact names are
    looked up apart, `search_ids`), as before, when they were the first 500 in the table's order. A query
    whose sample fell short goes straight to the whole index for SPARSE_SECONDS (same candidates, one query).
    """
    if connection.vendor == "postgresql":
        tsquery = _tsquery(terms, scope_paths)
        sql = "SELECT object_id FROM core_searchentry WHERE model = %s{} AND tsv @@ to_tsquery('simple', %s) LIMIT %s"
        key, now = (label, tsquery, limit), time.monotonic()
        if now - _SPARSE.get(key, -SPARSE_SECONDS) >= SPARSE_SECONDS:
            cursor.execute(sql.format(f" AND object_id %% {SAMPLE_MODULUS} = 0"), [label, tsquery, limit])
            found = [row[0] for row in cursor.fetchall()]
            if len(found) >= limit:
                return found
            if len(_SPARSE) >= SPARSE_MAX:
                _SPARSE.clear()
            _SPARSE[key] = now
        cursor.execute(sql.format(""), [label, tsquery, limit])
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT e.object_id FROM core_search_fts f CROSS JOIN core_searchentry e ON e.id = f.rowid "
        "WHERE core_search_fts MATCH %s AND e.model = %s LIMIT %s",
        [_fts_query(terms, scope_paths, label), label, limit],
    )
    return [row[0] for row in cursor.fetchall()]


@contextmanager
def _planner_kept_on_the_index(cursor):
    """PostgreSQL: the search's queries planned on the GIN index, with room for an exact bitmap.

    With LIMIT the planner took a common word's estimate (150,000 products for 'toy':*) as a reason to
    read the table in order, where the people's entries come first (2.3 s); and past ~80,000 matches the
    default work_mem made the bitmap lossy. Both settings are the session's again afterwards (a failed
    query's transaction rolls them back).
    """
    if connection.vendor != "postgresql":
        yield
        return
    from django.db import DatabaseError

    cursor.execute("SELECT set_config('enable_seqscan', 'off', false), set_config('work_mem', %s, false)",
                   [SEARCH_WORK_MEM])
    try:
        yield
    finally:
        with suppress(DatabaseError):
            cursor.execute("RESET enable_seqscan; RESET work_mem")


def query_scope(paths: list[str] | None) -> list[str] | None:
    """The scope terms a query needs: None when the paths cover every root of the organization tree.

    Every indexed record lies under some root, so such a scope excludes nothing, while its token is in
    every entry: ANDing it read a posting list of millions of entries on every query (PostgreSQL,
    2,100,000 products: p95 234 ms).
    """
    from orgs.models import Organization

    if not paths or not any(len(p) == Organization.steplen for p in paths):
        return paths
    roots = tree_roots()
    return None if roots and roots <= set(paths) else paths


def tree_roots() -> frozenset[str]:
    """The paths of the organization tree's roots, read at most once in ROOTS_SECONDS per process.

    A root made in another process may be missed for that long. It is safe: the scope term only narrows
    the candidates, and every candidate is then checked against what the user may see (`search_ids`).
    A root made in this process is seen at once (`forget_tree_roots`, on saving an organization).
    """
    from orgs.models import Organization

    global _ROOTS
    now = time.monotonic()
    if _ROOTS is None or now - _ROOTS[0] >= ROOTS_SECONDS:
        _ROOTS = (now, frozenset(Organization.objects.filter(depth=1).values_list("path", flat=True)))
    return _ROOTS[1]


def forget_tree_roots(**kwargs) -> None:
    """Read the roots again at the next search (connected to saving and deleting an organization)."""
    global _ROOTS
    _ROOTS = None


def search_ids(queryset, user, query: str, limit: int = MAX_CANDIDATES) -> list[int]:
    """Ids of the records of `queryset` visible to `user` that match `query`, best first.

    The one search function: the web UI, the API and every app call it (or `search()`).
    """
    from accounts.access import paths_for

    entry = REGISTRY[queryset.model._meta.label_lower]
    visible = queryset.visible_to(user)
    current = generation(entry.label)
    candidates = matching_ids(entry.label, query, query_scope(paths_for(user)), limit, current)
    q = normalize(query)
    position = {pk: i for i, pk in enumerate(candidates)}
    # One query for the records named exactly so and the names of the visible candidates (to rank them).
    # Unordered: under the caller's ORDER BY -pk PostgreSQL walked the primary key backwards
    # looking for a rare name (seconds at a million people) instead of using the name index.
    wanted = Q(**{entry.name_field: q.strip()})
    if candidates:
        wanted |= Q(_ids_condition(queryset, candidates))
    names_query = visible.filter(wanted).order_by().values_list("pk", entry.name_field)[: limit + len(candidates)]
    # The answer is kept like the candidates, under the generation and the query's own SQL (the caller's
    # filters and scope, the word, the candidates): it reads the records' names and scope, and every write of
    # a record or a move of its organization renews the generation (`changed`). The names' query cost
    # PostgreSQL more than any other of the load test (1–1.7 ms, 800–1,000 buffers a search).
    try:
        sql, params = names_query.query.sql_with_params()
    except EmptyResultSet:  # the user sees nothing of this model
        return []
    key = "search-answer:" + hashlib.sha1(
        json.dumps([current, sql, [str(p) for p in params], q, limit]).encode()).hexdigest()
    kept = caches["fragments"]
    answer = kept.get(key)
    if answer is None:
        answer = _ranked_ids(list(names_query), candidates, position, q, limit)
        kept.set(key, answer, CANDIDATES_SECONDS)
    return answer


def _ranked_ids(rows, candidates, position, q: str, limit: int) -> list[int]:
    exact = [pk for pk, name in rows if name == q.strip()][:limit]
    names = {pk: name for pk, name in rows if pk in position}

    def key(pk):
        name = _normalized_name(names.get(pk) or "")
        return (0 if name == q else 1 if name.startswith(q) else 2 if q in name else 3, position[pk])

    ranked = sorted((pk for pk in candidates if pk in names), key=key)
    return list(dict.fromkeys(exact + ranked))[:limit]


def _pk_column(queryset) -> str:
    meta = queryset.model._meta
    return f"{connection.ops.quote_name(meta.db_table)}.{connection.ops.quote_name(meta.pk.column)}"


def _pg_array(ids) -> str:
    # The array's text form, one string parameter: psycopg's list dumper costs ~1 ms per 500 ids.
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def with_ids(queryset, ids: list[int]):
    """`queryset` limited to the primary keys `ids`, passed as one parameter (an array, or JSON on SQLite).

    `pk__in` binds one parameter per id: for a search's 500 candidates Django prepares 500 values and
    psycopg splits and merges a 500-placeholder query on every call (2–4 ms each, three times a page).
    """
    return queryset.filter(_ids_condition(queryset, ids))


def _ids_condition(queryset, ids: list[int]):
    """The SQL condition of `with_ids`, to filter by or to combine with another."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    column = _pk_column(queryset)
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s::bigint[])", (_pg_array(ids),), output_field=BooleanField())
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (json.dumps(list(ids)),),
                  output_field=BooleanField())


def ranked(queryset, ids: list[int]):
    """`queryset` limited to `ids`, in their order, by one SQL expression with one parameter.

    A Django `Case` with a `When` per id costs more to compile than the query costs to run
    (300 ms for 500 ids on a busy machine), twice per API page (the page and its count).
    """
    from django.db.models import IntegerField
    from django.db.models.expressions import RawSQL

    column = _pk_column(queryset)
    if connection.vendor == "postgresql":
        rank = RawSQL(f"array_position(%s::bigint[], {column})", (_pg_array(ids),), output_field=IntegerField())
    else:
        rank = RawSQL(f"instr(%s, ',' || {column} || ',')", ("," + ",".join(map(str, ids)) + ",",),
                      output_field=IntegerField())
    return with_ids(queryset, ids).annotate(search_rank=rank).order_by("search_rank")


def found(queryset, user, query: str, limit: int = MAX_CANDIDATES):
    """The records of `queryset` that `user` may see and that match `query`, best first, as a queryset.

    Every id `search_ids` returns is a visible row of `queryset`, so the answer carries them as
    `search_order`: a paginator (core.pagination) counts and slices them without asking the database
    to count or sort the 500 candidates. A further filter or ordering makes a new queryset, which has
    no `search_order` and is paginated the usual way.
    """
    ids = search_ids(queryset, user, query, limit)
    if not ids:
        return queryset.none()
    result = ranked(queryset, ids)
    result.search_order = ids
    result.search_base = queryset
    return result


def page_rows(queryset, ids: list[int]) -> list:
    """The records `ids` (a page of a `found` answer's `search_order`), in that order.

    Read by id from the queryset the search started from: the ranked answer's condition on all its ids
    (up to 500) made PostgreSQL look every one of them up for a page of 50 (0.8 ms a page instead of 0.1).
    """
    base = getattr(queryset, "search_base", queryset)
    by_pk = {obj.pk: obj for obj in with_ids(base.order_by(), ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def search(queryset, user, query: str, limit: int = MAX_CANDIDATES) -> list:
    """The records themselves, in the order of `search_ids`."""
    ids = search_ids(queryset, user, query, limit)
    found = {obj.pk: obj for obj in with_ids(queryset.visible_to(user), ids)}
    return [found[pk] for pk in ids if pk in found]


def reindex_subtree(path: str) -> int:
    """Refresh the entries of every record under an organization path (after a move)."""
    total = 0
    for entry in REGISTRY.values():
        has_org = _has_org_fk(entry.model)
        qs = entry.model._base_manager.filter(**{"org__path__startswith" if has_org else "path__startswith": path})
        if has_org:
            qs = qs.select_related("org")
        last = 0
        while chunk := list(qs.filter(pk__gt=last).order_by("pk")[:2000]):
            total += index(chunk)
            last = chunk[-1].pk
    return total
