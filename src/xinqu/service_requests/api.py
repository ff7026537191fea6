"""Service requests in the API: file, list, read and act, with the pages' rules. An action names
the version the caller saw; when someone acted since, the answer is 409 with the current state."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from xinqu.core.access import AuthedRequest, ensure_business
from xinqu.core.api import PageOf, Pages
from xinqu.core.models import Department
from xinqu.core.numbers import json_number
from xinqu.core.params import Year
from xinqu.core.workdays import WorkCalendar, calendar
from xinqu.service_requests import metrics, services
from xinqu.service_requests.flow import KIND, STATES
from xinqu.service_requests.models import Category, ServiceRequest
from xinqu.service_requests.selectors import queue_items, request_for, with_requests
from xinqu.workflow import engine

router = Router(tags=["service requests"])


class RequestOut(Schema):
    number: str
    state: str
    state_label: str
    category: str
    enterprise_name: str
    credit_code: str | None
    title: str
    department: str | None
    due_on: dt.date | None
    due_on_estimated: bool = Field(
        description="the deadline lies past the last year of holiday arrangements entered: counted Monday to Friday"
    )
    deadline: str
    supervision_level: int
    version: int
    outcome: str
    rating: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


def _out(sr: ServiceRequest, cal: WorkCalendar | None = None) -> dict[str, Any]:
    item = sr.item
    return {
        "number": item.number,
        "state": item.state,
        "state_label": str(STATES.get(item.state, item.state)),
        "category": sr.category.name,
        "enterprise_name": sr.enterprise_name,
        "credit_code": sr.enterprise.credit_code if sr.enterprise else None,
        "title": item.title,
        "department": item.department.name if item.department else None,
        "due_on": item.due_on,
        "due_on_estimated": not (cal or calendar()).knows(item.due_on),
        "deadline": engine.deadline_state(item, cal=cal),
        "supervision_level": item.supervision_level,
        "version": item.version,
        "outcome": sr.outcome,
        "rating": sr.rating,
        "opened_at": item.opened_at,
        "closed_at": item.closed_at,
    }


class EventOut(Schema):
    at: dt.datetime
    by: str
    action: str
    from_state: str
    to_state: str
    department: str | None
    comment: str
    public: bool
    attachments: list[str] = Field(default_factory=list, description="file names")


class RequestDetailOut(RequestOut):
    description: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    actions: list[str]
    timeline: list[EventOut]


class RequestIn(Schema):
    category: str = Field(description="category name")
    enterprise_name: str
    credit_code: str = ""
    contact_name: str
    contact_phone: str = Field(default="", description="a phone, an e-mail address or both")
    contact_email: str = ""
    address: str = ""
    description: str


class FiledOut(RequestOut):
    token: str = Field(description="the requester's secret link token: shown once, never stored")


class ActionIn(Schema):
    version: int = Field(description="the version you saw (from the request); a mismatch answers 409")
    comment: str = ""
    department: str | None = Field(default=None, description="department code, to dispatch or transfer")
    outcome: str = ""
    days: int | None = Field(default=None, description="ask_extension: the working days asked for")


@router.post("/service-requests", response={201: FiledOut}, summary="File a request for an enterprise")
def file_request(request: AuthedRequest, payload: RequestIn) -> Any:
    ensure_business(request.user)
    category = get_object_or_404(Category, name=payload.category)
    sr, token = services.request_file(
        actor=request.user,
        category=category,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        address=payload.address,
        description=payload.description,
    )
    return Status(201, {**_out(sr), "token": token})


@router.get("/service-requests", response=list[RequestOut], summary="Requests you may see")
@paginate(Pages)
def list_requests(request: AuthedRequest, state: str = "all", q: str = "") -> Any:
    """state: "open" (by deadline), a state, or "all" (newest first); q: number, enterprise or text."""
    ensure_business(request.user)
    cal = calendar()
    return PageOf(
        queue_items(request.user, state, q.strip()),
        lambda items: [_out(sr, cal) for sr in with_requests(items)],
    )


def _detail(user: Any, sr: ServiceRequest) -> dict[str, Any]:
    return {
        **_out(sr),
        "description": sr.description,
        "contact_name": sr.contact_name,
        "contact_phone": sr.contact_phone,
        "contact_email": sr.contact_email,
        "address": sr.address,
        "actions": [t.action for t in KIND.available(user, sr.item) if not t.action.startswith("rate_")],
        "timeline": [
            {
                "at": e.at,
                "by": e.actor_label,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "department": e.department.name if e.department else None,
                "comment": e.comment,
                "public": e.public,
                "attachments": [a.name for a in e.attachments.all()],
            }
            for e in sr.item.events.select_related("department").prefetch_related("attachments")
        ],
    }


class RateOut(Schema):
    key: str
    label: str
    definition: str


class MetricRowOut(Schema):
    label: str
    rank: int | None = Field(description="the department's place in the league (by 按时办结率, then 满意率)")
    counts: dict[str, int] = Field(description="the counts the rates divide, by name")
    rates: dict[str, float | None] = Field(description="each rate in percent, one decimal, rounded half up")
    average_days: float | None = Field(description="average working days from acceptance to first reply")


class MetricsOut(Schema):
    year: int
    by: str
    through: dt.date | None
    rates: list[RateOut] = Field(description="each rate's definition, as the page states it")
    total: MetricRowOut
    rows: list[MetricRowOut]


def _metric_row(row: metrics.MetricRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "rank": row.rank,
        "counts": row.counts,
        "rates": {key: json_number(value, 1) for key, value in row.rates.items()},
        "average_days": json_number(row.average_days, 1),
    }


@router.get(
    "/service-requests/metrics",
    response=MetricsOut,
    summary="The service-request rates by the 12345 definitions: the rows the metrics page shows",
)
def read_metrics(
    request: AuthedRequest,
    year: Year,
    by: Literal["department", "category", "area", "month"] = "department",
    through: dt.date | None = None,
) -> Any:
    """``through``: only requests filed up to that day's month."""
    ensure_business(request.user)
    result = metrics.metrics(year=year, by=by, through=through)
    return {
        "year": year,
        "by": by,
        "through": through,
        "rates": [
            {"key": rate.key, "label": str(rate.label), "definition": text}
            for rate, text in metrics.definitions()
        ],
        "total": _metric_row(result["total"]),
        "rows": [_metric_row(row) for row in result["rows"]],
    }


