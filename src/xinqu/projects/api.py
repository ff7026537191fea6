"""The project ledger in the API, with the pages' rules: list and read, create and change, move
the stage, report a month, milestones and year plans, statistics, the meeting list, problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from xinqu.core.access import AuthedRequest, ensure_business
from xinqu.core.api import Number, PageOf, Pages
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.numbers import json_number
from xinqu.core.params import Year
from xinqu.enterprises.selectors import enterprise_by_credit_code
from xinqu.projects import selectors, services
from xinqu.projects.flow import KIND, STATES
from xinqu.projects.models import Problem, Project

router = Router(tags=["projects"])


class ProjectOut(Schema):
    code: str
    name: str
    kind: str
    area: str
    park: str | None
    total_investment: Number
    size_band: str
    stage: str
    planned_signed_on: dt.date | None
    signed_on: dt.date | None
    planned_landed_on: dt.date | None
    landed_on: dt.date | None
    planned_start_on: dt.date | None
    started_on: dt.date | None
    completed_on: dt.date | None
    operating_on: dt.date | None
    registered_on: dt.date | None
    registration_overdue: bool
    leader: str | None
    department: str
    light: str


def _out(p: Project) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "area": p.area.code,
        "park": p.park.code if p.park else None,
        "total_investment": p.total_investment,
        "size_band": selectors.band_of(p.total_investment),
        "stage": p.stage,
        "planned_signed_on": p.planned_signed_on,
        "signed_on": p.signed_on,
        "planned_landed_on": p.planned_landed_on,
        "landed_on": p.landed_on,
        "planned_start_on": p.planned_start_on,
        "started_on": p.started_on,
        "completed_on": p.completed_on,
        "operating_on": p.operating_on,
        "registered_on": p.registered_on,
        "registration_overdue": selectors.registration_overdue(p),
        "leader": p.leader.username if p.leader else None,
        "department": p.department.code,
        "light": p.light,
    }


def _filters(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v not in (None, "")}


@router.get("/projects", response=list[ProjectOut], summary="The ledger, filtered as the list page")
@paginate(Pages)
def projects_list(
    request: AuthedRequest,
    q: str = "",
    stage: str = "",
    kind: str = "",
    light: str = "",
    band: str = "",
    area: int | None = None,
    park: int | None = None,
    leader: int | None = None,
) -> Any:
    ensure_business(request.user)
    params = _filters(
        q=q, stage=stage, kind=kind, light=light, band=band, area=area, park=park, leader=leader
    )
    return PageOf(selectors.filtered(params), lambda rows: [_out(p) for p in rows])


def _project(code: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("area", "park", "leader", "department"), code=code
    )


class ProjectDetailOut(ProjectOut):
    milestones: list[dict[str, Any]]
    years: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    light_changes: list[dict[str, Any]]


@router.get("/projects/{code}", response=ProjectDetailOut)
def project_read(request: AuthedRequest, code: str) -> Any:
    ensure_business(request.user)
    p = _project(code)
    return {
        **_out(p),
        "milestones": list(p.milestones.values("kind", "planned_on", "actual_on")),
        "years": list(
            p.years.values("year", "planned_investment", "planned_to_start", "completed_investment")
        ),
        "reports": list(
            p.reports.order_by("-month").values(
                "month", "investment", "investment_ytd", "investment_total", "workers", "progress"
            )[:24]
        ),
        "light_changes": list(p.light_changes.values("at", "before", "after", "reason")[:20]),
    }


class ProjectIn(Schema):
    name: str
    kind: str
    area: str = Field(description="area code")
    park: str | None = Field(default=None, description="park code (of that area)")
    total_investment: Decimal = Field(description="万元")
    planned_signed_on: dt.date | None = None
    planned_landed_on: dt.date | None = None
    planned_start_on: dt.date | None = None
    registered_on: dt.date | None = None
    credit_code: str = Field(default="", description="the builder's credit code, from the registry")
    leader: str | None = Field(default=None, description="a leader's username")
    department: str | None = Field(default=None, description="department code (default: yours)")


@router.put(
    "/projects/{code}", response={200: ProjectOut, 201: ProjectOut}, summary="Create or change a project"
)
def project_put(request: AuthedRequest, code: str, payload: ProjectIn) -> Any:
    ensure_business(request.user)
    existing = Project.objects.filter(code=code).first()
    enterprise = None
    if payload.credit_code:
        enterprise = enterprise_by_credit_code(request.user, payload.credit_code)
        if enterprise is None:
            raise ValidationError({"credit_code": ["企业名录中没有这个统一社会信用代码。"]})
    fields: dict[str, Any] = {
        "code": code,
        "name": payload.name,
        "kind": payload.kind,
        "area": get_object_or_404(OrgUnit, code=payload.area, kind=OrgUnit.Kind.AREA),
        "park": get_object_or_404(OrgUnit, code=payload.park) if payload.park else None,
        "total_investment": payload.total_investment,
        "planned_signed_on": payload.planned_signed_on,
        "planned_landed_on": payload.planned_landed_on,
        "planned_start_on": payload.planned_start_on,
        "registered_on": payload.registered_on,
        "enterprise": enterprise,
        "leader": get_object_or_404(User, username=payload.leader, role="leader") if payload.leader else None,
    }
    if payload.department:
        fields["department"] = get_object_or_404(Department, code=payload.department)
    saved = services.project_save(actor=request.user, project=existing, **fields)
    return Status(200 if existing else 201, _out(_project(saved.code)))


class MoveIn(Schema):
    stage: str
    on: dt.date | None = None
    reason: str = ""


@router.post("/projects/{code}/stage", response=ProjectOut, summary="Move the project to a stage")
def project_stage(request: AuthedRequest, code: str, payload: MoveIn) -> Any:
    ensure_business(request.user)
    services.project_move(
        actor=request.user, project=_project(code), stage=payload.stage, on=payload.on, reason=payload.reason
    )
    return _out(_project(code))


class ReportIn(Schema):
    investment: Decimal = Field(description="the month's investment, 万元")
    workers: int = 0
    progress: str = ""
    confirm_over_total: bool = False


@router.put("/projects/{code}/reports/{month}", response=ProjectDetailOut, summary="Report a month (YYYY-MM)")
def project_report(request: AuthedRequest, code: str, month: str, payload: ReportIn) -> Any:
    ensure_business(request.user)
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValidationError({"month": ["月份应写作 2024-05。"]}) from None
    services.report_save(actor=request.user, project=_project(code), month=first, **payload.dict())
    return project_read(request, code)


class MilestoneIn(Schema):
    planned_on: dt.date | None = None
    actual_on: dt.date | None = None


@router.put("/projects/{code}/milestones/{kind}", response=ProjectDetailOut)
def project_milestone(request: AuthedRequest, code: str, kind: str, payload: MilestoneIn) -> Any:
    ensure_business(request.user)
    services.milestone_save(actor=request.user, project=_project(code), kind=kind, **payload.dict())
    return project_read(request, code)


class YearIn(Schema):
    planned_investment: Decimal
    planned_to_start: bool = True
    resumed_on: dt.date | None = Field(
        default=None, description="复工日期: a 续建 project counts as 复工 from then"
    )


@router.put("/projects/{code}/years/{year}", response=ProjectDetailOut)
def project_year(request: AuthedRequest, code: str, year: Year, payload: YearIn) -> Any:
    ensure_business(request.user)
    services.year_plan_save(actor=request.user, project=_project(code), year=year, **payload.dict())
    return project_read(request, code)


@router.get("/projects-statistics", summary="Counts and investment by stage, area, park, chain, band or kind")
def project_statistics(request: AuthedRequest, year: Year, by: str = "stage", scope: str = "50m") -> Any:
    ensure_business(request.user)
    if by not in selectors.DIMENSIONS:
        raise ValidationError({"by": [f"one of {', '.join(selectors.DIMENSIONS)}"]})
    result = selectors.statistics(year, by, min_total=Decimal(5_000) if scope == "50m" else None)
    row = lambda r: {  # noqa: E731
        "key": r.key,
        "label": r.label,
        "projects": r.projects,
        "total_investment": json_number(r.total_investment, 2),
        "planned": json_number(r.planned, 2),
        "completed": json_number(r.completed, 2),
        "new_starts": r.new_starts,
        "resumed": r.resumed,
    }
    return {
        "year": year,
        "by": by,
        "as_of": result.as_of,
        "started_or_resumed": result.started_or_resumed,
        "planned_to_start": result.planned_to_start,
        "start_rate": json_number(result.start_rate, 1),
        "industrial_share": json_number(result.industrial_share, 1),
        "landed": result.landed,
        "rows": [row(r) for r in result.rows],
        "total": row(result.total),
    }


@router.get("/projects-meeting", summary="The scheduling meeting's list, grouped by area and leader")
def project_meeting(
    request: AuthedRequest,
    area: int | None = None,
    leader: int | None = None,
    light: str = "",
    stage: str = "",
) -> Any:
    ensure_business(request.user)
    params = _filters(area=area, leader=leader, light=light, stage=stage)
    groups = selectors.meeting(selectors.filtered(params))
    return [
        {
            "area": area,
            "leader": leader,
            "projects": [
                {
                    **_out(r.project),
                    "overdue_milestones": r.overdue_milestones,
                    "open_problems": r.open_problems,
                }
                for r in rows
            ],
        }
        for (area, leader), rows in groups.items()
    ]


class ProblemIn(Schema):
    department: str = Field(description="the department that must solve it (code)")
    description: str


class ProblemOut(Schema):
    number: str
    project: str
    department: str | None
    state: str
    state_label: str
    due_on: dt.date | None
    description: str
    version: int
    actions: list[str]


def _problem_out(user: Any, problem: Problem) -> dict[str, Any]:
    item = problem.item
    return {
        "number": item.number,
        "project": problem.project.code,
        "department": item.department.code if item.department else None,
        "state": item.state,
        "state_label": str(STATES.get(item.state, item.state)),
        "due_on": item.due_on,
        "description": problem.description,
        "version": item.version,
        "actions": [t.action for t in KIND.available(user, item)],
    }


@router.post(
    "/projects/{code}/problems",
    response={201: ProblemOut},
    summary="Send a project's problem to a department",
)
def problem_open(request: AuthedRequest, code: str, payload: ProblemIn) -> Any:
    ensure_business(request.user)
    problem = services.problem_open(
        actor=request.user,
        project=_project(code),
        department=get_object_or_404(Department, code=payload.department),
        description=payload.description,
    )
    return Status(201, _problem_out(request.user, problem))


class ProblemActionIn(Schema):
    version: int = Field(description="the version you saw; a mismatch answers 409")
    comment: str = ""
    department: str | None = Field(default=None, description="redirect: the department code")
    days: int | None = None


@router.post("/project-problems/{number}/actions/{action}", response=ProblemOut)
def problem_action(request: AuthedRequest, number: str, action: str, payload: ProblemActionIn) -> Any:
    ensure_business(request.user)
    problem = get_object_or_404(Problem.objects.select_related("item", "project"), item__number=number)
    services.problem_act(
        actor=request.user,
        problem=problem,
        action=action,
        version=payload.version,
        comment=payload.comment,
        department=get_object_or_404(Department, code=payload.department) if payload.department else None,
        days=payload.days,
    )
    return _problem_out(
        request.user,
        get_object_or_404(Problem.objects.select_related("item", "project"), item__number=number),
    )
