"""Web pages of statistics: dashboards, the indicator table's export, the annual review, reporting up the tree."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can
from core import jobs as jobs_lib
from core.scoping import get_visible_or_404
from orgs.models import Organization
from stats import labels, services
from stats import review as review_lib
from stats.exporting import indicator_table
from stats.figures import (
    TREND_KEYS,
    TREND_YEARS,
    Freshness,
    figure,
    has_fresh_snapshots,
    has_snapshots,
    ranking,
    series,
    year_period,
)
from stats.forms import ReviewTemplateForm
from stats.indicators import REGISTRY, Scope, records_url

MAP_KEYS = {"world": "registry.people.by_country", "china": "registry.people.by_home_province"}
PIE_KEYS = ("registry.people.by_category", "registry.enterprises.by_industry", "orgs.organizations.by_kind")


def _org_and_year(request, code):
    """The organization asked for (default: the top of the user's scope) and the year."""
    if code:
        org = get_visible_or_404(Organization, request.user, code=code)
    else:
        org = _home_org(request.user)
        if org is None:
            raise Http404
    try:
        year = int(request.GET.get("year") or dt.date.today().year)
    except ValueError:
        year = dt.date.today().year
    return org, year


def _home_org(user):
    """The highest organization the user may view (the root of the first grant)."""
    if user.is_superuser:
        return Organization.objects.filter(depth=1).first()
    return Organization.objects.visible_to(user).order_by("depth", "path").first()


def _breakdown_items(key, result, scope):
    indicator = REGISTRY[key]
    value = result.value if isinstance(result.value, dict) else {}
    return [{"name": code, "label": labels.label(indicator, code), "value": float(n),
             "url": records_url(indicator, scope, code)} for code, n in value.items()]


def is_large(org) -> bool:
    """Whether the organization's subtree holds STATS_LIVE_LIMIT people or more (counted once an hour):
    its dashboard is then never computed within the request (18–40 s at two million people)."""
    from django.conf import settings
    from django.core.cache import cache

    from registry.models import Person

    limit = getattr(settings, "STATS_LIVE_LIMIT", 200_000)
    key = f"stats-large:{org.pk}:{limit}"
    large = cache.get(key)
    if large is None:
        large = Person.objects.filter(org__path__startswith=org.path)[:limit].count() >= limit
        cache.set(key, large, 3600)
    return large


def _refresh_in_background(request, org, year):
    """Start the organization's snapshot job unless one is already queued or running; the job."""
    from core.models import Job, JobStatus

    job = Job.objects.filter(kind="stats.snapshots", params={"org": org.code, "year": year},
                             status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
    return job or jobs_lib.start("stats.snapshots", by=request.user, title=_("刷新统计快照：%(o)s") % {"o": org},
                                 params={"org": org.code, "year": year})


@login_required
def dashboard(request, code=None):
    """An organization's dashboard: figures with year-over-year change, maps, trends, rankings.

    A large subtree without fresh snapshots is not computed in the request: the snapshot job starts,
    and the page shows the previous snapshots with their time, or sends the user to the job's page.
    """
    org, year = _org_and_year(request, code)
    user = request.user
    start, end = year_period(year)
    stale_ok = False
    if is_large(org) and not has_fresh_snapshots(org, start, end):
        job = _refresh_in_background(request, org, year)
        if not has_snapshots(org, start, end):
            messages.info(request, _("%(org)s 的数据量较大，统计正在后台计算，完成后请重新打开仪表板。") % {"org": org})
            # The job page shows its progress bar; a job another user started is not theirs to open.
            mine = jobs_lib.visible_jobs(user).filter(pk=job.pk).exists()
            return redirect("job-detail", job.pk) if mine else redirect("home")
        stale_ok = True
        messages.info(request, _("以下为上次计算的数字，正在后台重新计算。"))
    scope = Scope(user, org, start, end)
    results = {key: figure(key, user=user, org=org, start=start, end=end, stale_ok=stale_ok)
               for key in sorted(REGISTRY)}
    cards = [r for r in results.values() if not isinstance(r.value, dict)]
    years = list(range(year - TREND_YEARS + 1, year + 1))
    trend = {key: series(key, user=user, org=org, years=years, stale_ok=stale_ok) for key in TREND_KEYS}
    ranked = ranking("registry.people.count", user=user, org=org, start=start, end=end, stale_ok=stale_ok)
    chart_data = {
        "world": _breakdown_items(MAP_KEYS["world"], results[MAP_KEYS["world"]], scope),
        "china": _breakdown_items(MAP_KEYS["china"], results[MAP_KEYS["china"]], scope),
        "pies": [{"key": k, "title": results[k].title, "items": _breakdown_items(k, results[k], scope)}
                 for k in PIE_KEYS if k in results],
        "trend": {"years": years, "series": [
            {"key": k, "title": results[k].title, "points": trend[k]} for k in TREND_KEYS]},
        "ranking": [{"name": r["name"], "value": r["value"], "url": r["url"]} for r in ranked],
    }
    other_breakdowns = [r for k, r in results.items()
                        if isinstance(r.value, dict) and k not in MAP_KEYS.values() and k not in PIE_KEYS]
    return render(request, "stats/dashboard.html", {
        "section": "stats", "org": org, "year": year, "years": range(dt.date.today().year, 2014, -1),
        "cards": cards, "chart_data": chart_data, "ranked": ranked,
        "world": chart_data["world"], "china": chart_data["china"],
        "other_breakdowns": [(r, _breakdown_items(r.key, r, scope)) for r in other_breakdowns],
        "freshness": Freshness.of(results.values()),
        "may_change": can(user, "change", org),
    })


@login_required
def export_xlsx(request, code):
    """Every indicator of the organization's dashboard as an .xlsx table."""
    org, year = _org_and_year(request, code)
    start, end = year_period(year)
    results = [figure(key, user=request.user, org=org, start=start, end=end) for key in sorted(REGISTRY)]
    content = indicator_table(results, user=request.user, org=org, site=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="indicators-{org.code}-{year}.xlsx"'
    return response


@login_required
def review(request, code):
    """The annual review as a web page, or as PDF / .docx with ?format=."""
    org, year = _org_and_year(request, code)
    rendered = review_lib.render(org, year, user=request.user)
    fmt = request.GET.get("format")
    if fmt == "pdf":
        response = HttpResponse(review_lib.to_pdf(rendered), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="review-{org.code}-{year}.pdf"'
        return response
    if fmt == "docx":
        response = HttpResponse(
            review_lib.to_docx(rendered),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = f'attachment; filename="review-{org.code}-{year}.docx"'
        return response
    return render(request, "stats/review.html", {"section": "stats", "org": org, "year": year,
                                                 "review": rendered, "may_change": can(request.user, "change", org)})


@login_required
def review_edit(request, code):
    """Edit the organization's review template; 预览 shows it filled with this year's figures."""
    org, year = _org_and_year(request, code)
    if not can(request.user, "change", org):
        raise PermissionDenied
    title, body = review_lib.template_for(org)
    form = ReviewTemplateForm(request.POST or None, initial={"title": title, "body": body})
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = review_lib.render(org, year, user=request.user, title=form.cleaned_data["title"],
                                        body=form.cleaned_data["body"])
        else:
            try:
                services.save_template(by=request.user, org=org, **form.cleaned_data)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, _("模板已保存。"))
                return redirect("stats:review", code=org.code)
    return render(request, "stats/review_edit.html", {
        "section": "stats", "org": org, "year": year, "form": form, "preview": preview,
        "keys": sorted(REGISTRY.items()),
    })


@login_required
def reports(request, code):
    """Reporting up the tree: who under the organization has submitted, and its rolled-up figures."""
    org, _year = _org_and_year(request, code)
    period = request.GET.get("period") or str(dt.date.today().year)
    try:
        rows = services.status(by=request.user, org=org, period=period)
        figures = services.rollup(by=request.user, org=org, period=period)
    except ValidationError:
        raise Http404 from None
    own = next(iter(services_submission(org, period, request.user)), None)
    return render(request, "stats/reports.html", {
        "section": "stats", "org": org, "period": period, "rows": rows,
        "figures": [(REGISTRY[k], labels.number(v)) for k, v in figures.items()],
        "submitted": sum(1 for r in rows if r["submission"]), "own": own,
        "may_submit": org.depth > 1 and can(request.user, "change", org),
        "may_send_back": can(request.user, "change", org),
    })


def services_submission(org, period, user):
    """The organization's own submission for the period, if the user may see it."""
    from stats.models import Submission

    return Submission.objects.visible_to(user).filter(org=org, period=period)


@login_required
@require_POST
def submit(request, code):
    """Submit the organization's figures for the period to its parent."""
    org = get_visible_or_404(Organization, request.user, code=code)
    period = request.POST.get("period", "")
    try:
        services.submit(by=request.user, org=org, period=period, note=request.POST.get("note", ""))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已向上级报送 %(p)s 的数据。") % {"p": period})
    return redirect(f"{request.path.rsplit('/submit/', 1)[0]}/?period={period}")


@login_required
@require_POST
def send_back(request, code, pk):
    """Return a child's report with a reason; it stops rolling up until submitted again."""
    from stats.models import Submission

    org = get_visible_or_404(Organization, request.user, code=code)
    sub = get_visible_or_404(Submission.objects.filter(parent=org), request.user, pk=pk)
    try:
        services.send_back(by=request.user, submission=sub, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "；".join(getattr(e, "messages", [str(e)])))
    else:
        messages.success(request, _("已退回 %(org)s 的报送。") % {"org": sub.org})
    return redirect(f"{reverse('stats:reports', args=[code])}?period={sub.period}")


@login_required
@require_POST
def refresh(request, code):
    """Recompute the dashboard snapshots of the organization's upper levels in the background."""
    org = get_visible_or_404(Organization, request.user, code=code)
    year = int(request.POST.get("year") or dt.date.today().year)
    job = jobs_lib.start("stats.snapshots", by=request.user, title=_("刷新统计快照：%(o)s") % {"o": org},
                         params={"org": org.code, "year": year})
    return redirect("job-detail", job.pk)
