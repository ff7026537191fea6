"""The innovation registry in the API, with the pages' rules: every business role reads the
platforms open to it (a confidential one is the bureau's and the leaders'; others get 404), and
only the innovation bureau changes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from xinqu.core.access import AuthedRequest, ensure_business, shown_name
from xinqu.core.api import Number, PageOf, Pages
from xinqu.core.models import OrgUnit
from xinqu.core.params import YEAR_MAX, YEAR_MIN
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.innovation import selectors, services
from xinqu.innovation.models import InnovationProject, Platform, Talent, TalentProgramme
from xinqu.innovation.rules import level_on, mask, score

router = Router(tags=["innovation"])


class PlatformOut(Schema):
    code: str
    name: str
    kind: str
    level: str = Field(description="the highest level valid today: national | provincial | city, or empty")
    operator: str | None = Field(description="the operating enterprise, named as you may see it")
    institution: str
    park: str | None = Field(description="the park's code")
    chain_node: int | None
    space: Number | None = Field(description="square metres")
    staff: int | None
    confidential: bool
    recognitions: list[dict[str, Any]]


def _out(user: Any, platform: Platform) -> dict[str, Any]:
    recognitions = list(platform.recognitions.all())
    return {
        "code": platform.code,
        "name": platform.name,
        "kind": platform.kind,
        "level": level_on(recognitions, timezone.localdate()),
        "operator": str(shown_name(user, platform.operator).name) if platform.operator_id else None,
        "institution": platform.institution,
        "park": platform.park.code if platform.park else None,
        "chain_node": platform.chain_node_id,
        "space": platform.space,
        "staff": platform.staff,
        "confidential": platform.confidential,
        "recognitions": [
            {
                "level": r.level,
                "recognised_on": r.recognised_on,
                "valid_until": r.valid_until,
                "document": r.document,
            }
            for r in recognitions
        ],
    }


@router.get(
    "/platforms", response=list[PlatformOut], summary="Innovation platforms, filtered as the list page"
)
@paginate(Pages)
def platforms_list(
    request: AuthedRequest, q: str = "", kind: str = "", level: str = "", park: str = "", status: str = ""
) -> Any:
    ensure_business(request.user)
    params = {"q": q, "kind": kind, "level": level, "park": park, "status": status}
    return PageOf(
        selectors.filtered(request.user, params), lambda rows: [_out(request.user, p) for p in rows]
    )


def _platform(request: AuthedRequest, code: str) -> Platform:
    return get_object_or_404(selectors.platforms_for(request.user), code=code)


class PlatformDetailOut(PlatformOut):
    years: list[dict[str, Any]]


@router.get("/platforms/{code}", response=PlatformDetailOut)
def platform_read(request: AuthedRequest, code: str) -> Any:
    ensure_business(request.user)
    platform = _platform(request, code)
    recognitions = list(platform.recognitions.all())
    rule = selectors.assessment_rule()
    today = timezone.localdate()
    years = []
    for record in platform.years.all():
        held = level_on(recognitions, min(today, dt.date(record.year, 12, 31)))
        years.append(
            {
                "year": record.year,
                "incubated": record.incubated,
                "graduated": record.graduated,
                "rd_spend": record.rd_spend,
                "patents": record.patents,
                "hosted_revenue": record.hosted_revenue,
                "score": score(rule, held, record).total,
            }
        )
    return {**_out(request.user, platform), "years": years}


class PlatformIn(Schema):
    name: str
    kind: str = Field(
        description="key_lab | engineering | enterprise_centre | institute | incubator | makerspace | park | other"
    )
    level: str = Field(description="national | provincial | city")
    recognised_on: dt.date
    valid_until: dt.date | None = None
    document: str = ""
    operator: str = Field(default="", description="the operating enterprise's credit code")
    institution: str = Field(default="", description="or the operating university or institute")
    park: str = Field(default="", description="the park's code")
    chain_node: int | None = None
    space: Decimal | None = None
    staff: int | None = Field(default=None, ge=0)
    note: str = ""
    confidential: bool = False


@router.post("/platforms", response={201: PlatformOut}, summary="Register a platform with its recognition")
def platform_create(request: AuthedRequest, payload: PlatformIn) -> Any:
    ensure_business(request.user)
    services.ensure_bureau(request.user)
    data = payload.dict()
    code = data.pop("operator")
    data["operator"] = (
        get_object_or_404(Enterprise.objects.visible_to(request.user), credit_code=code) if code else None
    )
    park = data.pop("park")
    data["park"] = get_object_or_404(OrgUnit, kind="park", code=park) if park else None
    node = data.pop("chain_node")
    data["chain_node"] = get_object_or_404(IndustryNode, pk=node) if node else None
    saved = services.platform_create(actor=request.user, **data)
    return Status(201, _out(request.user, _platform(request, saved.code)))


class RecognitionIn(Schema):
    level: str
    recognised_on: dt.date
    valid_until: dt.date | None = None
    document: str = ""


@router.post("/platforms/{code}/recognitions", response={201: PlatformOut}, summary="Add a recognition")
def recognition_add(request: AuthedRequest, code: str, payload: RecognitionIn) -> Any:
    ensure_business(request.user)
    platform = _platform(request, code)
    services.recognition_add(actor=request.user, platform=platform, **payload.dict())
    return Status(201, _out(request.user, _platform(request, code)))


class YearIn(Schema):
    incubated: int = Field(ge=0)
    graduated: int = Field(ge=0)
    rd_spend: Decimal = Field(ge=0, description="万元")
    patents: int = Field(ge=0)
    hosted_revenue: Decimal = Field(ge=0, description="万元")


@router.put(
    "/platforms/{code}/years/{year}", response=PlatformDetailOut, summary="A platform's yearly record"
)
def year_put(request: AuthedRequest, code: str, year: int, payload: YearIn) -> Any:
    ensure_business(request.user)
    platform = _platform(request, code)
    services.year_save(actor=request.user, platform=platform, year=year, **payload.dict())
    return platform_read(request, code)


class ProjectOut(Schema):
    code: str
    name: str
    kind: str
    enterprise: str | None = Field(description="the enterprise that carries it, named as you may see it")
    institution: str
    platform: str | None = Field(description="the platform's code")
    started_on: dt.date
    due_on: dt.date | None
    ended_on: dt.date | None
    budget: Number = Field(description="万元")
    support: Number = Field(description="万元")
    confidential: bool
    outcomes: list[dict[str, Any]]


def _project_out(user: Any, project: InnovationProject) -> dict[str, Any]:
    return {
        "code": project.code,
        "name": project.name,
        "kind": project.kind,
        "enterprise": str(shown_name(user, project.enterprise).name) if project.enterprise_id else None,
        "institution": project.institution,
        "platform": project.platform.code if project.platform and not project.platform.confidential else None,
        "started_on": project.started_on,
        "due_on": project.due_on,
        "ended_on": project.ended_on,
        "budget": project.budget,
        "support": project.support,
        "confidential": project.confidential,
        "outcomes": [
            {
                "kind": o.kind,
                "title": o.title,
                "number": o.number,
                "achieved_on": o.achieved_on,
                "landmark": o.landmark,
                "landmark_reason": o.landmark_reason,
            }
            for o in project.outcomes.all()
        ],
    }


@router.get(
    "/innovation-projects", response=list[ProjectOut], summary="Innovation projects, as the list page"
)
@paginate(Pages)
def projects_list(
    request: AuthedRequest,
    q: str = "",
    kind: str = "",
    status: str = "",
    year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
) -> Any:
    ensure_business(request.user)
    params = {"q": q, "kind": kind, "status": status, "year": str(year or "")}
    found = selectors.projects_filtered(request.user, params).prefetch_related("outcomes")
    return PageOf(found, lambda rows: [_project_out(request.user, p) for p in rows])


def _project(request: AuthedRequest, code: str) -> InnovationProject:
    return get_object_or_404(selectors.projects_for(request.user), code=code)


@router.get("/innovation-projects/{code}", response=ProjectOut)
def project_read(request: AuthedRequest, code: str) -> Any:
    ensure_business(request.user)
    return _project_out(request.user, _project(request, code))


class ProjectIn(Schema):
    name: str
    kind: str = Field(description="high_level | academician | open_competition | cooperation | transfer")
    started_on: dt.date
    due_on: dt.date | None = None
    enterprise: str = Field(default="", description="the carrying enterprise's credit code")
    institution: str = Field(default="", description="or the carrying university or institute")
    platform: str = Field(default="", description="the platform's code")
    budget: Decimal = Field(default=Decimal(0), ge=0, description="万元")
    support: Decimal = Field(default=Decimal(0), ge=0, description="万元")
    note: str = ""
    confidential: bool = False


@router.post("/innovation-projects", response={201: ProjectOut}, summary="Register an innovation project")
def project_create(request: AuthedRequest, payload: ProjectIn) -> Any:
    ensure_business(request.user)
    services.ensure_bureau(request.user)
    data = payload.dict()
    code = data.pop("enterprise")
    data["enterprise"] = (
        get_object_or_404(Enterprise.objects.visible_to(request.user), credit_code=code) if code else None
    )
    platform = data.pop("platform")
    data["platform"] = (
        get_object_or_404(selectors.platforms_for(request.user), code=platform) if platform else None
    )
    saved = services.project_create(actor=request.user, **data)
    return Status(201, _project_out(request.user, _project(request, saved.code)))


class OutcomeIn(Schema):
    kind: str = Field(description="patent | standard | product | award | transfer")
    title: str
    achieved_on: dt.date
    number: str = ""
    landmark: bool = False
    landmark_reason: str = Field(default="", description="required for a landmark outcome (标志性成果)")


@router.post("/innovation-projects/{code}/outcomes", response={201: ProjectOut}, summary="Record an outcome")
def outcome_add(request: AuthedRequest, code: str, payload: OutcomeIn) -> Any:
    ensure_business(request.user)
    project = _project(request, code)
    services.outcome_add(actor=request.user, project=project, **payload.dict())
    return Status(201, _project_out(request.user, _project(request, code)))


class TalentOut(Schema):
    id: int
    name: str
    team: bool
    programme: str
    category: str
    id_number: str = Field(
        description="masked; the bureau reads it in full through POST /talents/{id}/personal"
    )
    phone: str = Field(description="masked")
    host_enterprise: str | None
    host_platform: str | None = Field(description="the platform's code")
    lead: str | None = Field(description="the investment lead's code (a 高科技人才产业项目)")
    recruited_on: dt.date
    service_years: int
    support_promised: Number = Field(description="万元")
    paid: Number = Field(description="万元, net of clawbacks")
    reviews: list[dict[str, Any]]


def _talent_out(user: Any, talent: Talent) -> dict[str, Any]:
    return {
        "id": talent.pk,
        "name": talent.name,
        "team": talent.team,
        "programme": talent.programme.name,
        "category": talent.programme.category,
        "id_number": mask(talent.id_number),
        "phone": mask(talent.phone),
        "host_enterprise": str(shown_name(user, talent.host_enterprise).name)
        if talent.host_enterprise_id
        else None,
        "host_platform": talent.host_platform.code
        if talent.host_platform and not talent.host_platform.confidential
        else None,
        "lead": talent.lead.code if talent.lead and _lead_open(user, talent.lead_id) else None,
        "recruited_on": talent.recruited_on,
        "service_years": talent.service_years,
        "support_promised": talent.support_promised,
        "paid": services.paid_to(talent),
        "reviews": [
            {"reviewed_on": r.reviewed_on, "score": r.score, "note": r.note, "clawed_back": r.clawed_back}
            for r in talent.reviews.all()
        ],
    }


def _lead_open(user: Any, lead_id: int | None) -> bool:
    from xinqu.investment.models import Lead

    return Lead.objects.visible_to(user).filter(pk=lead_id or 0).exists()


@router.get("/talents", response=list[TalentOut], summary="Talents recruited, personal data masked")
@paginate(Pages)
def talents_list(
    request: AuthedRequest, q: str = "", programme: int | None = None, category: str = ""
) -> Any:
    ensure_business(request.user)
    params = {"q": q, "programme": str(programme or ""), "category": category}
    return PageOf(
        selectors.talents_filtered(request.user, params),
        lambda rows: [_talent_out(request.user, t) for t in rows],
    )


def _talent(request: AuthedRequest, pk: int) -> Talent:
    return get_object_or_404(selectors.talents_for(request.user), pk=pk)


@router.get("/talents/{pk}", response=TalentOut)
def talent_read(request: AuthedRequest, pk: int) -> Any:
    ensure_business(request.user)
    return _talent_out(request.user, _talent(request, pk))


class PersonalOut(Schema):
    id_number: str
    phone: str


@router.post(
    "/talents/{pk}/personal", response=PersonalOut, summary="The ID number and phone in full (logged)"
)
def talent_personal(request: AuthedRequest, pk: int) -> Any:
    ensure_business(request.user)
    id_number, phone = services.personal_data(actor=request.user, talent=_talent(request, pk))
    return {"id_number": id_number, "phone": phone}


class TalentIn(Schema):
    programme: int
    name: str
    id_number: str
    phone: str = ""
    team: bool = False
    host_enterprise: str = Field(default="", description="the host enterprise's credit code")
    host_platform: str = Field(default="", description="or the host platform's code")
    lead: str = Field(
        default="", description="the investment lead's code, if the talent came with a 高科技人才产业项目"
    )
    recruited_on: dt.date
    service_years: int = Field(default=3, ge=0, le=50)
    support_promised: Decimal = Field(default=Decimal(0), ge=0, description="万元")
    obligations: str = ""
    confidential: bool = False


@router.post("/talents", response={201: TalentOut}, summary="Register a talent under a programme")
def talent_create(request: AuthedRequest, payload: TalentIn) -> Any:
    from xinqu.investment.models import Lead

    ensure_business(request.user)
    services.ensure_bureau(request.user)
    data = payload.dict()
    data["programme"] = get_object_or_404(TalentProgramme, pk=data["programme"])
    code = data.pop("host_enterprise")
    data["host_enterprise"] = (
        get_object_or_404(Enterprise.objects.visible_to(request.user), credit_code=code) if code else None
    )
    platform = data.pop("host_platform")
    data["host_platform"] = (
        get_object_or_404(selectors.platforms_for(request.user), code=platform) if platform else None
    )
    lead = data.pop("lead")
    data["lead"] = get_object_or_404(Lead.objects.visible_to(request.user), code=lead) if lead else None
    saved = services.talent_create(actor=request.user, **data)
    return Status(201, _talent_out(request.user, _talent(request, saved.pk)))


class PaymentIn(Schema):
    paid_on: dt.date
    amount: Decimal = Field(description="万元")
    confirm_over: bool = Field(default=False, description="confirm a payment beyond the support promised")
    over_reason: str = ""


@router.post("/talents/{pk}/payments", response={201: TalentOut}, summary="Record support paid")
def talent_payment(request: AuthedRequest, pk: int, payload: PaymentIn) -> Any:
    ensure_business(request.user)
    talent = _talent(request, pk)
    services.payment_add(actor=request.user, talent=talent, **payload.dict())
    return Status(201, _talent_out(request.user, _talent(request, pk)))


class ReviewIn(Schema):
    reviewed_on: dt.date
    score: Decimal = Field(ge=0, le=100)
    note: str = ""


@router.post("/talents/{pk}/reviews", response={201: TalentOut}, summary="Record an acceptance review")
def talent_review(request: AuthedRequest, pk: int, payload: ReviewIn) -> Any:
    ensure_business(request.user)
    talent = _talent(request, pk)
    services.review_add(actor=request.user, talent=talent, **payload.dict())
    return Status(201, _talent_out(request.user, _talent(request, pk)))
