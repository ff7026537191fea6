"""``xinqu worker``: run the jobs queued in the database (imports, large exports).

The queue is django-tasks-db's table in the application's own database, so SQLite and
PostgreSQL both serve and nothing else is installed. Run as many workers as the machine has cores
to spare: each claims a job under a row lock, so no job runs twice. Before it starts, a worker
marks failed the jobs whose process died mid-run (see ``xinqu.core.jobs.recover_interrupted``).
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from xinqu.core.jobs import recover_interrupted, this_process


class Command(DatabaseWorker):
    help = "Run queued jobs (imports, large exports) from the database queue."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = recover_interrupted()
        if recovered:
            self.stdout.write(
                f"Marked {recovered} interrupted job(s) failed; their files can be submitted again."
            )
        # A worker id that names the process, so the jobs it claimed can be traced to it.
        if not options.get("worker_id") or len(options["worker_id"]) == 32:
            options["worker_id"] = this_process()[:64]
        options.setdefault("reload", False)
        super().handle(*args, **options)
