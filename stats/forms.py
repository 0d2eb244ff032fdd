"""Forms of the stats pages."""
from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewTemplateForm(forms.Form):
    """The annual-review template: a title and the body with {indicator} placeholders."""

    title = forms.CharField(label=_("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    body = forms.CharField(label=_("正文模板"),
                           widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 18}))
