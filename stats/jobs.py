"""Background job: refresh the dashboard snapshots of a subtree's upper organizations."""
from core.jobs import JobContext, handler
from core.models import Job
from orgs.models import Organization

SNAPSHOT_DEPTH = 3  # province, city and county levels carry the heavy dashboards


def snapshot_orgs(root=None, depth: int = SNAPSHOT_DEPTH):
    """The organizations whose dashboards are pre-computed: the upper levels of the tree (or of `root`)."""
    qs = Organization.objects.exclude(status="dissolved")
    if root is not None:
        qs = qs.filter(path__startswith=root.path, depth__lt=root.depth + depth)
    else:
        qs = qs.filter(depth__lte=depth)
    return list(qs)


@handler("stats.snapshots")
def _refresh(job: Job, ctx: JobContext) -> dict:
    """Recompute the snapshots of the year for the job's organization (or the whole tree)."""
    from stats.services import refresh_snapshots

    root = Organization.objects.filter(code=job.params.get("org")).first() if job.params.get("org") else None
    orgs = snapshot_orgs(root)
    ctx.progress(0, len(orgs), force=True)
    n = refresh_snapshots(by=job.created_by, orgs=orgs, year=job.params["year"], progress=lambda d: ctx.progress(d))
    return {"organizations": n}
