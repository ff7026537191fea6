"""The ledger's and the reports' exports: built on the worker when exports run in the background,
with the page's filters, audited; the same files in the request otherwise."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.projects.helpers import THIS_MONTH, _project, _started
from xinqu.core.models import AuditEntry, ExportJob
from xinqu.projects import services


def _work(monkeypatch):
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def _sheet(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("background", [True, False])
def test_the_ledger_export_keeps_the_filters_on_the_worker_or_in_the_request(
    clerk, places, as_user, settings, monkeypatch, background
):
    settings.IMPORTS_IN_BACKGROUND = background
    _project(clerk, places, code="XM-A", kind="industrial")
    _project(clerk, places, code="XM-B", kind="social")
    client = as_user(clerk)
    response = client.get("/projects/?format=xlsx&kind=industrial")
    if background:
        job = ExportJob.objects.get()
        assert response["Location"] == f"/exports/{job.pk}/" and job.params == {"kind": "industrial"}
        assert client.get(f"/exports/{job.pk}/file.xlsx").status_code == 404  # not built yet
        _work(monkeypatch)
        response = client.get(f"/exports/{job.pk}/file.xlsx")
    assert response.status_code == 200
    assert [row[0] for row in _sheet(response.content)] == ["XM-A"]
    assert AuditEntry.objects.filter(action="export", actor_username=clerk.username).count() == 1


def test_the_reports_export_runs_on_the_worker(clerk, places, as_user, settings, monkeypatch):
    settings.IMPORTS_IN_BACKGROUND = True
    project = _started(clerk, places, code="XM-R", months_ago=1)
    services.report_save(actor=clerk, project=project, month=THIS_MONTH, investment=Decimal(120))
    client = as_user(clerk)
    response = client.get(f"/projects/reports.xlsx?month={THIS_MONTH:%Y-%m}")
    job = ExportJob.objects.get(kind="project_reports")
    _work(monkeypatch)
    rows = _sheet(client.get(f"/exports/{job.pk}/file.xlsx").content)
    assert response.status_code == 302 and [(r[0], r[2]) for r in rows] == [("XM-R", 120)]
