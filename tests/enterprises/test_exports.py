"""A large export is built on the worker; its page shows the state, then the file, to its owner only."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories
from xinqu.core import jobs
from xinqu.core.models import AuditEntry, ExportJob

pytestmark = pytest.mark.django_db


def _work(monkeypatch):
    # See test_import_jobs: the worker would close PostgreSQL's test connection between tasks.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_registry_export_is_built_on_the_worker_and_downloaded(
    as_user, econ, econ_staff, invest_staff, settings, monkeypatch
):
    settings.IMPORTS_IN_BACKGROUND = True
    factories.enterprise(econ, name="导出甲公司")
    factories.enterprise(econ, name="导出乙公司", confidential=True)
    client = as_user(invest_staff)
    response = client.get("/enterprises/export.xlsx", {"q": "导出"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert 'hx-trigger="every 1s"' in client.get(f"/exports/{job.pk}/").content.decode()
    assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404  # not built yet
    _work(monkeypatch)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'id="download-export"' in page
    sheet = load_workbook(io.BytesIO(client.get(f"/exports/{job.pk}/file.xlsx").content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["导出甲公司"]  # the confidential one is another department's
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_username, entry.object_type) == ("invest-staff", "enterprises.Enterprise")
    assert as_user(econ_staff).get(f"/exports/{job.pk}/").status_code == 404  # someone else's export


def test_an_export_whose_process_died_is_failed_with_its_reason(as_user, econ_staff, monkeypatch):
    import subprocess

    process = subprocess.Popen(["true"])
    process.wait()
    job = ExportJob.objects.create(
        kind="enterprises",
        actor=econ_staff,
        status=ExportJob.Status.RUNNING,
        worker=f"{socket.gethostname()}:{process.pid}",
        started_at=timezone.now(),
    )
    page = as_user(econ_staff).get(f"/exports/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "服务中断" in page
    assert jobs.recover_interrupted() == 0
