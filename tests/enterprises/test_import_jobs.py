"""Imports run as jobs on the worker; a job whose process died is failed with its reason and the
same file can be confirmed again."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.enterprises.conftest import row, xlsx
from xinqu.core import jobs
from xinqu.core.models import ImportJob
from xinqu.enterprises.models import Enterprise


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _keep_test_connection(monkeypatch):
    # The worker closes connections outside autocommit between tasks; inside the test's
    # transaction that would close PostgreSQL's test connection (SQLite's in-memory one survives).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)


def _running(actor, name: str, *, worker: str, started_at: dt.datetime) -> ImportJob:
    """A job left running by ``worker`` since ``started_at``."""
    return ImportJob.objects.create(
        kind="enterprises",
        original_name=f"{name}.xlsx",
        stored_name=f"{name}.xlsx",
        actor=actor,
        status=ImportJob.Status.RUNNING,
        worker=worker,
        started_at=started_at,
    )


def _upload(client, codes, n=3):
    file = SimpleUploadedFile(
        "企业名录.xlsx", xlsx([row(c, f"公司{i}") for i, c in enumerate(codes(n))]).getvalue()
    )
    client.post("/enterprises/import/", {"kind": "enterprises", "file": file})
    return ImportJob.objects.get(dry_run=True)


def _crash(commit: ImportJob, worker: str, content: bytes) -> None:
    """What a server killed mid-import leaves behind: the job running, its file kept, nothing
    written (its transaction rolled back with the process)."""
    jobs._path(commit).write_bytes(content)
    ImportJob.objects.filter(pk=commit.pk).update(
        status=ImportJob.Status.RUNNING, worker=worker, started_at=timezone.now(), report={}
    )
    Enterprise.objects.all().delete()


@pytest.mark.django_db
def test_a_job_whose_process_died_is_failed_and_the_file_can_be_imported_again(
    as_user, econ_staff, parks, codes
):
    client = as_user(econ_staff)
    dry = _upload(client, codes)
    content = jobs._path(dry).read_bytes()
    client.post(f"/imports/{dry.pk}/confirm/")
    commit = ImportJob.objects.get(dry_run=False)
    _crash(commit, f"{socket.gethostname()}:{_dead_pid()}", content)
    page = client.get(f"/imports/{commit.pk}/").content.decode()
    commit.refresh_from_db()
    assert commit.status == "failed" and "服务中断" in commit.failure
    assert "服务中断" in page and 'id="retry-import"' in page
    response = client.post(f"/imports/{dry.pk}/confirm/")
    again = ImportJob.objects.filter(dry_run=False).exclude(pk=commit.pk).get()
    assert response["Location"] == f"/imports/{again.pk}/"
    assert again.status == "done" and Enterprise.objects.count() == 3


@pytest.mark.django_db
def test_a_job_running_in_a_live_process_is_left_alone_until_its_timeout(econ_staff, settings):
    job = _running(econ_staff, "x", worker=jobs.this_process(), started_at=timezone.now())
    assert jobs.recover_interrupted() == 0
    elsewhere = _running(
        econ_staff,
        "y",
        worker="another-host:123",
        started_at=timezone.now() - dt.timedelta(minutes=settings.JOB_TIMEOUT_MINUTES + 1),
    )
    assert jobs.recover_interrupted() == 1
    elsewhere.refresh_from_db()
    job.refresh_from_db()
    assert (job.status, elsewhere.status) == ("running", "failed")
    assert "超时" in elsewhere.failure


@pytest.mark.django_db
def test_the_worker_runs_a_queued_import(as_user, econ_staff, parks, codes, settings, monkeypatch):
    _keep_test_connection(monkeypatch)
    settings.IMPORTS_IN_BACKGROUND = True
    client = as_user(econ_staff)
    dry = _upload(client, codes, n=2)
    assert dry.status == "queued"
    assert 'hx-trigger="every 1s"' in client.get(f"/imports/{dry.pk}/").content.decode()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    dry.refresh_from_db()
    assert dry.status == "done" and dry.report["ok"] and dry.worker.startswith(socket.gethostname())
    client.post(f"/imports/{dry.pk}/confirm/")
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert ImportJob.objects.get(dry_run=False).status == "done"
    assert Enterprise.objects.count() == 2


@pytest.mark.django_db
def test_the_worker_fails_interrupted_jobs_when_it_starts(econ_staff, monkeypatch):
    _keep_test_connection(monkeypatch)
    job = _running(econ_staff, "x", worker=f"{socket.gethostname()}:{_dead_pid()}", started_at=timezone.now())
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "failed"
