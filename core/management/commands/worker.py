"""`manage.py worker`: django-tasks' database worker that outlives a database restart.

django_tasks_db's `db_worker` exits on the first OperationalError that is not a lock (the
database restarting, the network dropping): a deployment would need a supervisor to bring it
back. This one logs, closes its connections and tries again every few seconds, so Shanghui
recovers by itself; the job that was running is marked failed (core.jobs) and can be run again.
"""
import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger("shanghui.worker")
RETRY_SECONDS = 3


class ResilientWorker(Worker):
    """A worker whose loop survives a lost database connection."""

    def run(self) -> None:
        """Run the worker's loop; when the database goes away, wait and start the loop again."""
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    raise
                log.warning("database unavailable (%s); retrying in %s s", error, RETRY_SECONDS)
                connections.close_all()
                time.sleep(RETRY_SECONDS)


class Command(DbWorkerCommand):
    """The database worker of `make run`, restarted in-process after database faults."""

    help = "后台任务进程：运行导入、导出等任务；数据库重启后自动恢复。"

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