@router.get("/service-requests/{number}", response=RequestDetailOut, summary="One request with its timeline")
def read_request(request: AuthedRequest, number: str) -> Any:
    ensure_business(request.user)
    return _detail(request.user, request_for(request.user, number))


@router.post(
    "/service-requests/{number}/actions/{action}",
    response=RequestDetailOut,
    summary="Act on a request (accept, dispatch, sign_for, reply …)",
)
def act(request: AuthedRequest, number: str, action: str, payload: ActionIn) -> Any:
    return _act(request, number, action, **payload.dict())


def _act(
    request: AuthedRequest,
    number: str,
    action: str,
    *,
    department: str | None,
    attachments: Any = (),
    **fields: Any,
) -> Any:
    """Both act endpoints: the department by its code, the rest as the service takes it."""
    ensure_business(request.user)
    sr = request_for(request.user, number)
    services.request_act(
        actor=request.user,
        request=sr,
        action=action,
        department=get_object_or_404(Department, code=department) if department else None,
        attachments=attachments,
        **fields,
    )
    sr.item.refresh_from_db()  # the caller acted on it, so it is shown even if it moved on
    return _detail(request.user, sr)


class MergeIn(Schema):
    into: str = Field(description="the number of the request this one duplicates")
    comment: str = ""


@router.post(
    "/service-requests/{number}/merge",
    response=RequestDetailOut,
    summary="Close a duplicate as merged into another request (the service centre)",
)
def merge(request: AuthedRequest, number: str, payload: MergeIn) -> Any:
    ensure_business(request.user)
    sr = request_for(request.user, number)
    services.request_merge(
        actor=request.user, request=sr, into_number=payload.into.strip(), comment=payload.comment
    )
    sr.item.refresh_from_db()
    return _detail(request.user, sr)


@router.post(
    "/service-requests/{number}/actions/{action}/files",
    response=RequestDetailOut,
    summary="Act on a request with attachments (multipart: the same fields as form fields, plus files)",
)
def act_with_files(
    request: AuthedRequest,
    number: str,
    action: str,
    files: list[UploadedFile] = File(...),  # noqa: B008
    version: int = Form(...),
    comment: str = Form(""),
    department: str = Form(""),
    outcome: str = Form(""),
) -> Any:
    """PDF, JPG, PNG, Word or Excel, checked by their bytes, each within the size limit; a refused
    file leaves the request as it was."""
    return _act(
        request,
        number,
        action,
        department=department,
        attachments=files,
        version=version,
        comment=comment,
        outcome=outcome,
    )
