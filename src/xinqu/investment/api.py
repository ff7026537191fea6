"""Investment attraction in the API, with the pages' rules: a lead is visible to its team and the
leaders until signed (others get 404), and only its team changes it."""

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
from xinqu.core.models import Department, OrgUnit
from xinqu.core.params import Year
from xinqu.investment import selectors, services
from xinqu.investment.models import Lead, Referrer

router = Router(tags=["investment"])


class LeadOut(Schema):
    code: str
    name: str
    company: str
    credit_code: str
    origin: str
    country: str
    source: str
    referrer: str | None
    talent_project: bool
    stage: str
    currency: str
    amount: Number = Field(description="万, in the lead's currency")
    amount_cny: Number = Field(description="万元 at the rate of the day it was entered")
    signed_on: dt.date | None
    contract_cny: Number | None
    land_by: dt.date | None
    start_by: dt.date | None
    landed_on: dt.date | None
    project: str | None = Field(description="the project's code in the ledger")
    department: str
    officer: str | None
    last_activity_on: dt.date | None


def _out(lead: Lead) -> dict[str, Any]:
    return {
        "code": lead.code,
        "name": lead.name,
        "company": lead.company,
        "credit_code": lead.credit_code,
        "origin": lead.origin,
        "country": lead.country,
        "source": lead.source,
        "referrer": lead.referrer.name if lead.referrer else None,
        "talent_project": lead.talent_project,
        "stage": selectors.stage_of(lead),
        "currency": lead.currency,
        "amount": lead.amount,
        "amount_cny": lead.amount_cny,
        "signed_on": lead.signed_on,
        "contract_cny": lead.contract_cny,
        "land_by": lead.land_by,
        "start_by": lead.start_by,
        "landed_on": lead.landed_on,
        "project": lead.project.code if lead.project else None,
        "department": lead.department.code,
        "officer": lead.officer.username if lead.officer else None,
        "last_activity_on": lead.last_activity_on,
    }


@router.get("/leads", response=list[LeadOut], summary="Leads, filtered as the list page")
@paginate(Pages)
def leads_list(
    request: AuthedRequest,
    q: str = "",
    stage: str = "",
    source: str = "",
    origin: str = "",
    flag: str = "",
    mine: bool = False,
) -> Any:
    ensure_business(request.user)
    params = {"q": q, "stage": stage, "source": source, "origin": origin, "flag": flag, "mine": mine}
    return PageOf(selectors.filtered(request.user, params), lambda rows: [_out(x) for x in rows])


def _lead(request: AuthedRequest, code: str) -> Lead:
    return get_object_or_404(selectors.leads_for(request.user), code=code)


class LeadDetailOut(LeadOut):
    steps: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    payments: list[dict[str, Any]]


@router.get("/leads/{code}", response=LeadDetailOut)
def lead_read(request: AuthedRequest, code: str) -> Any:
    ensure_business(request.user)
    lead = _lead(request, code)
    return {
        **_out(lead),
        "steps": list(lead.steps.values("stage", "on", "note")),
        "documents": list(lead.documents.values("kind", "name", "uploaded_at")),
        "activities": list(lead.activities.values("kind", "on", "summary", "next_step", "next_on")[:100]),
        "payments": list(
            lead.payments.values(
                "on", "currency", "amount", "rate", "amount_cny", "amount_usd", "kind", "origin"
            )
        ),
    }


class LeadIn(Schema):
    name: str
    company: str
    origin: str = Field(description="province | city | local | foreign")
    source: str = Field(description="agency | ambassador | referral | exhibition | walk_in")
    amount: Decimal = Field(description="万, in currency")
    currency: str = "CNY"
    country: str = ""
    credit_code: str = ""
    referrer: int | None = Field(default=None, description="an agency's or ambassador's id")
    chain_role: str = ""
    chain_leader: bool = False
    talent_project: bool = Field(default=False, description="a high-tech talent project (高科技人才产业项目)")
    confidential: bool = False
    on: dt.date | None = Field(default=None, description="the day it came in (today by default)")


