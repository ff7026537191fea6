"""The departments' yearly score (考核), as of a month:

    score = weighted KPI points − late reports × the plan's deduction
                                − supervision items not done as required × the plan's deduction

A KPI's points depend on what it measures (Node.measure):
- a quantity: by the plan's basis, its completion against time-elapsed progress (completion ÷ time
  progress × 100; for a lower-is-better KPI the inverse) or its completion of the full-year target;
- a stock: its completion of the deadline's target, or of its month-end path where one is given;
- a rate: 100 ± the plan's points for each 百分点 above or below target (never value ÷ target);
each capped at the plan's cap (120 by default). Each KPI's points carry their formula in words. A department's KPI points are the
average over the KPIs it leads, weighted by their weights (equally when none are set). A department
that leads measures only has no KPI points: it is listed after the ranked ones, with its deductions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.models import Department
from xinqu.core.numbers import amount, rounded
from xinqu.plans.models import Node, Plan, Supervision
from xinqu.plans.rules import rate_points
from xinqu.plans.selectors import Status, departments_reporting, late_counts, tree

HUNDRED = Decimal(100)


@dataclass
class KpiPoints:
    status: Status
    points: Decimal | None  # None: no value yet, not counted
    formula: str = ""  # how the points were reached, with the numbers


@dataclass
class Score:
    department: Department
    kpis: list[KpiPoints] = field(default_factory=list)
    kpi_points: Decimal | None = None
    late: int = 0
    late_points: Decimal = Decimal(0)
    failed: int = 0
    failed_points: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    rank: int = 0


def kpi_scored(plan: Plan, status: Status) -> KpiPoints:
    """The KPI's points and the formula that gave them."""
    node = status.node
    lower = node.direction == Node.Direction.LOWER
    cap = plan.completion_cap
    if status.is_rate:
        if status.gap is None or status.value is None or status.target is None:
            return KpiPoints(status, None)
        points = rounded(rate_points(status.gap, per_point=plan.rate_points_per_pp, cap=cap, lower=lower), 2)
        sign = "−" if lower else "+"
        formula = _(
            "100 %(sign)s（%(value)s − %(target)s）× %(per)s = %(points)s（比率类：每相差 1 个百分点 %(per)s 分）"
        ) % {
            "sign": sign,
            "value": amount(status.value, 1),
            "target": amount(status.target, 1),
            "per": amount(plan.rate_points_per_pp, 1),
            "points": amount(points, 2),
        }
        return KpiPoints(status, points, str(formula))
    completion, progress = status.completion, status.time_progress
    if completion is None or progress is None:
        return KpiPoints(status, None)
    numbers = {"c": amount(completion, 1), "t": amount(progress, 1)}
    if plan.scoring_basis == Plan.Basis.COMPLETION or (
        node.measure == Node.Measure.STOCK and progress == HUNDRED
    ):
        raw = (HUNDRED * HUNDRED / completion if completion else cap) if lower else completion
        formula = _("100 × 100 ÷ 完成率 %(c)s%%") if lower else _("完成率 %(c)s%%（对照时限目标）")
    elif lower:
        raw = progress / completion * HUNDRED if completion else cap
        formula = _("序时进度 %(t)s%% ÷ 完成率 %(c)s%% × 100")
    else:
        raw = completion / progress * HUNDRED if progress else HUNDRED
        formula = _("完成率 %(c)s%% ÷ 序时进度 %(t)s%% × 100")
    points = rounded(min(max(raw, Decimal(0)), cap), 2)
    text = str(formula % numbers) + " = " + amount(points, 2)
    if points == cap and raw > cap:
        text += str(_("（封顶 %(cap)s）") % {"cap": amount(cap, 0)})
    return KpiPoints(status, points, text)


def scores(plan: Plan, month: int) -> list[Score]:
    """Every reporting department's score as of ``month``, ranked (ties share a rank)."""
    statuses = [s for s in tree(plan, month) if s.node.kind == Node.Kind.KPI]
    lates = late_counts(plan, month, timezone.localdate())
    failed: dict[int, int] = {}
    for department_id in Supervision.objects.filter(
        node__plan=plan, outcome=Supervision.Outcome.FAILED
    ).values_list("item__department_id", flat=True):
        failed[department_id] = failed.get(department_id, 0) + 1
    results = []
    for department in departments_reporting(plan):
        score = Score(department=department)
        score.kpis = [kpi_scored(plan, s) for s in statuses if s.node.lead_department_id == department.pk]
        counted = [k for k in score.kpis if k.points is not None]
        if counted:
            weights = [k.status.node.weight for k in counted]
            if not any(weights):
                weights = [Decimal(1)] * len(counted)
            score.kpi_points = rounded(
                sum((w * (k.points or 0) for w, k in zip(weights, counted, strict=True)), Decimal(0))
                / sum(weights),
                2,
            )
        score.late = lates.get(department.pk, 0)
        score.late_points = rounded(score.late * plan.late_deduction, 2)
        score.failed = failed.get(department.pk, 0)
        score.failed_points = rounded(score.failed * plan.supervision_deduction, 2)
        score.total = rounded((score.kpi_points or Decimal(0)) - score.late_points - score.failed_points, 2)
        results.append(score)
    # Departments with KPI points are ranked; those leading measures only follow, unranked (rank 0).
    results.sort(key=lambda s: (s.kpi_points is None, -s.total, s.department.sort_order, s.department.pk))
    ranked = [s for s in results if s.kpi_points is not None]
    for index, score in enumerate(ranked):
        previous = ranked[index - 1] if index else None
        score.rank = previous.rank if previous and previous.total == score.total else index + 1
    return results
