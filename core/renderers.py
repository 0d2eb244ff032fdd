"""The form renderer: Django's, with `<select>` written in Python.

Written by hand because Django renders every `<option>` through two template includes (the
option and its attributes): about 40–70 µs each, 10–25 ms for the 250 countries of a filter
form, half of a people list page at a million people. The markup is Django's own
(django/forms/widgets/select.html and select_option.html); widgets with another option
template are rendered by the templates as before.
"""
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """`FORM_RENDERER`: select widgets in Python, everything else through Django's templates."""

    def render(self, template_name, context, request=None):
        """The widget's HTML; a select whose options use Django's option template is built directly."""
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(option["template_name"] == OPTION
                                      for _name, options, _index in widget["optgroups"] for option in options):
            return render_select(widget)
        return super().render(template_name, context, request)


def render_select(widget: dict) -> str:
    """The same HTML as Django's select.html for a widget context (`Select.get_context()["widget"]`)."""
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
