"""The yearly plan in the API, with the pages' rules: the tree with its status, nodes (the plan
office), monthly reports (the department; approval by its head), scores, and supervision items
(leaders raise and conclude them; the department responds; 409 when stale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from xinqu.core.access import AuthedRequest, ensure_business, is_leader
from xinqu.core.api import Number
from xinqu.core.models import Department
from xinqu.core.params import Year
from xinqu.core.workdays import calendar
from xinqu.plans import scoring, selectors, services
from xinqu.plans.flow import KIND, STATES
from xinqu.plans.models import Node, Period, Plan, Supervision
from xinqu.workflow import engine

router = Router(tags=["plans"])


class PlanOut(Schema):
    year: int
    title: str


class NodeOut(Schema):
    code: str
    parent: str | None
    kind: str
    title: str
    lead_department: str | None
    partner_departments: list[str]
    target_value: Number | None
    target_fed: bool = Field(description="the target is the figure's own (an indicator's annual target)")
    unit: str
    deadline: dt.date | None
    weight: Number
    source: str
    value: Number | None
    measure: str = Field(description="quantity, stock or rate: how the KPI is scored")
    completion: Number | None
    time_progress: Number | None
    gap: Number | None = Field(description="completion − time progress; for a rate, value − target in 百分点")
    light: str
    overdue: bool
    records: list[str] = Field(description="for fed KPIs: the records behind the value")


def _plan(year: int) -> Plan:
    return get_object_or_404(Plan, year=year)


def _month(plan: Plan, month: int | None) -> int:
    return month if month and 1 <= month <= 12 else selectors.default_month(plan)


def _node_out(status: selectors.Status) -> dict[str, Any]:
    node = status.node
    return {
        "code": node.code,
        "parent": node.parent.code if node.parent_id and node.parent else None,
        "kind": node.kind,
        "title": node.title,
        "lead_department": node.lead_department.code if node.lead_department else None,
        "partner_departments": [d.code for d in node.partner_departments.all()],
        "target_value": status.target,
        "target_fed": status.target_fed,
        "unit": node.unit,
        "deadline": node.deadline,
        "weight": node.weight,
        "source": node.source,
        "value": status.value,
        "measure": node.measure,
        "completion": status.completion,
        "time_progress": status.time_progress,
        "gap": status.gap,
        "light": status.light,
        "overdue": status.overdue,
        "records": [r.label for r in status.fed.records] if status.fed else [],
    }


@router.get("/plans", response=list[PlanOut])
def plans_list(request: AuthedRequest) -> Any:
    ensure_business(request.user)
    return list(Plan.objects.values("year", "title"))


@router.get("/plans/{year}/tree", response=list[NodeOut], summary="Every node with its status as of a month")
def plan_tree(request: AuthedRequest, year: Year, month: int | None = None) -> Any:
    ensure_business(request.user)
    plan = _plan(year)
    statuses = selectors.tree(plan, _month(plan, month))
    by_pk = {s.node.pk: s.node for s in statuses}
    for s in statuses:  # parents from the same list: no query per node
        if s.node.parent_id:
            s.node.parent = by_pk.get(s.node.parent_id)
    return [_node_out(s) for s in statuses]


class NodeIn(Schema):
    code: str
    parent: str | None = Field(default=None, description="the parent's code")
    kind: str
    title: str
    description: str = ""
    lead_department: str | None = Field(default=None, description="department code")
    partner_departments: list[str] = Field(default_factory=list, description="department codes")
    target_value: Decimal | None = None
    unit: str = ""
    deadline: dt.date | None = None
    weight: Decimal = Decimal(0)
    source: str = ""
    direction: str = Node.Direction.HIGHER
    sort_order: int = 0


def _department(code: str | None) -> Department | None:
    return get_object_or_404(Department, code=code) if code else None


@router.put(
    "/plans/{year}/nodes/{code}", response={200: NodeOut, 201: NodeOut}, summary="Create or change a node"
)
def node_put(request: AuthedRequest, year: Year, code: str, payload: NodeIn) -> Any:
    ensure_business(request.user)
    plan = _plan(year)
    node = plan.nodes.filter(code=code).first()
    fields = payload.dict()
    fields["code"] = code if node is not None else payload.code
    fields["parent"] = get_object_or_404(Node, plan=plan, code=payload.parent) if payload.parent else None
    fields["lead_department"] = _department(payload.lead_department)
    partners = [get_object_or_404(Department, code=c) for c in fields.pop("partner_departments")]
    saved = services.node_save(
        actor=request.user, plan=plan, node=node, partner_departments=partners, **fields
    )
    status = next(s for s in selectors.tree(plan, selectors.default_month(plan)) if s.node.pk == saved.pk)
    return Status(200 if node is not None else 201, _node_out(status))


class LineIn(Schema):
    code: str
    value: str = Field(default="", description='cumulative value, as typed in a cell ("1,234.5", "12亿")')
    progress: str = ""
    problems: str = ""
    next_steps: str = ""


class ReportIn(Schema):
    lines: list[LineIn]
    submit: bool = False


class LineOut(Schema):
    code: str
    title: str
    value: Number | None
    progress: str
    problems: str
    next_steps: str


class ReportOut(Schema):
    month: str
    department: str
    status: str
    late: bool
    review_note: str
    lines: list[LineOut]


def _report_out(period: Period, department_id: int, user: Any) -> dict[str, Any]:
    report = period.reports.filter(department_id=department_id).first()
    if report is not None and not selectors.visible_report(user, report):
        report = None
    lines = {line.node_id: line for line in report.lines.all()} if report else {}
    return {
        "month": f"{period.month:%Y-%m}",
        "department": Department.objects.get(pk=department_id).code,
        "status": report.status if report else "none",
        "late": selectors.is_late(period, report, timezone.localdate()),
        "review_note": report.review_note if report else "",
        "lines": [
            {
                "code": n.code,
                "title": n.title,
                "value": lines[n.pk].value if n.pk in lines else None,
                "progress": lines[n.pk].progress if n.pk in lines else "",
                "problems": lines[n.pk].problems if n.pk in lines else "",
                "next_steps": lines[n.pk].next_steps if n.pk in lines else "",
            }
            for n in services.reported_nodes(period.plan, department_id)
        ],
    }


@router.get("/plans/{year}/reports/{month}", response=ReportOut, summary="A department's monthly report")
def report_read(request: AuthedRequest, year: Year, month: str, department: str | None = None) -> Any:
    """Your own department's report; leaders and the plan office name a department and see it
    once approved."""
    ensure_business(request.user)
    period = selectors.period_of(_plan(year), month)
    user = request.user
    if department and (is_leader(user) or services.is_office(user)):
        department_id = get_object_or_404(Department, code=department).pk
    elif user.department_id:
        department_id = user.department_id
    else:
        raise PermissionDenied("请指定部门。")
    return _report_out(period, department_id, user)


@router.put("/plans/{year}/reports/{month}", response=ReportOut, summary="Save (and submit) your report")
def report_write(request: AuthedRequest, year: Year, month: str, payload: ReportIn) -> Any:
    ensure_business(request.user)
    plan = _plan(year)
    period = selectors.period_of(plan, month)
    codes = dict(plan.nodes.values_list("code", "pk"))
    lines = {}
    for line in payload.lines:
        if line.code not in codes:
            raise PermissionDenied(f"没有编号为 {line.code} 的节点。")
        lines[codes[line.code]] = line.dict()
    services.report_save(actor=request.user, period=period, lines=lines, submit=payload.submit)
    return _report_out(period, int(request.user.department_id or 0), request.user)


class ReviewIn(Schema):
    reason: str = ""


@router.post(
    "/plans/{year}/reports/{month}/{action}", response=ReportOut, summary="approve or return (the head)"
)
def report_review(request: AuthedRequest, year: Year, month: str, action: str, payload: ReviewIn) -> Any:
    ensure_business(request.user)
    period = selectors.period_of(_plan(year), month)
    report = get_object_or_404(period.reports, department_id=request.user.department_id)
    if action == "approve":
        services.report_approve(actor=request.user, report=report)
    elif action == "return":
        services.report_return(actor=request.user, report=report, reason=payload.reason)
    else:
        raise PermissionDenied("没有这个操作。")
    return _report_out(period, report.department_id, request.user)


class KpiScoreOut(Schema):
    code: str
    points: Number | None
    formula: str = Field(description="how the points were reached, with the numbers")


class ScoreOut(Schema):
    rank: int | None
    department: str
    kpi_points: Number | None
    late: int
    late_points: Number
    failed_supervisions: int
    supervision_points: Number
    total: Number
    kpis: list[KpiScoreOut]


@router.get("/plans/{year}/scores", response=list[ScoreOut])
def plan_scores(request: AuthedRequest, year: Year, month: int | None = None) -> Any:
    ensure_business(request.user)
    plan = _plan(year)
    return [
        {
            "rank": s.rank or None,
            "department": s.department.code,
            "kpi_points": s.kpi_points,
            "late": s.late,
            "late_points": s.late_points,
            "failed_supervisions": s.failed,
            "supervision_points": s.failed_points,
            "total": s.total,
            "kpis": [{"code": k.status.node.code, "points": k.points, "formula": k.formula} for k in s.kpis],
        }
        for s in scoring.scores(plan, _month(plan, month))
    ]


class SupervisionIn(Schema):
    requirement: str
    due_on: dt.date


class SupervisionOut(Schema):
    number: str
    node: str
    department: str | None
    state: str
    state_label: str
    due_on: dt.date | None
    due_on_estimated: bool = Field(
        description="the deadline lies past the last year of holiday arrangements entered: counted Monday to Friday"
    )
    deadline: str
    requirement: str
    outcome: str
    version: int
    actions: list[str]


def _supervision_out(user: Any, found: Supervision) -> dict[str, Any]:
    item = found.item
    return {
        "number": item.number,
        "node": found.node.code,
        "department": item.department.code if item.department else None,
        "state": item.state,
        "state_label": str(STATES.get(item.state, item.state)),
        "due_on": item.due_on,
        "due_on_estimated": not calendar().knows(item.due_on),
        "deadline": engine.deadline_state(item),
        "requirement": found.requirement,
        "outcome": found.outcome,
        "version": item.version,
        "actions": [t.action for t in KIND.available(user, item)],
    }


@router.post(
    "/plans/{year}/nodes/{code}/supervision",
    response={201: SupervisionOut},
    summary="Put a node under supervision (leaders)",
)
def supervision_open(request: AuthedRequest, year: Year, code: str, payload: SupervisionIn) -> Any:
    ensure_business(request.user)
    node = get_object_or_404(Node, plan=_plan(year), code=code)
    found = services.supervision_open(
        actor=request.user, node=node, requirement=payload.requirement, due_on=payload.due_on
    )
    return Status(201, _supervision_out(request.user, found))


def _supervision(number: str) -> Supervision:
    return get_object_or_404(
        Supervision.objects.select_related("item", "node", "item__department"), item__number=number
    )


@router.get("/supervision/{number}", response=SupervisionOut)
def supervision_read(request: AuthedRequest, number: str) -> Any:
    ensure_business(request.user)
    return _supervision_out(request.user, _supervision(number))


class SupervisionActionIn(Schema):
    version: int = Field(description="the version you saw; a mismatch answers 409")
    comment: str = ""
    days: int | None = Field(default=None, description="ask_extension: the working days asked for")


@router.post(
    "/supervision/{number}/actions/{action}",
    response=SupervisionOut,
    summary="respond, send_back, conclude_done, conclude_failed, comment, ask/approve/refuse_extension",
)
def supervision_action(request: AuthedRequest, number: str, action: str, payload: SupervisionActionIn) -> Any:
    ensure_business(request.user)
    found = _supervision(number)
    services.supervision_act(
        actor=request.user,
        supervision=found,
        action=action,
        version=payload.version,
        comment=payload.comment,
        days=payload.days,
    )
    return _supervision_out(request.user, _supervision(number))
