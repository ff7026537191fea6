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
from xinqu.indicators.selectors import progress_light
from xinqu.plans import feeds
from xinqu.plans.models import Node, Period, Plan, Report, ReportLine, Supervision
from xinqu.plans.rules import is_office

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


@dataclass
class Status:
    node: Node
    depth: int
    value: Decimal | None = None
    value_month: dt.date | None = None  # the month of the approved report the value comes from
    fed: feeds.Fed | None = None
    completion: Decimal | None = None
    time_progress: Decimal | None = None
    gap: Decimal | None = None
    light: str = ""
    overdue: bool = False
    supervised: bool = False
    children: list[Status] = field(default_factory=list)

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
    """The month a plan is shown as of: the latest month with an approved report, else the last
    finished month of the plan's year (January for a plan not yet begun)."""
    latest = (
        Report.objects.filter(period__plan=plan, status=Report.Status.APPROVED)
        .order_by("-period__month")
        .values_list("period__month", flat=True)
        .first()
    )
    if latest:
        return latest.month
    today = today or timezone.localdate()
    if today.year > plan.year:
        return 12
    if today.year < plan.year:
        return 1
    return max(today.month - 1, 1)


def _time_progress(node: Node, plan: Plan, as_of: dt.date) -> Decimal:
    """The share of the node's time that has passed by ``as_of`` (days from 1 January to its
    deadline, or to 31 December); 100 for a rate (%), which must hold at any time."""
    if node.unit == "%":
        return HUNDRED
    start = dt.date(plan.year, 1, 1)
    end = node.deadline or dt.date(plan.year, 12, 31)
    if end <= start:
        return HUNDRED
    share = Decimal((min(as_of, end) - start).days + 1) / Decimal((end - start).days + 1) * HUNDRED
    return min(share, HUNDRED).quantize(ONE_PLACE)


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
            if node.source:
                found = feeds.feed(node.source)
                status.fed = found.compute(plan.year, as_of) if found else None
                status.value = status.fed.value if status.fed else None
            elif node.pk in reported:
                status.value, status.value_month = reported[node.pk]
            if status.value is not None and node.target_value:
                status.completion = (status.value / node.target_value * HUNDRED).quantize(ONE_PLACE)
                status.time_progress = _time_progress(node, plan, as_of)
        else:
            measured = [
                c for c in status.children if c.completion is not None and c.time_progress is not None
            ]
            if measured:
                weights = [c.node.weight for c in measured]
                if not any(weights):
                    weights = [Decimal(1)] * len(measured)
                total = sum(weights, Decimal(0))
                status.completion = (
                    sum(
                        (w * min(c.completion or 0, cap) for w, c in zip(weights, measured, strict=True)),
                        Decimal(0),
                    )
                    / total
                ).quantize(ONE_PLACE)
                status.time_progress = (
                    sum(
                        (w * (c.time_progress or 0) for w, c in zip(weights, measured, strict=True)),
                        Decimal(0),
                    )
                    / total
                ).quantize(ONE_PLACE)
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
