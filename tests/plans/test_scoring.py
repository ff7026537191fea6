"""Plan scoring by what a KPI measures: a quantity against time elapsed, a stock against its
deadline's target or path, a rate by its gap in 百分点; each score carries its formula."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.plans.helpers import YEAR, _approve, _node, _status
from xinqu.plans import scoring, services
from xinqu.plans.models import Node

D = Decimal


def _kpi(plan, clerk, code, department, **fields):
    return services.node_save(
        actor=clerk,
        plan=plan,
        parent=_node(plan, "3"),
        kind="kpi",
        code=code,
        title=f"指标{code}",
        lead_department=department,
        deadline=dt.date(YEAR, 12, 31),
        **fields,
    )


def test_a_rate_kpi_scores_by_its_gap_not_by_value_over_target(
    plan, clerk, invest, invest_staff, invest_head
):
    """满意率 93.3 against 95: value ÷ target would give 98.2 % and a green light. By its gap it is
    1.7 points behind: 100 − 1.7 × 10 = 83.00, and yellow (behind, by no more than 2 points)."""
    _node(plan, "3.1").delete()
    _kpi(plan, clerk, "3.9", invest, target_value=D("95"), unit="%", measure=Node.Measure.RATE, weight=60)
    _approve(plan, 6, invest, invest_staff, invest_head, "93.3")
    status = _status(plan, 6, "3.9")
    assert (status.completion, status.gap, status.light) == (None, D("-1.7"), "yellow")
    score = next(s for s in scoring.scores(plan, 6) if s.department == invest)
    kpi = score.kpis[0]
    assert kpi.points == D("83.00")
    assert "93.3 − 95.0" in kpi.formula and "83.00" in kpi.formula


def test_a_growth_above_target_earns_points_by_the_rule_on_the_page(
    plan, clerk, invest, invest_staff, invest_head
):
    """GDP growth 7.5 against 7.0: 0.5 points ahead, 105.00 — not 7.5 ÷ 7.0 = 107.1 %."""
    _node(plan, "3.1").delete()
    _kpi(plan, clerk, "3.9", invest, target_value=D("7.0"), unit="%", measure=Node.Measure.RATE)
    _approve(plan, 6, invest, invest_staff, invest_head, "7.5")
    assert scoring.scores(plan, 6)[0].kpis[0].points == D("105.00")
    assert _status(plan, 6, "3.9").light == "green"


def test_a_negative_growth_target_keeps_its_meaning(plan, clerk, invest, invest_staff, invest_head):
    """A target of −2 %: −1 % is a point better, so 110 points; as value ÷ target it would score 50."""
    _node(plan, "3.1").delete()
    _kpi(plan, clerk, "3.9", invest, target_value=D("-2"), unit="%", measure=Node.Measure.RATE)
    _approve(plan, 6, invest, invest_staff, invest_head, "-1")
    assert scoring.scores(plan, 6)[0].kpis[0].points == D("110.00")


def test_a_lower_is_better_rate_scores_below_target_as_ahead(plan, clerk, invest, invest_staff, invest_head):
    _node(plan, "3.1").delete()
    _kpi(
        plan,
        clerk,
        "3.9",
        invest,
        target_value=D("5"),
        unit="%",
        measure=Node.Measure.RATE,
        direction=Node.Direction.LOWER,
    )
    _approve(plan, 6, invest, invest_staff, invest_head, "4")  # 1 point under a ceiling of 5 %
    assert scoring.scores(plan, 6)[0].kpis[0].points == D("110.00")


def test_a_stock_is_held_against_its_deadline_target_or_path(plan, clerk, invest, invest_staff, invest_head):
    """高企 900 by the year's end, 880 held in June: 97.8 % of the target, never "ahead of time"
    (880 ÷ 900 against half the year elapsed would score 120)."""
    _node(plan, "3.1").delete()
    stock = _kpi(plan, clerk, "3.9", invest, target_value=D("900"), unit="户", measure=Node.Measure.STOCK)
    _approve(plan, 6, invest, invest_staff, invest_head, "880")
    status = _status(plan, 6, "3.9")
    assert (status.completion, status.time_progress) == (D("97.8"), D("100"))
    kpi = scoring.scores(plan, 6)[0].kpis[0]
    assert kpi.points == D("97.80") and "对照时限目标" in kpi.formula
    # With a month-end path (870 by June: 96.7 % of 900), 880 is ahead of it: 97.8 ÷ 96.7 × 100.
    services.node_save(actor=clerk, plan=plan, node=stock, path=[850 + 4 * m for m in range(12)])
    stock.refresh_from_db()
    status = _status(plan, 6, "3.9")
    assert status.time_progress == D("96.7")
    assert scoring.scores(plan, 6)[0].kpis[0].points == D("101.14")


def test_bad_measures_are_refused_and_nothing_changes(plan, clerk, invest):
    with pytest.raises(ValidationError) as caught:
        _kpi(plan, clerk, "3.9", invest, target_value=D("-5"), unit="个")
    assert "比率/增速" in str(caught.value)
    with pytest.raises(ValidationError):
        _kpi(plan, clerk, "3.9", invest, target_value=D("900"), unit="户", measure="stock", path=[1, 2, 3])
    with pytest.raises(ValidationError):
        _kpi(plan, clerk, "3.9", invest, target_value=D("50"), unit="个", path=list(range(12)))
    assert not plan.nodes.filter(code="3.9").exists()
