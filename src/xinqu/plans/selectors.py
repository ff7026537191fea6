"""Reads for the yearly plan: the tree with each node's value, completion, time-elapsed progress
(序时进度) and light as of a month, the reporting status of each period, and the scores.

The lights are the indicators' own rule (`indicators.selectors.progress_light`) with the plan's
thresholds: a KPI is behind when its completion trails the share of its time that has passed."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from xinqu.core.access import in_department, is_leader
from xinqu.core.models import Department
from xinqu.core.numbers import rounded
from xinqu.core.periods import month_in
from xinqu.indicators.selectors import progress_light
from xinqu.plans import feeds
from xinqu.plans.models import Node, Period, Plan, Report, ReportLine, Supervision
from xinqu.plans.rules import is_office, rate_points

HUNDRED = Decimal(100)


@dataclass
class Status:
    node: Node
    depth: int
    value: Decimal | None = None
    value_month: dt.date | None = None  # the month of the approved report the value comes from
    fed: feeds.Fed | None = None
    target: Decimal | None = None  # the node's own, or the figure's it reads (held once, there)
    target_fed: bool = False
    completion: Decimal | None = None
    time_progress: Decimal | None = None
    gap: Decimal | None = None  # completion − time progress; for a rate, value − target (百分点)
    light: str = ""
    overdue: bool = False
    supervised: bool = False
    children: list[Status] = field(default_factory=list)

    @property
    def is_rate(self) -> bool:
        return self.node.kind == Node.Kind.KPI and self.node.measure == Node.Measure.RATE

    @property
    def bar(self) -> Decimal:
        """The completion as a bar width (0–100)."""
        return min(max(self.completion or Decimal(0), Decimal(0)), HUNDRED)


def period_of(plan: Plan, month: str) -> Period:
    """The reporting period named "YYYY-MM", or 404."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Period, plan=plan, month=first)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, month_calendar.monthrange(year, month)[1])


def default_month(plan: Plan, today: dt.date | None = None) -> int:
    """The month a plan is shown as of: the zone's reporting period in the plan's year (December
    for an earlier year, January for a later one), as on every other page."""
    return month_in(plan.year, today)


def _time_progress(node: Node, plan: Plan, as_of: dt.date, target: Decimal | None = None) -> Decimal:
    """What the node should have reached by ``as_of``, in % of its target. A quantity: the share
    of its time that has passed (days from 1 January to its deadline, or to 31 December). A stock:
    its month-end path ÷ its target where a path is given, else 100 (held against the deadline's
    target)."""
    if node.measure == Node.Measure.STOCK:
        target = target if target is not None else node.target_value
        if len(node.path) == 12 and target:
            month = min(as_of, node.deadline or as_of).month if as_of.year == plan.year else 12
            return rounded(Decimal(str(node.path[month - 1])) / target * HUNDRED, 1)
        return HUNDRED
    start = dt.date(plan.year, 1, 1)
    end = node.deadline or dt.date(plan.year, 12, 31)
    if end <= start:
        return HUNDRED
    share = Decimal((min(as_of, end) - start).days + 1) / Decimal((end - start).days + 1) * HUNDRED
    return rounded(min(share, HUNDRED), 1)


def _rate_points(plan: Plan, status: Status) -> Decimal:
    assert status.gap is not None
    return rate_points(
        status.gap,
        per_point=plan.rate_points_per_pp,
        cap=plan.completion_cap,
        lower=status.node.direction == Node.Direction.LOWER,
    )


