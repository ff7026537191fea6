"""Running .xlsx imports as jobs, so a long import shows its progress instead of a frozen page.

A job runs in a background thread of the web process (no broker needed). Its progress goes to
the cache, not the database, because the import's own transaction is still open while it runs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.imports import Column, ImportReport
from xinqu.core.models import ImportJob, User

log = logging.getLogger(__name__)
Importer = Callable[..., ImportReport]


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    importer: Importer
    columns: list[Column]
    back_url: str


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.key] = kind


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
    if ImportJob.objects.filter(stored_name=job.stored_name, dry_run=False).exists():
        raise ValidationError(_("这个文件已经确认导入过了。"))
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
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True, name=f"import-{job.pk}").start()
    else:
        run_import_job(job.pk)


def _run_in_thread(job_id: int) -> None:
    try:
        run_import_job(job_id)
    finally:
        connection.close()


def run_import_job(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
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
