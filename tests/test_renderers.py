"""Selects written in Python (core.renderers) give Django's own markup, and their memo never mixes selections."""
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from core import renderers
from core.countries import country_choices


class PlaceForm(forms.Form):
    """A country as in the people filter, and a grouped select."""

    country = forms.ChoiceField(choices=country_choices, required=False)
    kind = forms.ChoiceField(choices=[("华侨", [("overseas", "华侨"), ("returned", "归侨")]),
                                      ("其他", [("relative", "侨眷 <亲属> & “家人”")])])


def _lines(html: str) -> str:
    """The markup line by line, without the blank lines Django's templates leave between options."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


def _both(data=None):
    """The form's selects through our renderer and through Django's templates."""
    ours = PlaceForm(data, renderer=renderers.FormRenderer())
    django = PlaceForm(data, renderer=DjangoTemplates())
    return ([_lines(str(ours[name])) for name in ("country", "kind")],
            [_lines(str(django[name])) for name in ("country", "kind")])


def test_selects_are_django_s_markup_first_and_from_the_memo():
    renderers._RENDERED.clear()
    for data in (None, {"country": "IT", "kind": "relative"}, {"country": "CN", "kind": "overseas"}):
        first, expected = _both(data)
        again, _ = _both(data)
        assert first == expected and again == expected
    assert len(renderers._RENDERED) == 6
    italy = _both({"country": "IT"})[0][0]
    assert '<option value="IT" selected>' in italy and '<option value="CN" selected>' not in italy


def test_the_memo_keeps_languages_apart():
    with translation.override("en"):
        english = _both()[0][0]
    with translation.override("zh-hans"):
        chinese = _both()[0][0]
    assert ">Italy</option>" in english and ">意大利</option>" in chinese


def test_the_memo_is_bounded(monkeypatch):
    renderers._RENDERED.clear()
    monkeypatch.setattr(renderers, "RENDERED_MAX", 2)
    for code in ("IT", "CN", "FR", "ES"):
        assert f'<option value="{code}" selected>' in _both({"country": code})[0][0]
    assert len(renderers._RENDERED) == 2

    renderers._RENDERED.clear()
    monkeypatch.setattr(renderers, "RENDERED_MAX", 512)
    monkeypatch.setattr(renderers, "_rendered_chars", 0)
    monkeypatch.setattr(renderers, "RENDERED_MAX_CHARS", 1000)  # a country select is longer
    assert '<option value="DE" selected>' in _both({"country": "DE", "kind": "relative"})[0][0]
    assert len(renderers._RENDERED) == 1  # the small grouped select only
