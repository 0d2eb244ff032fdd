"""A tiny htmx helper: render only the named partial for htmx requests (NetBox's utilities/htmx)."""
from django.shortcuts import render


def render_page(request, template: str, context: dict, partial: str | None = None, **kwargs):
    """Render the whole page, or only `template#partial` when htmx asks for it."""
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, f"{template}#{partial}", context, **kwargs)
    return render(request, template, context, **kwargs)
