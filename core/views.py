"""The home page (the counts of the user's scope) and the pages of background jobs."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import jobs as jobs_lib
from core.htmx import render_page
from orgs.models import Organization
from registry.models import Category, Enterprise, Membership, Person


@login_required
def home(request):
    """Counts of organizations, people, enterprises and members inside the user's subtrees."""
    user = request.user
    people = Person.objects.visible_to(user).active()
    by_category = dict(people.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    context = {
        "counts": {
            "organizations": Organization.objects.visible_to(user).count(),
            "people": sum(by_category.values()),
            "enterprises": Enterprise.objects.visible_to(user).count(),
            "members": Membership.objects.visible_to(user).filter(left_on__isnull=True).count(),
        },
        "by_category": [(label, by_category.get(value, 0), value) for value, label in Category.choices],
        "by_country": list(
            people.exclude(country="").values_list("country").annotate(n=Count("id")).order_by("-n")[:8]
        ),
        "roots": _scope_roots(user),
    }
    return render(request, "core/home.html", context)


def _scope_roots(user):
    """The organizations at the top of the user's scope."""
    if user.is_superuser:
        return list(Organization.objects.filter(depth=1))
    return list(
        Organization.objects.filter(grants__user=user).distinct().order_by("path")
    )


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
def job_download(request, pk):
    """The job's output file (an export, or an annotated copy of an imported sheet)."""
    job = get_object_or_404(jobs_lib.visible_jobs(request.user), pk=pk)
    if not job.output_file:
        raise Http404
    return FileResponse(job.output_file.open("rb"), as_attachment=True,
                        filename=job.output_file.name.rsplit("/", 1)[-1])
