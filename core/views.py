"""The home page (the counts of the user's scope) and the pages of background jobs."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import home as home_lib
from core import jobs as jobs_lib
from core.counts import scope_counts
from core.htmx import render_page
from registry.models import Category


@login_required
def home(request):
    """The home dashboard for the user's role (core.home): the scope's counts and its dashboards for
    everyone, "my work" panels for staff and administrators, the security panel for administrators.

    Large scopes are counted at most every few minutes (core.counts) and labelled "约".
    """
    user = request.user
    counts = scope_counts(user)
    by_category = counts["by_category"]
    context = {
        "counts": counts,
        "by_category": [(label, by_category.get(value, 0), value) for value, label in Category.choices],
        "by_country": counts["by_country"],
        "roots": home_lib.top_organizations(user),
        "role": home_lib.role_of(user),
        "panels": home_lib.work_panels(user),
        "security": home_lib.security_summary(user),
    }
    return render(request, "core/home.html", context)


@login_required
def job_list(request):
    """The user's background jobs, newest first."""
    jobs = jobs_lib.visible_jobs(request.user)[:100]
    return render(request, "core/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    """A job's progress bar (polled by htmx until it finishes) and its outcome."""
    job = jobs_lib.live(get_object_or_404(jobs_lib.visible_jobs(request.user), pk=pk))
    return render_page(request, "core/job_detail.html", {"job": job}, partial="status")


@login_required
@require_POST
def job_cancel(request, pk):
    """Ask a running or queued job to stop."""
    job = get_object_or_404(jobs_lib.visible_jobs(request.user), pk=pk)
    jobs_lib.cancel(job, by=request.user)
    return redirect("job-detail", pk)


@login_required
@require_POST
def job_retry(request, pk):
    """Run a failed or cancelled job again (jobs write all-or-nothing, so this resumes it)."""
    job = get_object_or_404(jobs_lib.visible_jobs(request.user), pk=pk)
    again = jobs_lib.retry(job, by=request.user)
    return redirect("job-detail", again.pk)


@login_required
def job_download(request, pk):
    """The job's output file (an export, or an annotated copy of an imported sheet)."""
    job = get_object_or_404(jobs_lib.visible_jobs(request.user), pk=pk)
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True,
                        filename=job.output_file.name.rsplit("/", 1)[-1])
