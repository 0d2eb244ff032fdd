"""The form renderer: Django's, with `<select>` and `<input>` written in Python.

Written by hand because Django renders every `<option>` through two template includes (the
option and its attributes): about 40–70 µs each, 10–25 ms for the 250 countries of a filter
form, half of a people list page at a million people. The markup is Django's own
(django/forms/widgets/select.html and select_option.html); widgets with another option
template are rendered by the templates as before. An `<input>` (text, number, date, hidden, file,
checkbox …) costs three template renders (its type's template, input.html, attrs.html): together
3.5 % of the load test's CPU, for markup that is one line (django/forms/widgets/input.html).
"""
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's widget templates that are exactly `{% include "django/forms/widgets/input.html" %}`.
INPUTS = frozenset(f"django/forms/widgets/{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search", "tel",
    "text", "time", "url"))


class FormRenderer(DjangoTemplates):
    """`FORM_RENDERER`: select and input widgets in Python, everything else through Django's templates."""

    def render(self, template_name, context, request=None):
        """The widget's HTML; a select whose options use Django's option template, or an input, built directly."""
        if template_name in INPUTS and "widget" in context:
            return render_input(context["widget"])
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(option["template_name"] == OPTION
                                      for _name, options, _index in widget["optgroups"] for option in options):
            return render_select(widget)
        return super().render(template_name, context, request)


def _as_template_text(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as %s, escaped unless it was marked safe."""
    text = str(value)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def render_input(widget: dict) -> str:
    """The same HTML as Django's input.html (with attrs.html) for a widget context."""
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_as_template_text(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is not False:
            parts.append(f" {conditional_escape(name)}" if value is True
                         else f' {conditional_escape(name)}="{_as_template_text(value)}"')
    parts.append(">")
    return mark_safe("".join(parts))


# Rendered selects by everything their HTML depends on: a filter form renders the same 250 countries on
# every page of a list, and writing them (format_html per option) cost 2–3 ms of a 16 ms page. Bounded in
# entries and in characters (a select of a thousand organizations is 60,000): the selects of the forms in
# use, in the languages, scopes and selections seen first.
_RENDERED: dict = {}
RENDERED_MAX = 512
RENDERED_MAX_CHARS = 4_000_000
_rendered_chars = 0


def render_select(widget: dict) -> str:
    """The same HTML as Django's select.html for a widget context (`Select.get_context()["widget"]`)."""
    global _rendered_chars
    try:
        key = (widget["name"], tuple(sorted(widget["attrs"].items())),
               tuple((group_name, tuple((str(option["value"]), str(option["label"]),
                                         tuple(sorted(option["attrs"].items()))) for option in options))
                     for group_name, options, _index in widget["optgroups"]))
        html = _RENDERED.get(key)
    except TypeError:  # an attribute whose value cannot be hashed: rendered each time
        return _render_select(widget)
    if html is None:
        html = _render_select(widget)
        if len(_RENDERED) < RENDERED_MAX and _rendered_chars + len(html) <= RENDERED_MAX_CHARS:
            _RENDERED[key] = html
            _rendered_chars += len(html)
    return html


def _render_select(widget: dict) -> str:
    parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(format_html('\n  <option value="{}"{}>{}</option>', str(option["value"]),
                                 flatatt(option["attrs"]), option["label"]) for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
