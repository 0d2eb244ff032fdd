"""The background run of a large programme: the worker solves it and reports progress on the job."""
from django.urls import reverse

from core import jobs
from pairing.models import Run


@jobs.handler("pairing.run")
def run_in_background(job, ctx) -> dict:
    """Score the candidates (progress per chunk of beneficiaries), solve, and save the run."""
    from pairing import services

    run = Run.objects.select_related("program", "created_by").get(pk=job.params["run"])
    run = services.execute_run(run, progress=lambda done, total: ctx.progress(done, total))
    return {"run": run.pk, "status": run.status, "objective": run.objective, "pairs": run.pairs,
            "url": reverse("pairing:run-detail", args=[run.pk])}
