"""The construction project ledger: records and their refusals, stages, monthly reports, lights,
statistics, the scheduling meeting, problems on the workflow engine."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinqu.core.models import Department, Notification, OrgUnit
from xinqu.core.roles import Role
from xinqu.projects import lights, selectors, services
from xinqu.projects.models import (
    LightChange,
    LightRule,
    Milestone,
    MonthlyReport,
    Problem,
    Project,
    ProjectYear,
)

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def centre(db):
    return Department.objects.create(code="projects", name="重点项目服务中心")


@pytest.fixture
def clerk(make_user, centre):
    return make_user("project-clerk", Role.STAFF, centre)


@pytest.fixture
def places(zone):
    area = OrgUnit.objects.get(code="gaoxin")
    park = OrgUnit.objects.get(code="optics")
    other = OrgUnit.objects.create(kind="area", code="beihu", name="北湖区", parent=zone)
    far = OrgUnit.objects.create(kind="park", code="jixing", name="吉兴产业园", parent=other)
    return {"area": area, "other": other, "park": park, "far": far}


def _project(clerk, places, code="XM-1", total=20_000, **extra):
    return services.project_save(
        actor=clerk,
        code=code,
        name=f"项目{code}",
        kind=extra.pop("kind", "industrial"),
        area=places["area"],
        park=places["park"],
        total_investment=Decimal(total),
        **extra,
    )


def _months_ago(n: int) -> dt.date:
    index = THIS_MONTH.year * 12 + THIS_MONTH.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


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
        services.project_move(actor=clerk, project=project, stage="signed", on=TODAY + dt.timedelta(days=1))
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


def _started(clerk, places, code="XM-1", total=20_000, months_ago=6, **extra):
    project = _project(clerk, places, code=code, total=total, **extra)
    start = _months_ago(months_ago)
    for stage, day in (("signed", start), ("landed", start), ("started", start)):
        services.project_move(actor=clerk, project=project, stage=stage, on=day)
    return Project.objects.get(pk=project.pk)


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


def test_lights_follow_the_rule_and_red_waits_for_catching_up(clerk, places):
    rule = lights.rule()
    assert (rule.yellow_pp, rule.red_pp, rule.late_start_months) == (Decimal(10), Decimal(30), 3)
    month = dt.date(TODAY.year, 6, 1) if TODAY.month >= 6 else dt.date(TODAY.year - 1, 6, 1)
    project = _project(clerk, places, total=100_000)
    start = month.replace(month=1)
    for stage in ("signed", "landed", "started"):
        services.project_move(actor=clerk, project=project, stage=stage, on=start)
    services.year_plan_save(actor=clerk, project=project, year=month.year, planned_investment=Decimal(1_200))

    # Six months elapsed (50 %): 45 % done is green, 30 % yellow, 10 % red (June's report alone).
    def june(amount: int) -> str:
        services.report_save(actor=clerk, project=project, month=month, investment=Decimal(amount))
        return Project.objects.get(pk=project.pk).light

    assert june(540) == "green"
    assert june(360) == "yellow"
    assert june(120) == "red"
    # Better, but still behind: stays red; caught up: yellow first, then green.
    assert june(540) == "red"
    assert june(600) == "yellow"
    assert june(600) == "green"
    changes = list(
        LightChange.objects.filter(project=project).order_by("at", "id").values_list("after", flat=True)
    )
    assert changes[-5:] == ["green", "yellow", "red", "yellow", "green"]
    assert "红灯转为黄灯" in LightChange.objects.get(project=project, before="red", after="yellow").reason
    # A rule change applies to every project (the page re-lights them all).
    LightRule.objects.update(yellow_pp=Decimal(0))
    assert june(590) == "yellow"


def test_a_project_not_started_months_after_its_planned_date_is_red(clerk, places):
    late = _project(clerk, places, code="XM-LATE", planned_start_on=_months_ago(4))
    assert Project.objects.get(pk=late.pk).light == "red"
    soon = _project(clerk, places, code="XM-SOON", planned_start_on=_months_ago(1))
    assert Project.objects.get(pk=soon.pk).light == ""
    assert "未开工" in LightChange.objects.get(project=late).reason


def test_bands_new_starts_and_registration(clerk, places):
    assert selectors.band_of(Decimal(100_000)) == "1b"
    assert selectors.band_of(Decimal(99_999)) == "100m"
    assert selectors.band_of(Decimal(5_000)) == "50m"
    assert selectors.band_of(Decimal(4_999)) == "small"
    project = _started(clerk, places, months_ago=3)
    assert selectors.registration_overdue(project)
    services.project_save(actor=clerk, project=project, registered_on=TODAY)
    assert selectors.registration_overdue(Project.objects.get(pk=project.pk))  # registered, but late
    services.project_save(
        actor=clerk, project=project, registered_on=project.started_on + dt.timedelta(days=20)
    )
    assert not selectors.registration_overdue(Project.objects.get(pk=project.pk))


def test_statistics_count_starts_resumptions_and_the_industrial_share(clerk, places):
    year = TODAY.year
    new = _started(clerk, places, code="N1", total=30_000, months_ago=min(TODAY.month - 1, 2))
    old = _project(clerk, places, code="C1", total=10_000, kind="social")
    day = dt.date(year - 1, 3, 1)
    for stage in ("signed", "landed", "started"):
        services.project_move(actor=clerk, project=old, stage=stage, on=day)
    _project(clerk, places, code="S1", total=800)  # small, never started
    for project in (new, old):
        services.year_plan_save(actor=clerk, project=project, year=year, planned_investment=Decimal(100))
    planned_only = _project(clerk, places, code="P1", total=9_000)
    services.year_plan_save(actor=clerk, project=planned_only, year=year, planned_investment=Decimal(50))
    result = selectors.statistics(year, "band", min_total=Decimal(5_000))
    assert (result.started_or_resumed, result.planned_to_start) == (2, 3)
    assert result.start_rate == Decimal("66.7")
    assert result.industrial_share == Decimal("75.0")  # 30,000 of 40,000
    assert [r.key for r in result.rows] == ["100m", "50m"]
    assert (result.total.new_starts, result.total.resumed) == (1, 1)
    assert selectors.statistics(year, "stage").total.projects == 4


def test_the_meeting_lists_what_is_behind_late_or_blocked(clerk, places, leader, econ, econ_staff, as_user):
    from docx import Document

    quiet = _started(clerk, places, code="Q", months_ago=1)
    late = _started(clerk, places, code="L", months_ago=1, leader=leader)
    services.milestone_save(
        actor=clerk, project=late, kind="topping", planned_on=TODAY - dt.timedelta(days=5), actual_on=None
    )
    blocked = _started(clerk, places, code="B", months_ago=1)
    problem = services.problem_open(
        actor=clerk, project=blocked, department=econ, description="用电增容迟迟未批"
    )
    red = _project(clerk, places, code="R", planned_start_on=_months_ago(5))
    groups = selectors.meeting()
    listed = {row.project.code: row for rows in groups.values() for row in rows}
    assert set(listed) == {"L", "B", "R"} and "Q" not in listed and quiet
    assert (
        listed["L"].overdue_milestones == 1 and listed["B"].open_problems == 1 and listed["R"].project == red
    )
    assert ("高新区", leader.display_name) in groups
    bulletin = Document(io.BytesIO(as_user(econ_staff).get("/projects/meeting/?format=docx").content))
    text = "\n".join(cell.text for table in bulletin.tables for row in table.rows for cell in row.cells)
    assert "项目B" in text and "项目Q" not in text
    # The problem goes round the engine: signed for and solved by the department, confirmed by the centre.
    assert Notification.objects.filter(user=econ_staff, title__contains="项目问题").exists()
    services.problem_act(actor=econ_staff, problem=problem, action="sign_for")
    services.problem_act(actor=econ_staff, problem=problem, action="resolve", comment="已批复增容")
    with pytest.raises(PermissionDenied):  # the department cannot close its own problem
        services.problem_act(actor=econ_staff, problem=problem, action="confirm")
    services.problem_act(actor=clerk, problem=problem, action="confirm")
    assert Problem.objects.get(pk=problem.pk).item.state == "closed"
    assert "B" not in {row.project.code for rows in selectors.meeting().values() for row in rows}


def test_pages_and_the_plan_feed(clerk, places, econ_staff, as_user, sysadmin):
    from xinqu.plans.feeds import feed

    big = _started(clerk, places, code="BIG", total=150_000, months_ago=0)
    ProjectYear.objects.create(project=big, year=TODAY.year, planned_investment=Decimal(1000))
    fed = feed("projects.started_1bn").compute(TODAY.year, TODAY)
    assert fed.value == 1 and fed.records[0].label.startswith("BIG")
    client = as_user(econ_staff)
    for url in (
        "/projects/",
        "/projects/statistics/",
        "/projects/meeting/",
        "/projects/timeline/",
        f"/projects/{big.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/projects/{big.pk}/edit/").status_code == 403
    services.project_save(actor=clerk, project=big, planned_signed_on=_months_ago(3))
    page = client.get(f"/projects/{big.pk}/").content.decode()
    assert 'id="stage-dates"' in page and f"{_months_ago(3):%Y-%m-%d}" in page and "晚于计划" in page
    assert as_user(sysadmin).get("/projects/").status_code == 403
    refused = as_user(clerk).post(
        f"/projects/{big.pk}/",
        {"form": "report", "month": f"{_months_ago(-1):%Y-%m}", "investment": "10", "workers": "5"},
    )
    assert refused.status_code == 200 and "未来月份" in refused.content.decode()
    saved = as_user(clerk).post(
        f"/projects/{big.pk}/",
        {"form": "report", "month": f"{THIS_MONTH:%Y-%m}", "investment": "10", "workers": "5"},
    )
    assert saved.status_code == 302 and MonthlyReport.objects.filter(project=big).count() == 1


def test_the_api_has_the_pages_rules(clerk, places, econ, econ_staff, as_user):
    api = as_user(clerk)
    body = {
        "name": "传感器产业园二期",
        "kind": "industrial",
        "area": "gaoxin",
        "park": "jixing",
        "total_investment": "1000",
    }
    wrong = api.put("/api/v1/projects/XM-API", body, content_type="application/json")
    assert wrong.status_code == 422 and "不属于高新区" in str(wrong.json()["errors"])
    made = api.put("/api/v1/projects/XM-API", body | {"park": "optics"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["size_band"] == "small"
    skipped = api.post(
        "/api/v1/projects/XM-API/stage",
        {"stage": "started", "on": str(TODAY)},
        content_type="application/json",
    )
    assert skipped.status_code == 422 and Project.objects.get(code="XM-API").stage == "planned"
    for stage in ("signed", "landed", "started"):
        moved = api.post(
            "/api/v1/projects/XM-API/stage",
            {"stage": stage, "on": str(_months_ago(1))},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.json()
    month = f"{_months_ago(1):%Y-%m}"
    over = api.put(
        f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1200"}, content_type="application/json"
    )
    assert over.status_code == 422 and not MonthlyReport.objects.exists()
    fine = api.put(
        f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1200", "confirm_over_total": True},
        content_type="application/json",
    )  # fmt: skip
    assert fine.status_code == 200 and fine.json()["reports"][0]["investment_total"] == "1200.00"
    other = as_user(econ_staff)
    assert (
        other.put(
            f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1"}, content_type="application/json"
        ).status_code
        == 403
    )
    listed = other.get("/api/v1/projects?band=small").json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "XM-API"
    stats = other.get(f"/api/v1/projects-statistics?year={_months_ago(1).year}&by=band&scope=all").json()
    assert stats["total"]["projects"] == 1
    opened = api.post(
        "/api/v1/projects/XM-API/problems",
        {"department": "econ", "description": "用地指标"},
        content_type="application/json",
    )
    assert opened.status_code == 201
    number, version = opened.json()["number"], opened.json()["version"]
    act = f"/api/v1/project-problems/{number}/actions/sign_for"
    assert other.post(act, {"version": version}, content_type="application/json").status_code == 200
    assert other.post(act, {"version": version}, content_type="application/json").status_code == 409


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


def test_an_overdue_problem_is_escalated_by_its_rules(clerk, places, econ, leader):
    from django.core.management import call_command

    from xinqu.workflow.models import Item

    project = _started(clerk, places, months_ago=1)
    problem = services.problem_open(actor=clerk, project=project, department=econ, description="规划许可卡住")
    Item.objects.filter(pk=problem.pk).update(due_on=TODAY - dt.timedelta(days=20))
    call_command("remind")
    assert Item.objects.get(pk=problem.pk).supervision_level == 3
    assert Notification.objects.filter(user=leader, title__contains="督办").exists()
