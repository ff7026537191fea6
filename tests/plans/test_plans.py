"""The yearly plan: the tree and its refusals, reports and their approval, lights, supervision,
scores, import and export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xinqu.core.models import AuditEntry, Department, Notification
from xinqu.core.roles import Role
from xinqu.plans import scoring, selectors, services
from xinqu.plans.models import Node, Plan, Report, ReportLine, Supervision

YEAR = 2024


@pytest.fixture
def office(db):
    return Department.objects.create(code="office", name="党政办公室")


@pytest.fixture
def clerk(make_user, office):
    return make_user("plan-clerk", Role.STAFF, office)


@pytest.fixture
def plan(clerk, econ, invest):
    plan = services.plan_save(actor=clerk, year=YEAR, title="2024年总策略")
    root = services.node_save(actor=clerk, plan=plan, kind="strategy", code="S", title="总策略")
    programme = services.node_save(
        actor=clerk, plan=plan, parent=root, kind="programme", code="3", title="招商引资突破工程", weight=100
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="kpi",
        code="3.1",
        title="入规入统项目",
        lead_department=invest,
        target_value=Decimal(50),
        unit="个",
        deadline=dt.date(YEAR, 12, 31),
        weight=60,
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="kpi",
        code="3.2",
        title="规上工业产值",
        lead_department=econ,
        target_value=Decimal(1000),
        unit="亿元",
        weight=40,
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="measure",
        code="3.3",
        title="招商专班",
        lead_department=invest,
    )
    return plan


@pytest.fixture
def invest_head(make_user, invest):
    return make_user("invest-head", Role.HEAD, invest)


def _node(plan, code):
    return plan.nodes.get(code=code)


def _lines(plan, department, value="", progress="进展顺利"):
    return {
        n.pk: {
            "value": value if n.kind == "kpi" else "",
            "progress": progress,
            "problems": "",
            "next_steps": "",
        }
        for n in services.reported_nodes(plan, department.pk)
    }


def test_the_tree_refuses_cycles_orphans_and_owners_missing(plan, clerk, econ, invest_staff):
    root, programme, kpi = _node(plan, "S"), _node(plan, "3"), _node(plan, "3.1")
    before = list(Node.objects.order_by("pk").values())
    refusals = [
        # a cycle: the programme under its own KPI's sibling measure
        {"node": programme, "parent": _node(plan, "3.3"), "kind": "programme"},
        {"node": root, "parent": programme},  # a cycle: the root under its child
        {"node": None, "kind": "kpi", "code": "3.9", "title": "无牵头单位", "parent": programme, "target_value": 1},
        {"node": None, "kind": "kpi", "code": "3.9", "title": "无目标", "parent": programme, "lead_department": econ},
        {"node": None, "kind": "kpi", "code": "3.9", "title": "来源不明", "parent": programme, "lead_department": econ,
             "target_value": 1, "source": "nowhere.at_all"},
        {"node": None, "kind": "measure", "code": "3.9", "title": "挂在指标下", "parent": kpi, "lead_department": econ},
        {"node": None, "kind": "measure", "code": "3.1", "title": "编号重复", "parent": programme, "lead_department": econ},
        {"node": kpi, "kind": "kpi", "lead_department": None},  # a KPI loses its owner
    ]  # fmt: skip
    for refusal in refusals:
        node = refusal.pop("node")
        with pytest.raises(ValidationError):
            services.node_save(actor=clerk, plan=plan, node=node, **refusal)
    other = services.plan_save(actor=clerk, year=YEAR + 1, title="2025")
    with pytest.raises(ValidationError, match="同一年度"):
        services.node_save(actor=clerk, plan=other, kind="measure", code="1", title="跨计划", parent=programme,
                           lead_department=econ)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.node_save(actor=invest_staff, plan=plan, kind="programme", code="9", title="非计划牵头部门")
    assert list(Node.objects.filter(plan=plan).order_by("pk").values()) == before


def test_weights_that_do_not_add_up_are_a_warning(plan, clerk):
    assert services.weight_warnings(plan) == []
    services.node_save(actor=clerk, plan=plan, node=_node(plan, "3.1"), weight=50)
    assert services.weight_warnings(plan) == ["“3”的下级权重合计为 90，不是 100。"]


def test_a_plan_is_copied_from_last_year(plan, clerk, econ):
    services.node_save(actor=clerk, plan=plan, node=_node(plan, "3.3"), partner_departments=[econ])
    copy = services.plan_copy(actor=clerk, source=plan, year=YEAR + 1)
    assert copy.title == "2025年总策略"
    assert copy.periods.count() == 12
    assert sorted(copy.nodes.values_list("code", flat=True)) == sorted(
        plan.nodes.values_list("code", flat=True)
    )
    kpi = copy.nodes.get(code="3.1")
    assert kpi.parent.code == "3" and kpi.parent.plan == copy
    assert kpi.deadline == dt.date(YEAR + 1, 12, 31)
    assert list(copy.nodes.get(code="3.3").partner_departments.all()) == [econ]
    with pytest.raises(ValidationError, match="已存在"):
        services.plan_copy(actor=clerk, source=plan, year=YEAR + 1)


def test_a_report_from_draft_to_approval(plan, invest, invest_staff, invest_head, econ_head, leader):
    period = plan.periods.get(month=dt.date(YEAR, 3, 1))
    # Bad values: every one is named, nothing is saved.
    with pytest.raises(ValidationError) as refused:
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="十一个"))
    assert "3.1 入规入统项目" in str(refused.value)
    assert not ReportLine.objects.exists()
    # Submitting needs the progress text and the KPI value.
    with pytest.raises(ValidationError, match="进展情况"):
        services.report_save(
            actor=invest_staff,
            period=period,
            lines=_lines(plan, invest, value="11", progress=""),
            submit=True,
        )
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="1１"), submit=False
    )
    assert report.status == "draft" and report.lines.get(node__code="3.1").value == Decimal(11)
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="11"), submit=True
    )
    assert report.status == "submitted"
    assert Notification.objects.filter(user=invest_head, title__contains="计划月报待审核").exists()
    with pytest.raises(ValidationError, match="已报送"):
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="12"))
    # Only the department's own head approves.
    for outsider in (invest_staff, econ_head, leader):
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=outsider, report=report)
    assert Report.objects.get(pk=report.pk).status == "submitted"
    # Leaders do not see it before approval; the tree does not count it either.
    assert not selectors.visible_report(leader, report)
    assert _status(plan, 3, "3.1").value is None
    with pytest.raises(ValidationError):
        services.report_return(actor=invest_head, report=report, reason="  ")
    services.report_return(actor=invest_head, report=report, reason="请核实数据")
    services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="13"), submit=True
    )
    report = services.report_approve(actor=invest_head, report=Report.objects.get(pk=report.pk))
    assert selectors.visible_report(leader, report)
    status = _status(plan, 3, "3.1")
    assert (status.value, status.value_month) == (Decimal(13), dt.date(YEAR, 3, 1))
    assert AuditEntry.objects.filter(object_type__icontains="report").exists()


def test_reports_for_closed_or_future_periods_and_others_nodes_are_refused(
    plan, clerk, invest, invest_staff, econ
):
    period = plan.periods.get(month=dt.date(YEAR, 1, 1))
    services.period_update(actor=clerk, period=period, deadline=period.deadline, closed=True)
    with pytest.raises(ValidationError, match="已关闭"):
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="1"))
    future = services.plan_save(actor=clerk, year=timezone.localdate().year + 1, title="明年")
    services.node_save(
        actor=clerk, plan=future, kind="measure", code="1", title="明年的举措", lead_department=invest,
        parent=services.node_save(actor=clerk, plan=future, kind="programme", code="0", title="工程"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="未来月份"):
        services.report_save(actor=invest_staff, period=future.periods.first(), lines={})
    econ_kpi = _node(plan, "3.2")
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=invest_staff,
            period=plan.periods.get(month=dt.date(YEAR, 2, 1)),
            lines={econ_kpi.pk: {"value": "5"}},
        )
    assert not Report.objects.exists()


def test_late_departments_are_listed(plan, invest, invest_staff, econ):
    period = plan.periods.get(month=dt.date(YEAR, 3, 1))
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="5"), submit=True
    )
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=timezone.make_aware(
            dt.datetime.combine(period.deadline + dt.timedelta(days=1), dt.time(9))
        )
    )
    rows = {r.department.code: r.late for r in selectors.period_rows(period)}
    assert rows == {"invest": True, "econ": True}  # one late, one never reported
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=timezone.make_aware(dt.datetime.combine(period.deadline, dt.time(17)))
    )
    assert {r.department.code: r.late for r in selectors.period_rows(period)}["invest"] is False
    assert selectors.late_counts(plan, 3)[econ.pk] == 3


def _status(plan, month, code):
    return next(s for s in selectors.tree(plan, month) if s.node.code == code)


def _approve(plan, month, department, staff, head, value):
    period = plan.periods.get(month=dt.date(YEAR, month, 1))
    report = services.report_save(
        actor=staff, period=period, lines=_lines(plan, department, value=value), submit=True
    )
    return services.report_approve(actor=head, report=report)


def test_lights_compare_completion_with_time_elapsed(plan, invest, invest_staff, invest_head):
    # End of June 2024: 182 of 366 days, 49.7 % of the year.
    _approve(plan, 6, invest, invest_staff, invest_head, "24")  # 48 %: 1.7 behind, green
    status = _status(plan, 6, "3.1")
    assert (status.completion, status.time_progress, status.light) == (
        Decimal("48.0"),
        Decimal("49.7"),
        "green",
    )
    _approve(plan, 7, invest, invest_staff, invest_head, "25")  # 50 % against 58.1 %: yellow
    assert _status(plan, 7, "3.1").light == "yellow"
    _approve(plan, 8, invest, invest_staff, invest_head, "25")  # nothing new in August: 50 % against 66.7 %
    status = _status(plan, 8, "3.1")
    assert (status.light, status.gap) == ("red", Decimal("-16.7"))
    # The programme adds up what its children measure, by weight (3.2 has no value yet).
    assert _status(plan, 8, "3").completion == status.completion
    # The same rule as the indicators: the plan's thresholds, nothing copied.
    plan.red_pp = Decimal("20")
    plan.save()
    assert _status(plan, 8, "3.1").light == "yellow"


def test_fed_kpis_list_the_records_behind_them(plan, clerk, econ, zone):
    import random

    from xinqu.demo.generator import credit_code
    from xinqu.enterprises.models import Enterprise, Qualification, QualificationKind

    kpi = services.node_save(
        actor=clerk, plan=plan, parent=_node(plan, "3"), kind="kpi", code="3.4", title="新认定高企",
        lead_department=econ, target_value=Decimal(4), unit="户", source="enterprises.high_tech_new",
    )  # fmt: skip
    kind = QualificationKind.objects.get(code="high_tech")
    rng = random.Random(3)
    for n, day in enumerate([dt.date(YEAR, 2, 1), dt.date(YEAR, 5, 1), dt.date(YEAR - 1, 6, 1)]):
        enterprise = Enterprise.objects.create(credit_code=credit_code(rng), name=f"高企{n}", department=econ)
        Qualification.objects.create(enterprise=enterprise, kind=kind, granted_on=day, department=econ)
    status = _status(plan, 3, kpi.code)
    assert status.value == 1 and [r.label for r in status.fed.records] == ["高企0"]
    assert _status(plan, 6, kpi.code).value == 2


def test_supervision_from_a_lagging_node_to_its_outcome_and_score(
    plan, leader, invest, invest_staff, invest_head, econ_staff, as_user
):
    node = _node(plan, "3.1")
    due = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.supervision_open(actor=invest_head, node=node, requirement="x", due_on=due)
    with pytest.raises(ValidationError):
        services.supervision_open(actor=leader, node=node, requirement="", due_on=due)
    with pytest.raises(ValidationError):
        services.supervision_open(actor=leader, node=node, requirement="请说明", due_on=timezone.localdate())
    page = as_user(leader).post(
        f"/plans/{YEAR}/nodes/{node.pk}/",
        {"requirement": "进度滞后，请报送追赶措施", "due_on": due.isoformat()},
    )
    assert page.status_code == 302
    supervision = Supervision.objects.get()
    item = supervision.item
    assert (item.department, item.due_on, item.state) == (invest, due, "issued")
    assert Notification.objects.filter(user=invest_staff, title__contains="督办").exists()
    with pytest.raises(PermissionDenied):  # another department cannot respond
        services.supervision_act(actor=econ_staff, supervision=supervision, action="respond", comment="x")
    with pytest.raises(ValidationError):  # a response needs words
        services.supervision_act(actor=invest_staff, supervision=supervision, action="respond", comment="")
    services.supervision_act(
        actor=invest_staff, supervision=supervision, action="respond", comment="已制定追赶计划"
    )
    with pytest.raises(PermissionDenied):  # the department cannot conclude its own item
        services.supervision_act(actor=invest_head, supervision=supervision, action="conclude_done")
    services.supervision_act(
        actor=leader, supervision=supervision, action="conclude_failed", comment="措施不具体"
    )
    supervision.refresh_from_db()
    assert supervision.outcome == "failed" and supervision.item.state == "closed"
    detail = as_user(econ_staff).get(f"/plans/{YEAR}/nodes/{node.pk}/").content.decode()
    assert supervision.item.number in detail and "未按要求办结" in detail
    _approve(plan, 3, invest, invest_staff, invest_head, "15")
    score = next(s for s in scoring.scores(plan, 3) if s.department == invest)
    assert (score.failed, score.failed_points) == (1, Decimal("2.00"))


def test_scores_rank_departments_and_export(
    plan, clerk, invest, invest_staff, invest_head, econ, econ_staff, econ_head, as_user
):
    from docx import Document
    from openpyxl import load_workbook

    _approve(plan, 6, invest, invest_staff, invest_head, "25")  # 50.0 % of target against 49.7 % of time
    _approve(plan, 6, econ, econ_staff, econ_head, "400")  # 40.0 %
    ranking = scoring.scores(plan, 6)
    assert [s.department.code for s in ranking] == ["invest", "econ"]
    invest_score, econ_score = ranking
    assert invest_score.kpi_points == Decimal("100.60")  # 50.0 / 49.7 × 100
    assert econ_score.kpi_points == Decimal("80.48")
    assert econ_score.late == invest_score.late  # both reported late for January–May
    plan.scoring_basis = Plan.Basis.COMPLETION
    plan.save()
    assert scoring.scores(plan, 6)[0].kpi_points == Decimal("50.00")
    client = as_user(econ_staff)
    sheet = load_workbook(io.BytesIO(client.get(f"/plans/{YEAR}/scores/?month=6&format=xlsx").content)).active
    assert [c.value for c in sheet[2]][:2] == [1, "招商局"]
    bulletin = Document(io.BytesIO(client.get(f"/plans/{YEAR}/scores/?month=6&format=docx").content))
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "通报" in text and "招商局位列第一" in text
    assert bulletin.tables[0].rows[1].cells[1].text == "招商局"
    assert AuditEntry.objects.filter(action="export", detail__contains="docx").exists()


def test_pages_and_permissions(plan, clerk, invest, invest_staff, leader, sysadmin, as_user):
    page = as_user(invest_staff).get(f"/plans/{YEAR}/").content.decode()
    assert "3.1 入规入统项目" in page and 'id="add-node"' not in page
    assert 'id="add-node"' in as_user(clerk).get(f"/plans/{YEAR}/").content.decode()
    for url in (
        f"/plans/{YEAR}/nodes/new/",
        f"/plans/{YEAR}/settings/",
        f"/plans/{YEAR}/import/",
        f"/plans/{YEAR}/copy/",
    ):
        assert as_user(invest_staff).get(url).status_code == 403, url
    assert as_user(sysadmin).get(f"/plans/{YEAR}/").status_code == 403
    assert as_user(leader).get(f"/plans/{YEAR}/my/").status_code == 403
    # The report page saves all or nothing and says which cell is wrong.
    node = _node(plan, "3.1")
    bad = as_user(invest_staff).post(
        f"/plans/{YEAR}/reports/{YEAR}-03/",
        {"action": "submit", f"value-{node.pk}": "abc", f"progress-{node.pk}": "推进中"},
    )
    assert (
        bad.status_code == 200
        and "3.1 入规入统项目" in bad.content.decode()
        and not ReportLine.objects.exists()
    )
    good = as_user(invest_staff).post(
        f"/plans/{YEAR}/reports/{YEAR}-03/",
        {"action": "submit", f"value-{node.pk}": "12", f"progress-{node.pk}": "推进中",
         f"progress-{_node(plan, '3.3').pk}": "专班已组建"},
    )  # fmt: skip
    assert good.status_code == 302 and Report.objects.get().status == "submitted"
    # The node editor refuses a cycle with the reason, on the field.
    programme = _node(plan, "3")
    edited = as_user(clerk).post(
        f"/plans/{YEAR}/nodes/{programme.pk}/edit/",
        {"parent": _node(plan, "3.3").pk, "kind": "programme", "code": "3", "title": "招商引资突破工程",
         "weight": "100", "sort_order": "0", "direction": "higher"},
    )  # fmt: skip
    assert edited.status_code == 200 and "循环" in edited.content.decode()
    assert Node.objects.get(pk=programme.pk).parent.code == "S"


def test_plan_export_imports_back_and_bad_rows_change_nothing(plan, clerk, invest_staff, as_user, settings):
    from openpyxl import Workbook, load_workbook

    from xinqu.core import jobs

    exported = as_user(clerk).get(f"/plans/{YEAR}/?format=xlsx").content
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["编号", "上级编号", "类型", "名称"]
    # The exported workbook, into a new year's plan: the same tree.
    target = services.plan_save(actor=clerk, year=YEAR + 1, title="2025")
    spec = jobs.IMPORT_KINDS["plan_nodes"]
    report = jobs.run_importer(
        spec, actor=clerk, file=io.BytesIO(exported), dry_run=False, options={"year": YEAR + 1}
    )
    assert report.ok, report.errors
    assert report.created == plan.nodes.count()
    assert target.nodes.get(code="3.1").parent.code == "3"
    # A sheet with bad rows: each named, nothing written.
    book = Workbook()
    ws = book.active
    ws.append(header[:13])
    ws.append(["9", "", "工程", "新工程", "", "", "", None, "", "", 10, "", ""])
    ws.append(["9.1", "9", "指标", "无牵头单位", "", "", "", 5, "个", "", 50, "", ""])
    ws.append(["9.2", "8", "举措", "上级不存在", "", "招商局", "", None, "", "", 50, "", ""])
    ws.append(["9.3", "9", "举措", "部门不存在", "", "火星局", "", None, "", "", 0, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    before = target.nodes.count()
    report = jobs.run_importer(
        spec, actor=clerk, file=io.BytesIO(buffer.getvalue()), dry_run=False, options={"year": YEAR + 1}
    )
    assert not report.ok
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "牵头单位" in reasons[(3, "牵头单位")]
    assert "没有编号为 8" in reasons[(4, "上级编号")]
    assert "火星局" in reasons[(5, "牵头单位")]
    assert target.nodes.count() == before
    refused = jobs.run_importer(
        spec, actor=invest_staff, file=io.BytesIO(exported), dry_run=True, options={"year": YEAR + 1}
    )
    assert "计划牵头部门" in refused.fatal


def test_the_api_has_the_pages_rules(
    plan, clerk, invest, invest_staff, invest_head, leader, econ_staff, as_user
):
    staff = as_user(invest_staff)
    assert [p["year"] for p in staff.get("/api/v1/plans").json()] == [YEAR]
    tree = {n["code"]: n for n in staff.get(f"/api/v1/plans/{YEAR}/tree?month=3").json()}
    assert tree["3.1"]["parent"] == "3" and tree["3.1"]["lead_department"] == "invest"
    node = {
        "code": "3.9",
        "parent": "3",
        "kind": "kpi",
        "title": "新指标",
        "target_value": "10",
        "unit": "个",
    }
    # Not the plan office: refused; the office without an owner: refused with the reason; then made.
    assert (
        staff.put(f"/api/v1/plans/{YEAR}/nodes/3.9", node, content_type="application/json").status_code == 403
    )
    office = as_user(clerk)
    missing = office.put(f"/api/v1/plans/{YEAR}/nodes/3.9", node, content_type="application/json")
    assert missing.status_code == 422 and "牵头单位" in str(missing.json()["errors"])
    made = office.put(
        f"/api/v1/plans/{YEAR}/nodes/3.9",
        node | {"lead_department": "invest"},
        content_type="application/json",
    )
    assert made.status_code == 201
    lines = [{"code": "3.1", "value": "12", "progress": "推进中"}, {"code": "3.3", "progress": "专班运行"},
             {"code": "3.9", "value": "2", "progress": "起步"}]  # fmt: skip
    wrote = staff.put(
        f"/api/v1/plans/{YEAR}/reports/{YEAR}-03",
        {"lines": lines, "submit": True},
        content_type="application/json",
    )
    assert wrote.status_code == 200 and wrote.json()["status"] == "submitted"
    assert (
        staff.post(
            f"/api/v1/plans/{YEAR}/reports/{YEAR}-03/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    # The leader sees no unapproved report; after the head's approval, it is there.
    assert (
        as_user(leader).get(f"/api/v1/plans/{YEAR}/reports/{YEAR}-03?department=invest").json()["status"]
        == "none"
    )
    approved = as_user(invest_head).post(
        f"/api/v1/plans/{YEAR}/reports/{YEAR}-03/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    seen = as_user(leader).get(f"/api/v1/plans/{YEAR}/reports/{YEAR}-03?department=invest").json()
    assert [line["value"] for line in seen["lines"] if line["code"] == "3.1"] == ["12.0000"]
    assert staff.get(f"/api/v1/plans/{YEAR}/scores?month=3").json()[0]["department"] == "invest"
    # Supervision: leaders only; the department responds with the version it saw (409 when stale).
    payload = {
        "requirement": "请说明进度",
        "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    assert (
        staff.post(
            f"/api/v1/plans/{YEAR}/nodes/3.1/supervision", payload, content_type="application/json"
        ).status_code
        == 403
    )
    opened = as_user(leader).post(
        f"/api/v1/plans/{YEAR}/nodes/3.1/supervision", payload, content_type="application/json"
    )
    assert opened.status_code == 201
    number, version = opened.json()["number"], opened.json()["version"]
    assert staff.get(f"/api/v1/supervision/{number}").json()["actions"] == [
        "respond",
        "comment",
        "ask_extension",
    ]
    act = f"/api/v1/supervision/{number}/actions/respond"
    assert (
        staff.post(
            act, {"version": version, "comment": "已落实"}, content_type="application/json"
        ).status_code
        == 200
    )
    stale = as_user(econ_staff).post(
        act, {"version": version, "comment": "x"}, content_type="application/json"
    )
    assert stale.status_code in {403, 409}
    assert (
        staff.post(act, {"version": version, "comment": "再报"}, content_type="application/json").status_code
        == 409
    )
