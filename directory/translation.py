"""Pluggable translation: `get_translator()` returns the class named by DIRECTORY_TRANSLATOR.

The default translates word by word with the trade glossary and says what it could not
translate, so a listing never pretends to be translated. An adapter for a machine-translation
service subclasses `Translator` and is named in the setting; nothing else changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from directory import glossary

DEFAULT = "directory.translation.GlossaryTranslator"
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass
class Translation:
    """A translated text; `missing` lists the parts left untranslated (`complete` when none)."""

    text: str
    source: str
    target: str
    missing: list[str] = field(default_factory=list)
    engine: str = "glossary"

    @property
    def complete(self) -> bool:
        """Whether every part was translated."""
        return not self.missing


class Translator:
    """What an adapter implements."""

    engine = "none"

    def translate(self, text: str, source: str, target: str) -> Translation:
        """Translate `text` from `source` to `target` (language codes such as zh, en, es)."""
        raise NotImplementedError


class GlossaryTranslator(Translator):
    """Word by word through the trade glossary; untranslated parts are kept and listed in `missing`."""

    engine = "glossary"

    def translate(self, text: str, source: str, target: str) -> Translation:
        """Chinese → foreign replaces glossary words; foreign → Chinese joins the words it knows."""
        if source == target or not text:
            return Translation(text, source, target, engine=self.engine)
        if source == "zh":
            return self._from_chinese(text, target)
        if target == "zh":
            found, missing = glossary.to_chinese(text, source, components=False)
            return Translation("".join(found), source, target, missing, self.engine)
        # Between two foreign languages: through Chinese.
        middle = self.translate(text, source, "zh")
        out = self._from_chinese(middle.text, target)
        out.missing = middle.missing + out.missing
        return out

    def _from_chinese(self, text: str, target: str) -> Translation:
        g = glossary.get()
        missing = []

        def word(match):
            zh = match.group(0)
            alternatives = g.entries[zh].words.get(target) or []
            if alternatives:
                return f" {alternatives[0]} "
            missing.append(zh)
            return zh

        out = g.zh_pattern.sub(word, text) if g.zh_pattern else text
        missing += [run for run in _CJK_RUN.findall(out) if run not in missing]
        return Translation(re.sub(r"\s+", " ", out).strip(), "zh", target, list(dict.fromkeys(missing)), self.engine)


@lru_cache(maxsize=4)
def _load(path: str) -> Translator:
    return import_string(path)()


def get_translator() -> Translator:
    """The configured translator (DIRECTORY_TRANSLATOR, default the glossary)."""
    return _load(getattr(settings, "DIRECTORY_TRANSLATOR", DEFAULT))
