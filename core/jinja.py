"""The Jinja2 environment for the few hot loops of the busiest pages (`{% jinja %}` in core.templatetags).

Pages stay Django templates. A list's rows, rendered 50 at a time on the pages most opened, are Jinja2
templates under `jinja2/`: Jinja2 compiles a template to Python, and the same rows cost about a third of
Django's template engine, which resolves every variable and filter node by node (docs/benchmarks.md).
Strings are translated by Django's own catalogues (`{{ _("…") }}`, found by `make messages`); the
filters are the ones the Django templates use, from core.templatetags.shanghui. A row template takes what its
rows share once (`record_urls`, `country_namer`, `choice_labels`): each lookup of the language or the script
prefix reads a context-local variable, a few microseconds, and there are 50 rows.
"""
from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext, ngettext

from core.countries import country_namer
from core.links import record_urls
from jinja2 import Environment


def choice_labels(model_label: str, field: str) -> dict:
    """{value: label} of a model field's choices in the active language, for the rows of one page."""
    choices = apps.get_model(model_label)._meta.get_field(field).choices
    return {value: str(label) for value, label in choices}


def environment(**options) -> Environment:
    """Jinja2 with Django's translations and Shanghui's display filters (settings.TEMPLATES)."""
    from core.templatetags import shanghui

    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters.update(region=shanghui.region, mask=shanghui.mask)
    # What the rows of a page share (the language, the script prefix), looked up once per page, not per row.
    env.globals.update(record_urls=record_urls, country_namer=country_namer, choice_labels=choice_labels)
    return env
