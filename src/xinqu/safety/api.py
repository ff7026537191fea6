"""Hazards in the API: report, list, read and act, with the pages' rules (409 when stale)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from xinqu.core.access import AuthedRequest, attach_shown, ensure_business, shown_name
from xinqu.core.models import Department
from xinqu.core.workdays import WorkCalendar, calendar
from xinqu.enterprises.selectors import enterprise_by_credit_code
from xinqu.safety import services
from xinqu.safety.flow import KIND, STATES
from xinqu.safety.models import Hazard
from xinqu.safety.selectors import hazard_for, hazards_for, light

router = Router(tags=["safety"])


class HazardOut(Schema):
    number: str
    state: str
    state_label: str
    level: str
    enterprise: str
    credit_code: str
    location: str
    description: str
    department: str | None
    owner: str
    due_on: dt.date | None
    due_on_estimated: bool = Field(
        description="the deadline lies past the last year of holiday arrangements entered: counted Monday to Friday"
    )
    light: str
    supervision_level: int
    version: int
    actions: list[str]


def _out(user: Any, hazard: Hazard, cal: WorkCalendar | None = None) -> dict[str, Any]:
    item = hazard.item
    enterprise = getattr(hazard, "enterprise_shown", None) or shown_name(user, hazard.enterprise)
    return {
        "number": item.number,
        "state": item.state,
        "state_label": str(STATES.get(item.state, item.state)),
        "level": hazard.level,
        "enterprise": enterprise.name,
        "credit_code": hazard.enterprise.credit_code if enterprise.visible else "",
        "location": hazard.location,
        "description": hazard.description,
        "department": item.department.name if item.department else None,
        "owner": hazard.owner,
        "due_on": item.due_on,
        "due_on_estimated": not (cal or calendar()).knows(item.due_on),
        "light": light(hazard, cal),
        "supervision_level": item.supervision_level,
        "version": item.version,
        "actions": [t.action for t in KIND.available(user, item)],
    }


class HazardIn(Schema):
    credit_code: str
    level: str = Field(description="general or major")
    location: str
    description: str
    inspected_on: dt.date
    announced: bool = False
    override_reason: str = ""


class HazardActionIn(Schema):
    version: int
    comment: str = ""
    department: str | None = Field(default=None, description="department code, to assign")
    owner: str = ""
    due_on: dt.date | None = None
    days: int | None = Field(default=None, description="ask_extension: the working days asked for")


@router.post("/hazards", response={201: HazardOut}, summary="Report a hazard found in an inspection")
def report(request: AuthedRequest, payload: HazardIn) -> Any:
    ensure_business(request.user)
    enterprise = enterprise_by_credit_code(request.user, payload.credit_code)
    if enterprise is None:
        raise ValidationError({"credit_code": ["企业名录中没有这个统一社会信用代码。"]})
    data = payload.dict()
    data.pop("credit_code")
    hazard = services.hazard_report(actor=request.user, enterprise=enterprise, **data)
    return Status(201, _out(request.user, hazard))


@router.get("/hazards", response=list[HazardOut], summary="Hazards, open ones first by deadline")
def hazard_list(request: AuthedRequest, state: str | None = None) -> Any:
    ensure_business(request.user)
    found = hazards_for(request.user).order_by("item__due_on", "-item__opened_at")
    if state:
        found = found.filter(item__state=state)
    cal = calendar()
    return [_out(request.user, h, cal) for h in attach_shown(request.user, found[:500], "enterprise")]


@router.get("/hazards/{number}", response=HazardOut)
def hazard_read(request: AuthedRequest, number: str) -> Any:
    ensure_business(request.user)
    return _out(request.user, hazard_for(request.user, number))


@router.post(
    "/hazards/{number}/actions/{action}",
    response=HazardOut,
    summary="assign, submit_evidence, send_back, verify, comment",
)
def hazard_action(request: AuthedRequest, number: str, action: str, payload: HazardActionIn) -> Any:
    return _act(request, number, action, **payload.dict())


def _act(
    request: AuthedRequest, number: str, action: str, *, department: str | None = None, **fields: Any
) -> Any:
    """Both act endpoints: the department by its code, the rest as the service takes it."""
    ensure_business(request.user)
    services.hazard_act(
        actor=request.user,
        hazard=hazard_for(request.user, number),
        action=action,
        department=get_object_or_404(Department, code=department) if department else None,
        **fields,
    )
    return _out(request.user, hazard_for(request.user, number))


class LinkOut(Schema):
    number: str
    link: str = Field(description="the enterprise's page for its rectification evidence; shown once")


@router.post(
    "/hazards/{number}/enterprise-link",
    response=LinkOut,
    summary="A new secret link for the enterprise to submit its evidence (the old one stops working)",
)
def hazard_enterprise_link(request: AuthedRequest, number: str) -> Any:
    ensure_business(request.user)
    hazard = hazard_for(request.user, number)
    token = services.hazard_link(actor=request.user, hazard=hazard)
    return {
        "number": number,
        "link": request.build_absolute_uri(reverse("safety:rectify", args=[number, token])),
    }


@router.post(
    "/hazards/{number}/actions/{action}/files",
    response=HazardOut,
    summary="Act on a hazard with attachments (multipart), e.g. submit_evidence with photos",
)
def hazard_action_with_files(
    request: AuthedRequest,
    number: str,
    action: str,
    files: list[UploadedFile] = File(...),  # noqa: B008
    version: int = Form(...),
    comment: str = Form(""),
) -> Any:
    return _act(request, number, action, version=version, comment=comment, attachments=files)
