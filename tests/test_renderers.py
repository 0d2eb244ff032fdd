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


class EveryInputForm(forms.Form):
    """One field of each widget Django draws with input.html, with attributes true, false, lazy and hostile."""

    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": translation.gettext_lazy(
        "搜索"), "autofocus": True, "disabled": False, "data-x": '"><script>alert(1)</script>'}))
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False)
    count = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"step": 1}))
    email = forms.EmailField(required=False)
    site = forms.URLField(required=False, assume_scheme="https")
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    hour = forms.TimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    token = forms.CharField(widget=forms.HiddenInput, initial="a&b<c>")
    agreed = forms.BooleanField(required=False)
    upload = forms.FileField(required=False, widget=forms.FileInput)
    colour = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "color"}))


def test_inputs_are_django_s_markup(monkeypatch):
    from django.utils.safestring import mark_safe

    drawn = []
    monkeypatch.setattr(renderers, "render_input", lambda widget, _draw=renderers.render_input: (
        drawn.append(widget["name"]), _draw(widget))[1])

    for data in (None, {"name": 'Wang "小明" <b>&', "amount": "12.50", "count": "3", "email": "a@b.cn",
                        "site": "https://x.cn/?a=1&b=2", "day": "2026-12-07", "moment": "2026-12-07 10:00",
                        "hour": "09:30", "secret": "p<w>", "token": "t&1", "agreed": "on"},
                 {"name": mark_safe("<i>safe</i>"), "agreed": ""}):
        for language in ("zh-hans", "en"):
            with translation.override(language):
                ours = EveryInputForm(data, renderer=renderers.FormRenderer())
                django = EveryInputForm(data, renderer=DjangoTemplates())
                for name in EveryInputForm.base_fields:
                    assert str(ours[name]) == str(django[name]), name
    assert set(drawn) == set(EveryInputForm.base_fields)  # every one of them written in Python
    html = str(EveryInputForm({"name": "<x>"}, renderer=renderers.FormRenderer())["name"])
    assert 'value="&lt;x&gt;"' in html and "<script>" not in html and " autofocus" in html \
        and "disabled" not in html
