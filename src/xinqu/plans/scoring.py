"""The departments' yearly score (考核), as of a month:

    score = weighted KPI points − late reports × the plan's deduction
                                − supervision items not done as required × the plan's deduction

A KPI's points are, by the plan's basis, its completion against time-elapsed progress
(completion ÷ time progress × 100; for a lower-is-better KPI the inverse) or its completion of
the full-year target, capped at the plan's cap (120 by default). A department's KPI points are the
average over the KPIs it leads, weighted by their weights (equally when none are set). A department
that leads measures only has no KPI points: it is listed after the ranked ones, with its deductions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from xinqu.core.models import Department
from xinqu.plans.models import Node, Plan, Supervision
from xinqu.plans.selectors import Status, departments_reporting, late_counts, tree

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


@dataclass
class KpiPoints:
    status: Status
    points: Decimal | None  # None: no value yet, not counted


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


def kpi_points(plan: Plan, status: Status) -> Decimal | None:
    completion, progress = status.completion, status.time_progress
    if completion is None or progress is None:
        return None
    lower = status.node.direction == Node.Direction.LOWER
    if plan.scoring_basis == Plan.Basis.COMPLETION:
        points = (
            (HUNDRED * HUNDRED / completion if completion else plan.completion_cap) if lower else completion
        )
    elif lower:
        points = progress / completion * HUNDRED if completion else plan.completion_cap
    else:
        points = completion / progress * HUNDRED if progress else HUNDRED
    return min(max(points, Decimal(0)), plan.completion_cap).quantize(TWO_PLACES)


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
        score.kpis = [
            KpiPoints(s, kpi_points(plan, s)) for s in statuses if s.node.lead_department_id == department.pk
        ]
        counted = [k for k in score.kpis if k.points is not None]
        if counted:
            weights = [k.status.node.weight for k in counted]
            if not any(weights):
                weights = [Decimal(1)] * len(counted)
            score.kpi_points = (
                sum((w * (k.points or 0) for w, k in zip(weights, counted, strict=True)), Decimal(0))
                / sum(weights)
            ).quantize(TWO_PLACES)
        score.late = lates.get(department.pk, 0)
        score.late_points = (score.late * plan.late_deduction).quantize(TWO_PLACES)
        score.failed = failed.get(department.pk, 0)
        score.failed_points = (score.failed * plan.supervision_deduction).quantize(TWO_PLACES)
        score.total = ((score.kpi_points or Decimal(0)) - score.late_points - score.failed_points).quantize(
            TWO_PLACES
        )
        results.append(score)
    # Departments with KPI points are ranked; those leading measures only follow, unranked (rank 0).
    results.sort(key=lambda s: (s.kpi_points is None, -s.total, s.department.sort_order, s.department.pk))
    ranked = [s for s in results if s.kpi_points is not None]
    for index, score in enumerate(ranked):
        previous = ranked[index - 1] if index else None
        score.rank = previous.rank if previous and previous.total == score.total else index + 1
    return results
