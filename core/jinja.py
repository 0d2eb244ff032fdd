"""The Jinja2 environment for the few hot loops of the busiest pages (`{% jinja %}` in core.templatetags).

Pages stay Django templates. A list's rows, rendered 50 at a time on the pages most opened, are Jinja2
templates under `jinja2/`: Jinja2 compiles a template to Python, and the same rows cost about a third of
Django's template engine, which resolves every variable and filter node by node (docs/benchmarks.md).
Strings are translated by Django's own catalogues (`{{ _("…") }}`, found by `make messages`); the
filters are the ones the Django templates use, from core.templatetags.shanghui.
"""
from __future__ import annotations

from django.utils.translation import gettext, ngettext

from jinja2 import Environment


def environment(**options) -> Environment:
    """Jinja2 with Django's translations and Shanghui's display filters (settings.TEMPLATES)."""
    from core.templatetags import shanghui

    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters.update(country=shanghui.country, region=shanghui.region, mask=shanghui.mask,
                       record_url=shanghui.record_url)
    return env