def tree(plan: Plan, month: int, today: dt.date | None = None) -> list[Status]:
    """Every node of ``plan`` in display order (parents first), with its status as of the end of
    ``month``. KPIs take the latest approved report's value or their feed; parents add up their
    children's completion and time progress by weight (equal weights when none are set)."""
    today = today or timezone.localdate()
    as_of = month_end(plan.year, month)
    reference = min(today, as_of)  # overdue as of the month shown (and never later than today)
    nodes = list(
        plan.nodes.select_related("lead_department").prefetch_related(
            Prefetch("partner_departments", queryset=Department.objects.order_by("sort_order", "id"))
        )
    )
    reported: dict[int, tuple[Decimal | None, dt.date]] = {}
    for node_id, value, reported_month in (
        ReportLine.objects.filter(
            report__period__plan=plan,
            report__status=Report.Status.APPROVED,
            report__period__month__lte=as_of,
            value__isnull=False,
        )
        .order_by("node_id", "-report__period__month")
        .values_list("node_id", "value", "report__period__month")
    ):
        reported.setdefault(node_id, (value, reported_month))
    supervised = set(
        Supervision.objects.filter(node__plan=plan)
        .exclude(item__state="closed")
        .values_list("node_id", flat=True)
    )
    by_parent: dict[int | None, list[Node]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    cap = plan.completion_cap

    def build(node: Node, depth: int) -> Status:
        status = Status(node=node, depth=depth, supervised=node.pk in supervised)
        status.children = [build(child, depth + 1) for child in by_parent.get(node.pk, [])]
        lower = node.direction == Node.Direction.LOWER
        if node.kind == Node.Kind.KPI:
            status.target = node.target_value
            if node.source:
                found = feeds.feed(node.source)
                status.fed = found.compute(plan.year, as_of) if found else None
                status.value = status.fed.value if status.fed else None
                if found is not None and found.holds_target:
                    status.target, status.target_fed = (status.fed.target if status.fed else None), True
            elif node.pk in reported:
                status.value, status.value_month = reported[node.pk]
            if status.is_rate:
                if status.value is not None and status.target is not None:
                    # A rate is held against its target in 百分点, never as value ÷ target.
                    status.gap = rounded(status.value - status.target, 1)
                    behind = status.gap if lower else -status.gap
                    status.light = (
                        "green" if behind <= 0 else "red" if behind > plan.rate_red_pp else "yellow"
                    )
                    done = behind <= 0
                    status.overdue = bool(node.deadline and node.deadline < reference and not done)
                return status
            if status.value is not None and status.target:
                status.completion = rounded(status.value / status.target * HUNDRED, 1)
                status.time_progress = _time_progress(node, plan, as_of, status.target)
        else:
            # A rate child counts with its points against 100 (it must hold at any time).
            measured = [
                (c.node.weight, c.completion, c.time_progress)
                for c in status.children
                if c.completion is not None and c.time_progress is not None
            ] + [
                (c.node.weight, _rate_points(plan, c), HUNDRED)
                for c in status.children
                if c.is_rate and c.gap is not None
            ]
            if measured:
                weights = [w for w, _c, _t in measured]
                if not any(weights):
                    weights = [Decimal(1)] * len(measured)
                total = sum(weights, Decimal(0))
                status.completion = rounded(
                    sum(
                        (w * min(c, cap) for w, (_w, c, _t) in zip(weights, measured, strict=True)),
                        Decimal(0),
                    )
                    / total,
                    1,
                )
                status.time_progress = rounded(
                    sum((w * t for w, (_w, _c, t) in zip(weights, measured, strict=True)), Decimal(0))
                    / total,
                    1,
                )
                lower = False
        if status.completion is not None and status.time_progress is not None:
            status.gap, status.light = progress_light(
                status.completion, status.time_progress, lower=lower, yellow=plan.yellow_pp, red=plan.red_pp
            )
            done = status.completion <= HUNDRED if lower else status.completion >= HUNDRED
            status.overdue = bool(node.deadline and node.deadline < reference and not done)
        return status

    flat: list[Status] = []

    def walk(status: Status) -> None:
        flat.append(status)
        for child in status.children:
            walk(child)

    for root in by_parent.get(None, []):
        walk(build(root, 0))
    return flat


@dataclass
class PeriodRow:
    department: Department
    report: Report | None
    late: bool


def departments_reporting(plan: Plan) -> list[Department]:
    """Departments that lead a measure or KPI of the plan: they report every month."""
    ids = plan.nodes.filter(
        kind__in=[Node.Kind.MEASURE, Node.Kind.KPI], lead_department__isnull=False
    ).values("lead_department")
    return list(Department.objects.filter(pk__in=ids).order_by("sort_order", "id"))


def is_late(period: Period, report: Report | None, today: dt.date) -> bool:
    """Submitted after the deadline, or not submitted and the deadline has passed."""
    submitted = report.first_submitted_at if report else None
    if submitted is None:
        return today > period.deadline
    return timezone.localtime(submitted).date() > period.deadline


def period_rows(period: Period, today: dt.date | None = None) -> list[PeriodRow]:
    today = today or timezone.localdate()
    reports = {r.department_id: r for r in period.reports.select_related("submitted_by", "reviewed_by")}
    return [
        PeriodRow(d, reports.get(d.pk), is_late(period, reports.get(d.pk), today))
        for d in departments_reporting(period.plan)
    ]


def late_counts(plan: Plan, through_month: int, today: dt.date | None = None) -> dict[int, int]:
    """Late reports per department over the periods up to ``through_month``."""
    today = today or timezone.localdate()
    departments = [d.pk for d in departments_reporting(plan)]
    counts = dict.fromkeys(departments, 0)
    periods = list(plan.periods.filter(month__lte=dt.date(plan.year, through_month, 1)))
    reports = {(r.period_id, r.department_id): r for r in Report.objects.filter(period__in=periods)}
    for period in periods:
        for department_id in departments:
            if is_late(period, reports.get((period.pk, department_id)), today):
                counts[department_id] += 1
    return counts


def visible_report(user: Any, report: Report) -> bool:
    """A department sees its own reports in every state; leaders and the plan office see them
    once approved."""
    if in_department(user, report.department_id):
        return True
    return report.status == Report.Status.APPROVED and (is_leader(user) or is_office(user))
