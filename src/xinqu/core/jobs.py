"""Running .xlsx imports as jobs, so a long import shows its progress instead of a frozen page.

A job is a task on django-tasks' database backend: the queue is a table, and ``xinqu worker``
runs it (tests and ``XINQU_IMPORTS_IN_BACKGROUND=0`` run it in the request). Its progress goes to
the cache, not the database, because the import's own transaction is still open while it runs.

A job records the process that runs it (host and pid). When that process dies mid-import (a
killed server, a machine rebooted), :func:`recover_interrupted` marks the job failed with the
reason, its transaction having rolled back, and the same file can be confirmed again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_tasks import task

from xinqu.core.audit import audit_record
from xinqu.core.imports import Column, ImportReport
from xinqu.core.models import AuditEntry, ExportJob, ImportJob, JobStatus, User

log = logging.getLogger(__name__)
Importer = Callable[..., ImportReport]


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str | Promise
    importer: Importer
    columns: list[Column]
    back_url: str


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.key] = kind


@dataclass(frozen=True)
class ExportKind:
    """An export large enough to build on the worker. ``build(actor, params)`` gives the file's
    bytes for what ``actor`` may see; ``params`` are the page's filters (JSON-ready)."""

    key: str
    label: str | Promise
    build: Callable[[User, dict[str, Any]], bytes]
    filename: str  # e.g. "enterprises.xlsx"
    object_type: str  # what the audit entry names
    back_url: str


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> None:
    EXPORT_KINDS[kind.key] = kind


# Modules' own job models ("app.Model"), which recovery checks beside imports and exports.
JOB_MODELS: list[str] = []


def register_job_model(label: str) -> None:
    if label not in JOB_MODELS:
        JOB_MODELS.append(label)


def _path(job: ImportJob) -> Path:
    return Path(settings.IMPORT_DIR) / job.stored_name


def _progress_key(job_id: int) -> str:
    return f"xinqu-import-progress-{job_id}"


def import_progress(job: ImportJob) -> int:
    return int(cache.get(_progress_key(job.pk), 0))


def import_job_start(
    *, actor: User, kind: str, upload: UploadedFile, options: dict[str, Any] | None = None
) -> ImportJob:
    """Keep the uploaded file and start its dry run. ``options`` (JSON-ready) go to the importer."""
    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": _("未知的导入内容。")})
    name = upload.name or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 .xlsx 文件（Excel 工作簿）。")})
    Path(settings.IMPORT_DIR).mkdir(parents=True, exist_ok=True)
    job = ImportJob(
        kind=kind,
        dry_run=True,
        original_name=name[:200],
        stored_name=f"{uuid.uuid4().hex}.xlsx",
        actor=actor,
        options=options or {},
    )
    with _path(job).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.save()
    _launch(job)
    return job


def import_job_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """Commit a file whose dry run came back clean. Only the person who uploaded it may."""
    if job.actor_id != actor.pk:
        raise PermissionDenied(_("只能确认自己上传的导入。"))
    if not (job.dry_run and job.status == ImportJob.Status.DONE and job.report.get("ok")):
        raise ValidationError(_("只有试导入无误的文件才能确认导入。"))
    recover_interrupted()
    earlier = ImportJob.objects.filter(stored_name=job.stored_name, dry_run=False).exclude(
        status=ImportJob.Status.FAILED
    )
    if earlier.filter(status=ImportJob.Status.DONE).exists():
        raise ValidationError(_("这个文件已经确认导入过了。"))
    if earlier.exists():
        raise ValidationError(_("这个文件正在导入，请等待完成。"))
    commit = ImportJob.objects.create(
        kind=job.kind,
        dry_run=False,
        original_name=job.original_name,
        stored_name=job.stored_name,
        actor=actor,
        options=job.options,
    )
    _launch(commit)
    return commit


def _launch(job: ImportJob) -> None:
    if settings.IMPORTS_IN_BACKGROUND:
        import_task.enqueue(job.pk)
    else:
        run_import_job(job.pk)


