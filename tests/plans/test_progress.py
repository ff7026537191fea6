"""Lights, fed KPIs, supervision and scores."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.plans.helpers import YEAR, _approve, _node, _status
from xinqu.core.models import AuditEntry, Notification
from xinqu.plans import scoring, services
from xinqu.plans.models import Plan, Supervision


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


def test_a_kpi_is_scored_as_its_source_figure_is_kind(plan, clerk, econ):
    """高企总数 is a stock: a KPI reading it cannot be scored against time elapsed."""
    fields = {
        "actor": clerk, "plan": plan, "parent": _node(plan, "3"), "kind": "kpi", "code": "3.5",
        "title": "高企总数", "lead_department": econ, "target_value": Decimal(900), "unit": "户",
        "source": "enterprises.high_tech_total",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="存量"):
        services.node_save(**fields, measure="quantity")
    assert not plan.nodes.filter(code="3.5").exists()
    assert services.node_save(**fields, measure="stock").measure == "stock"
