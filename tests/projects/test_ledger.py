"""The ledger record, its stages, monthly reports and the .xlsx import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.projects.helpers import TODAY, _months_ago, _project, _started
from xinqu.core.models import Department
from xinqu.projects import services
from xinqu.projects.models import (
    Milestone,
    MonthlyReport,
    Project,
)


def test_the_record_refuses_a_park_of_another_area_and_others_departments(clerk, places, econ, econ_staff):
    with pytest.raises(ValidationError, match="不属于北湖区"):
        services.project_save(
            actor=clerk, code="X", name="x", kind="industrial", area=places["other"], park=places["park"],
            total_investment=Decimal(1),
        )  # fmt: skip
    project = _project(clerk, places)
    with pytest.raises(ValidationError, match="已被使用"):
        _project(clerk, places)
    with pytest.raises(PermissionDenied):  # a department edits only its own projects
        services.project_save(actor=econ_staff, project=project, name="改名")
    with pytest.raises(PermissionDenied):  # and registers projects only for itself
        _project(econ_staff, places, code="XM-2", department=Department.objects.get(code="projects"))
    mine = _project(econ_staff, places, code="XM-3")
    assert mine.department == econ
    assert Project.objects.get(pk=project.pk).name == "项目XM-1"


def test_a_stage_cannot_skip_ahead_without_its_dates(clerk, places):
    project = _project(clerk, places)
    before = Project.objects.filter(pk=project.pk).values().get()
    with pytest.raises(ValidationError, match="签约、落地"):
        services.project_move(actor=clerk, project=project, stage="started", on=TODAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        # Today as the service reads it now (TODAY is read once, when the suite starts, and a run
        # may cross midnight in Beijing).
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        services.project_move(actor=clerk, project=project, stage="signed", on=tomorrow)
    assert Project.objects.filter(pk=project.pk).values().get() == before
    services.project_move(actor=clerk, project=project, stage="signed", on=TODAY - dt.timedelta(days=30))
    services.project_move(actor=clerk, project=project, stage="landed", on=TODAY - dt.timedelta(days=20))
    with pytest.raises(ValidationError, match="依次"):  # dates never run backwards
        services.project_move(actor=clerk, project=project, stage="started", on=TODAY - dt.timedelta(days=25))
    services.project_move(actor=clerk, project=project, stage="started", on=TODAY - dt.timedelta(days=10))
    assert Milestone.objects.get(project=project, kind="start").actual_on == TODAY - dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="原因"):
        services.project_move(actor=clerk, project=project, stage="suspended", on=TODAY)
    services.project_move(actor=clerk, project=project, stage="suspended", on=TODAY, reason="环评调整")
    services.project_move(actor=clerk, project=project, stage="building", on=TODAY)
    with pytest.raises(ValidationError, match="向前"):
        services.project_move(actor=clerk, project=project, stage="signed", on=TODAY)
    with pytest.raises(ValidationError, match="终止原因"):
        services.project_move(actor=clerk, project=project, stage="terminated", on=TODAY)
    services.project_move(actor=clerk, project=project, stage="terminated", on=TODAY, reason="企业战略调整")
    with pytest.raises(ValidationError):
        services.project_move(actor=clerk, project=project, stage="building", on=TODAY)
    assert Project.objects.get(pk=project.pk).termination_reason == "企业战略调整"


def test_monthly_reports_add_up_refuse_the_future_and_an_overrun(clerk, places):
    project = _started(clerk, places, total=1_000, months_ago=2)
    with pytest.raises(ValidationError, match="未来月份"):
        services.report_save(actor=clerk, project=project, month=_months_ago(-1), investment=Decimal(1))
    with pytest.raises(ValidationError, match="开工前"):
        services.report_save(actor=clerk, project=project, month=_months_ago(3), investment=Decimal(1))
    services.report_save(actor=clerk, project=project, month=_months_ago(0), investment=Decimal(300))
    services.report_save(actor=clerk, project=project, month=_months_ago(2), investment=Decimal(400))
    with pytest.raises(ValidationError, match="超过项目总投资"):
        services.report_save(actor=clerk, project=project, month=_months_ago(1), investment=Decimal(400))
    assert MonthlyReport.objects.filter(project=project).count() == 2
    services.report_save(
        actor=clerk, project=project, month=_months_ago(1), investment=Decimal(400), confirm_over_total=True
    )
    totals = list(
        MonthlyReport.objects.filter(project=project)
        .order_by("month")
        .values_list("investment_total", flat=True)
    )
    assert totals == [Decimal(400), Decimal(800), Decimal(1100)]  # an earlier month recounts the later ones
    with pytest.raises(ValidationError, match="类型不允许"):
        services.report_save(
            actor=clerk, project=project, month=_months_ago(0), investment=Decimal(300), confirm_over_total=True,
            photos=[SimpleUploadedFile("现场.jpg", b"not a picture", content_type="image/jpeg")],
        )  # fmt: skip


def test_ledger_and_reports_import_all_or_nothing(clerk, places, econ_staff, as_user):
    from openpyxl import Workbook

    from xinqu.core import jobs

    def book(headers, *rows):
        wb = Workbook()
        ws = wb.active
        ws.append(headers)
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        return io.BytesIO(buffer.getvalue())

    def run(kind, file, user=clerk):
        return jobs.run_importer(jobs.IMPORT_KINDS[kind], actor=user, file=file, dry_run=False)

    headers = [
        "项目编号",
        "项目名称",
        "项目类型",
        "功能区",
        "园区",
        "总投资（万元）",
        "计划开工日期",
        "责任部门",
    ]
    bad = run(
        "projects",
        book(headers, ["XM-A", "甲项目", "产业项目", "高新区", "长智光谷", "12,000", "2026-03-01", "重点项目服务中心"],
             ["XM-B", "乙项目", "产业项目", "北湖区", "长智光谷", "8000", "", ""],
             ["XM-C", "丙项目", "工厂", "高新区", "", "10000", "", ""]),
    )  # fmt: skip
    assert not bad.ok and not Project.objects.exists()
    reasons = {(e.row, e.column): e.reason for e in bad.errors}
    assert "不属于北湖区" in reasons[(3, "园区")] and "应为" in reasons[(4, "项目类型")]
    good = run(
        "projects",
        book(headers, ["XM-A", "甲项目", "产业项目", "高新区", "长智光谷", "12,000", "2026-03-01", "重点项目服务中心"],
             ["XM-C", "丙项目", "服务业项目", "gaoxin", "", "1亿元", "", ""]),
    )  # fmt: skip
    assert good.ok and good.created == 2
    assert Project.objects.get(code="XM-C").total_investment == Decimal(10_000)
    project = Project.objects.get(code="XM-A")
    for stage in ("signed", "landed", "started"):
        services.project_move(actor=clerk, project=project, stage=stage, on=_months_ago(2))
    report_headers = ["项目编号", "月份", "当月完成投资（万元）", "在岗人数", "形象进度", "确认超过总投资"]
    refused = run(
        "project_reports",
        book(report_headers, ["XM-A", f"{_months_ago(1):%Y-%m}", "500", 30, "基础施工", ""],
             ["XM-A", f"{_months_ago(-1):%Y-%m}", "500", 30, "", ""],
             ["XM-A", f"{_months_ago(0):%Y-%m}", "20000", 30, "", "否"],
             ["XM-Z", f"{_months_ago(0):%Y-%m}", "1", 1, "", ""]),
    )  # fmt: skip
    assert not refused.ok and not MonthlyReport.objects.exists()
    reasons = {e.row: e.reason for e in refused.errors}
    assert "未来月份" in reasons[3] and "超过项目总投资" in reasons[4] and "没有这个项目编号" in reasons[5]
    done = run(
        "project_reports",
        book(report_headers, ["XM-A", f"{_months_ago(1):%Y-%m}", "500", 30, "基础施工", ""],
             ["XM-A", f"{_months_ago(0):%Y-%m}", "12000", 30, "", "是"]),
    )  # fmt: skip
    assert done.ok and MonthlyReport.objects.filter(project=project).count() == 2
    # Another department may not write the centre's projects, even by import.
    assert not run(
        "projects", book(headers, ["XM-A", "改名", "产业项目", "高新区", "", "1", "", ""]), econ_staff
    ).ok
    exported = as_user(econ_staff).get("/projects/reports.xlsx")
    assert exported.status_code == 200