def this_process() -> str:
    """Who runs a job: host and process id, so a dead process can be told from a busy one."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def _process_alive(worker: str) -> bool | None:
    """True or False for a process on this host; None when it ran elsewhere (cannot tell)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(*, now: dt.datetime | None = None) -> int:
    """Mark failed every job whose process died while it ran, or that has run longer than
    XINQU_JOB_TIMEOUT_MINUTES. Its import's transaction rolled back with the process, so nothing
    was written; the user sees why and may submit the file again. Returns how many."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.JOB_TIMEOUT_MINUTES)
    failed = 0
    running: list[Any] = [
        *ImportJob.objects.filter(status=ImportJob.Status.RUNNING),
        *ExportJob.objects.filter(status=ExportJob.Status.RUNNING),
    ]
    for label in JOB_MODELS:
        running += apps.get_model(label)._default_manager.filter(status=JobStatus.RUNNING)
    for job in running:
        alive = _process_alive(job.worker)
        if alive is False:
            reason = _("处理过程中服务中断（处理进程已退出），未写入任何数据，请重新提交。")
        elif job.started_at is not None and job.started_at < limit:
            reason = _("处理超时（超过 %(n)d 分钟），未写入任何数据，请重新提交。") % {
                "n": settings.JOB_TIMEOUT_MINUTES
            }
        else:
            continue
        failed += (
            type(job)
            ._default_manager.filter(pk=job.pk, status=ImportJob.Status.RUNNING)
            .update(status=ImportJob.Status.FAILED, failure=reason[:300], finished_at=now)
        )
        log.warning("import job %s marked failed: %s", job.pk, reason)
    return failed


def claim(job: Any) -> None:
    """Mark ``job`` running in this process, committed at once, so recovery can find it."""
    job.status, job.worker, job.started_at = JobStatus.RUNNING, this_process(), timezone.now()
    type(job)._default_manager.filter(pk=job.pk).update(
        status=job.status, worker=job.worker, started_at=job.started_at
    )


def run_import_job(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    claim(job)
    kind = IMPORT_KINDS[job.kind]
    try:
        with _path(job).open("rb") as file:
            report = run_importer(
                kind, actor=job.actor, file=file, dry_run=job.dry_run, job_id=job.pk, options=job.options
            )
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        job.status, job.failure = ImportJob.Status.FAILED, str(exc)[:300]
    else:
        job.status, job.report = ImportJob.Status.DONE, report.to_dict()
        if report.committed:
            _path(job).unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "failure", "finished_at"])
    return job


@task()
def import_task(job_id: int) -> str:
    """The worker's side of an import job: run it, and say how it ended."""
    return str(run_import_job(job_id).status)


def run_importer(
    kind: ImportKind,
    *,
    actor: User,
    file: IO[bytes],
    dry_run: bool,
    job_id: int | None = None,
    options: dict[str, Any] | None = None,
) -> ImportReport:
    def progress(rows: int) -> None:
        if job_id is not None:
            cache.set(_progress_key(job_id), rows, 3600)

    result: ImportReport = kind.importer(
        actor=actor, file=file, dry_run=dry_run, progress=progress, **(options or {})
    )
    return result


# --- exports --------------------------------------------------------------------------------------


def _export_path(job: ExportJob) -> Path:
    return Path(settings.EXPORT_DIR) / job.stored_name


def export_path(job: ExportJob) -> Path:
    """Where a finished export's file lies."""
    return _export_path(job)


def export_job_start(*, actor: User, kind: str, params: dict[str, Any]) -> ExportJob:
    """Queue an export of what ``actor`` may see; the worker builds it (tests build it now)."""
    if kind not in EXPORT_KINDS:
        raise ValidationError({"kind": _("未知的导出内容。")})
    job = ExportJob.objects.create(
        kind=kind, params=params, actor=actor, filename=EXPORT_KINDS[kind].filename
    )
    if settings.IMPORTS_IN_BACKGROUND:
        export_task.enqueue(job.pk)
    else:
        run_export_job(job.pk)
    return job


def run_export_job(job_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("actor").get(pk=job_id)
    claim(job)
    kind = EXPORT_KINDS[job.kind]
    try:
        content = kind.build(job.actor, job.params)
        job.stored_name = f"{uuid.uuid4().hex}.xlsx"
        Path(settings.EXPORT_DIR).mkdir(parents=True, exist_ok=True)
        _export_path(job).write_bytes(content)
    except Exception as exc:
        log.exception("export job %s failed", job.pk)
        job.status, job.failure = ExportJob.Status.FAILED, str(exc)[:300]
    else:
        job.status = ExportJob.Status.DONE
        audit_record(
            actor=job.actor,
            action=AuditEntry.Action.EXPORT,
            object_type=kind.object_type,
            detail=job.filename[:300],
        )
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "stored_name", "failure", "finished_at"])
    return job


@task()
def export_task(job_id: int) -> str:
    """The worker's side of an export job."""
    return str(run_export_job(job_id).status)
