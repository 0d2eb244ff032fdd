"""`manage.py jobs recover|retry ID|list`: background jobs from the command line (cron runs `recover`)."""
import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core import jobs
from core.models import Job


class Command(BaseCommand):
    """Mark jobs whose worker died as failed, run a failed job again, or list recent jobs."""

    help = "后台任务：recover 标记进程中断的任务为失败；retry ID 重新运行；list 列出最近的任务。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["recover", "retry", "list"])
        parser.add_argument("job_id", nargs="?", type=int)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, job_id, format, **options):
        if action == "recover":
            out = {"failed": jobs.recover_stale()}
        elif action == "retry":
            if job_id is None:
                raise CommandError("retry 需要任务编号 / retry needs a job id")
            job = Job.objects.filter(pk=job_id).first()
            if job is None:
                raise CommandError(f"任务 {job_id} 不存在 / job {job_id} does not exist")
            try:
                # The operator of the machine is trusted; the job runs again as the user who started it.
                again = jobs.retry(job, by=job.created_by)
            except PermissionDenied as e:
                raise CommandError(str(e)) from None
            out = {"job": again.pk, "retry_of": job.pk}
        else:
            out = {"jobs": [{"id": j.pk, "kind": j.kind, "status": j.status, "title": j.title, "error": j.error}
                            for j in Job.objects.order_by("-created_at")[:50]]}
        if format == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            for key, value in out.items():
                self.stdout.write(f"{key}: {value}")