@router.post("/leads", response={201: LeadOut}, summary="Register a lead for your team")
def lead_create(request: AuthedRequest, payload: LeadIn) -> Any:
    ensure_business(request.user)
    data = payload.dict()
    on = data.pop("on")
    referrer = data.pop("referrer")
    data["referrer"] = get_object_or_404(Referrer, pk=referrer) if referrer else None
    saved = services.lead_create(actor=request.user, on=on, **data)
    return Status(201, _out(_lead(request, saved.code)))


class MoveIn(Schema):
    stage: str
    on: dt.date
    note: str = ""
    contract_amount: Decimal | None = None
    land_by: dt.date | None = None
    start_by: dt.date | None = None


@router.post("/leads/{code}/stage", response=LeadOut, summary="Move a lead forward (gates checked)")
def lead_stage(request: AuthedRequest, code: str, payload: MoveIn) -> Any:
    ensure_business(request.user)
    services.lead_move(actor=request.user, lead=_lead(request, code), **payload.dict())
    return _out(_lead(request, code))


class ActivityIn(Schema):
    kind: str
    on: dt.date
    summary: str
    next_step: str = ""
    next_on: dt.date | None = None


@router.post("/leads/{code}/activities", response={201: LeadOut})
def lead_activity(request: AuthedRequest, code: str, payload: ActivityIn) -> Any:
    ensure_business(request.user)
    services.activity_add(actor=request.user, lead=_lead(request, code), **payload.dict())
    return Status(201, _out(_lead(request, code)))


class PaymentIn(Schema):
    on: dt.date
    amount: Decimal = Field(description="万, in currency")
    currency: str = "CNY"
    kind: str = "fixed"
    origin: str | None = None
    note: str = ""
    confirm_over: bool = False


@router.post("/leads/{code}/payments", response={201: LeadDetailOut}, summary="Record paid-in capital")
def lead_payment(request: AuthedRequest, code: str, payload: PaymentIn) -> Any:
    ensure_business(request.user)
    services.payment_add(actor=request.user, lead=_lead(request, code), **payload.dict())
    return Status(201, lead_read(request, code))


class LandIn(Schema):
    on: dt.date
    credit_code: str
    area: str = Field(description="area code")
    park: str | None = None
    project_kind: str = "industrial"
    link_existing: bool = False


@router.post("/leads/{code}/land", response=LeadOut, summary="Land: register the enterprise and the project")
def lead_land(request: AuthedRequest, code: str, payload: LandIn) -> Any:
    ensure_business(request.user)
    area = OrgUnit.objects.filter(code=payload.area, kind=OrgUnit.Kind.AREA).first()
    if area is None:
        raise ValidationError({"area": ["没有这个功能区。"]})
    park = OrgUnit.objects.filter(code=payload.park, kind=OrgUnit.Kind.PARK).first() if payload.park else None
    services.lead_land(
        actor=request.user,
        lead=_lead(request, code),
        on=payload.on,
        credit_code=payload.credit_code,
        area=area,
        park=park,
        project_kind=payload.project_kind,
        link_existing=payload.link_existing,
    )
    return _out(_lead(request, code))


@router.get("/leads-funnel", summary="The funnel for a year, as the funnel page")
def leads_funnel(request: AuthedRequest, year: Year, by: str = "") -> Any:
    ensure_business(request.user)
    result = selectors.funnel(request.user, year, by if by in selectors.BY else "")
    if result["by"] == "department":  # teams by their department code
        codes = dict(Department.objects.values_list("pk", "code"))
        for group in result["groups"]:
            group["key"] = codes.get(group["key"], group["key"])
    return {
        "year": result["year"],
        "by": result["by"],
        "groups": [
            {
                "key": g["key"],
                "stages": [
                    {
                        "stage": c["stage"],
                        "leads": c["n"],
                        "amount_cny": str(c["amount"]),
                        "conversion": c["conversion"],
                    }
                    for c in g["cells"]
                ],
            }
            for g in result["groups"]
        ],
        "median_days": result["median_days"],
    }
