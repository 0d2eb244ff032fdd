"""The import as a background job: `jobs.start("import", params={"kind", "org", "mode", "filename"}, input_file=…)`."""
from __future__ import annotations

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core import jobs, uploads
from core.importing import sheets
from core.importing.pipeline import run_import
from core.models import Job

MODES = ("all", "valid_only", "dry_run")


def start_import(*, by, kind: str, upload, org=None, mode: str = "all") -> Job:
    """Queue an import of an uploaded sheet; the worker runs it and keeps the outcome on the job."""
    if mode not in MODES:
        raise ValueError(mode)
    uploads.check(upload, "sheet")
    name = Path(getattr(upload, "name", "upload.xlsx")).name
    title = _("导入%(kind)s：%(file)s") % {"kind": sheets.get(kind).title, "file": name}
    if mode == "dry_run":
        title += _("（试导入）")
    params = {"kind": kind, "org": org.code if org else None, "mode": mode, "filename": name}
    return jobs.start("import", by=by, title=title, params=params, input_file=upload)


@jobs.handler("import")
def import_job(job: Job, ctx: jobs.JobContext) -> dict:
    """Run the pipeline on the job's file; a rejected-rows report becomes the job's annotated output file."""
    from orgs.models import Organization

    params = job.params
    org = Organization.objects.get(code=params["org"]) if params.get("org") else None
    mode = params.get("mode", "all")
    path = job.input_file.path
    filename = params.get("filename") or job.input_file.name

    def progress(done, total=None, final=False):
        ctx.progress(done, total, force=final)

    try:
        report = run_import(params["kind"], path, by=job.created_by, org=org, dry_run=mode == "dry_run",
                            valid_only=mode == "valid_only", progress=progress, filename=filename)
    except ValidationError as e:
        # A sheet that cannot be read at all (no header, a required column missing): the job page says why.
        raise ValueError(" ".join(e.messages)) from e
    if report.rejected:
        buffer = io.BytesIO()
        from core.importing.workbooks import write_annotated  # openpyxl only when a workbook is written
        write_annotated(path, filename, report, buffer)
        stem = Path(filename).stem
        job.output_file.save(f"{stem}-标注.xlsx", ContentFile(buffer.getvalue()), save=False)
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    result = report.as_dict()
    result["dry_run"] = report.dry_run
    result["written"] = report.written
    return result
