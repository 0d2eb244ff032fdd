"""The bilingual trade glossary: the shipped file (directory/data/glossary.tsv) plus staff's GlossaryTerm rows.

Foreign text is matched phrase by phrase on word stems (Snowball: "scarves" and "scarf" meet
through the listed alternatives, "toys" and "toy" through the stem), longest phrase first;
Chinese text is matched by the longest glossary words it contains. Loaded once per process and
reloaded when a staff term changes (`invalidate()`).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import snowballstemmer

DATA = Path(__file__).resolve().parent / "data"
FOREIGN = ("en", "es", "ru", "ar")
STEMMERS = {"en": "english", "es": "spanish", "ru": "russian", "ar": "arabic", "fr": "french",
            "pt": "portuguese", "it": "italian", "de": "german"}
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
STOPWORDS = {"a", "an", "the", "of", "for", "and", "with", "in", "on", "to", "we", "need", "looking", "seek",
             "buy", "want", "de", "la", "el", "los", "las", "para", "con", "y", "en", "del", "и", "для", "с", "в",
             "pcs", "pieces", "piece", "units", "unit", "high", "quality", "new", "style", "supplier", "suppliers",
             "necesitamos", "buscamos", "нужны", "нужен", "ищем", "from", "per", "by", "our", "is", "are"}


@dataclass
class Entry:
    """One glossary word: Chinese, its foreign alternatives per language, its category code."""

    zh: str
    category: str = ""
    words: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Glossary:
    """Lookup tables built from the entries."""

    entries: dict[str, Entry]
    phrases: dict[str, dict[tuple, str]]  # lang → stemmed phrase → zh
    longest: int
    zh_pattern: re.Pattern | None


_lock = threading.Lock()
_loaded: Glossary | None = None


@lru_cache(maxsize=16)
def _stemmer(lang: str):
    return snowballstemmer.stemmer(STEMMERS.get(lang, "english"))


def stem_words(text: str, lang: str = "en") -> list[str]:
    """Lower-cased, stemmed words of a foreign text."""
    words = [w.lower() for w in _WORD.findall(text or "") if not _CJK.search(w)]
    return _stemmer(lang).stemWords(words)


def _read_file() -> dict[str, Entry]:
    entries = {}
    for line in (DATA / "glossary.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, category, *langs = line.split("\t")
        entry = Entry(zh=zh.strip(), category=category.strip())
        for lang, cell in zip(FOREIGN, langs, strict=False):
            entry.words[lang] = [w.strip() for w in cell.split("|") if w.strip()]
        entries[entry.zh] = entry
    return entries


def _build() -> Glossary:
    from directory.models import GlossaryTerm

    entries = _read_file()
    for term in GlossaryTerm.objects.select_related("category"):
        entry = Entry(zh=term.zh, category=term.category.code if term.category else "")
        for lang in FOREIGN:
            entry.words[lang] = [w.strip() for w in getattr(term, lang).split("|") if w.strip()]
        entries[term.zh] = entry  # staff's word wins over the shipped one
    phrases: dict[str, dict[tuple, str]] = {}
    longest = 1
    for entry in entries.values():
        for lang, words in entry.words.items():
            for w in words:
                key = tuple(stem_words(w, lang))
                if key:
                    # The first (shipped order) Chinese word keeps a phrase: 丝绸 does not replace 真丝.
                    phrases.setdefault(lang, {}).setdefault(key, entry.zh)
                    longest = max(longest, len(key))
    zh_words = sorted(entries, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, zh_words))) if zh_words else None
    return Glossary(entries, phrases, longest, pattern)


def get() -> Glossary:
    """The loaded glossary."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _build()
    return _loaded


def invalidate() -> None:
    """Forget the loaded glossary (a staff term was added or changed)."""
    global _loaded
    _loaded = None
    category_chain.cache_clear()


def to_chinese(text: str, lang: str = "en", components: bool = True) -> tuple[list[str], list[str]]:
    """The Chinese words of a foreign text, and the words it could not translate (stop words aside).

    Phrases are matched longest first on stems; with `components`, a phrase's single words are added
    too (for matching); a language with no glossary column falls back to English.
    """
    g = get()
    table = g.phrases.get(lang) or g.phrases.get("en", {})
    raw = [w for w in _WORD.findall(text or "") if not _CJK.search(w)]
    stems = _stemmer(lang if lang in g.phrases else "en").stemWords([w.lower() for w in raw])
    found, missing, i = [], [], 0
    while i < len(stems):
        for n in range(min(g.longest, len(stems) - i), 0, -1):
            zh = table.get(tuple(stems[i:i + n]))
            if zh:
                found.append(zh)
                # "silk scarf" is 丝巾, and listings say 真丝围巾: keep the words' own translations too.
                if components:
                    found += [table[(s,)] for s in stems[i:i + n] if n > 1 and (s,) in table]
                i += n
                break
        else:
            if raw[i].lower() not in STOPWORDS and not raw[i].isdigit():
                missing.append(raw[i])
            i += 1
    found += [m for m in _chinese_words(text)]  # Chinese typed into a foreign demand counts as is
    return list(dict.fromkeys(found)), missing


def _chinese_words(text: str) -> list[str]:
    g = get()
    return g.zh_pattern.findall(text or "") if g.zh_pattern else []


def chinese_terms(text: str) -> list[str]:
    """The glossary words found in a Chinese text, longest first at each place (真丝围巾 → 真丝, 围巾)."""
    return list(dict.fromkeys(_chinese_words(text)))


def foreign_words(text: str, langs=("en",)) -> list[str]:
    """The foreign words of the glossary words in a Chinese text (indexed so English search finds it)."""
    g = get()
    out = []
    for zh in chinese_terms(text):
        for lang in langs:
            out += g.entries[zh].words.get(lang, [])
    return out


def categories_of(zh_words: list[str]) -> list[str]:
    """The category codes the glossary gives these Chinese words, most frequent first."""
    g = get()
    counts: dict[str, int] = {}
    for zh in zh_words:
        code = g.entries.get(zh, Entry(zh)).category
        if code:
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


@lru_cache(maxsize=4096)
def category_chain(category_id: int) -> tuple:
    """The category and its parent (cached: the table is small and rarely changes)."""
    from directory.models import Category

    c = Category.objects.select_related("parent").filter(pk=category_id).first()
    if c is None:
        return ()
    return (c, c.parent) if c.parent else (c,)
