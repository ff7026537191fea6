from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from xinqu.core.access import (
    AuthedRequest,
    ensure_business,
    get_visible_or_404,
    get_writable_or_404,
    is_business,
)
from xinqu.core.api import Pages
from xinqu.core.jobs import IMPORT_KINDS, run_importer
from xinqu.core.models import OrgUnit, User
from xinqu.core.params import YEAR_MAX, YEAR_MIN, Year
from xinqu.enterprises import selectors, services
from xinqu.enterprises.models import Enterprise, IndustryNode, Qualification, QualificationKind, Visit

router = Router(tags=["enterprises"])


def _business(request: AuthedRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not is_business(request.user):
        raise PermissionDenied("系统管理员、安全管理员、审计管理员不查看业务数据。")


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    former_names: str
    area_id: int | None
    park_id: int | None
    industry_code: str
    size_class: str
    established_on: dt.date | None
    above_scale: bool
    above_scale_year: int | None
    is_quiet: bool
    contact_name: str
    contact_phone: str
    service_officer_id: int | None
    tier_id: int | None
    department_id: int
    confidential: bool


class EnterpriseIn(Schema):
    credit_code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=120)
    former_names: str = ""
    area_id: int | None = None
    park_id: int | None = None
    industry_code: str = ""
    size_class: str = ""
    established_on: dt.date | None = None
    above_scale: bool = False
    above_scale_year: int | None = None
    is_quiet: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    service_officer_id: int | None = None
    confidential: bool = False


class EnterprisePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    former_names: str | None = None
    area_id: int | None = None
    park_id: int | None = None
    industry_code: str | None = None
    size_class: str | None = None
    established_on: dt.date | None = None
    above_scale: bool | None = None
    above_scale_year: int | None = None
    is_quiet: bool | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    service_officer_id: int | None = None
    confidential: bool | None = None


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn *_id keys into the objects the services take, refusing unknown ids with a message."""
    resolved = dict(data)
    for key, model, kind in (("area_id", OrgUnit, "area"), ("park_id", OrgUnit, "park")):
        if key in resolved:
            pk = resolved.pop(key)
            obj = model.objects.filter(pk=pk, kind=kind).first() if pk else None
            if pk and obj is None:
                raise ValidationError({key: "没有这个功能区或园区。"})
            resolved[key.removesuffix("_id")] = obj
    if "service_officer_id" in resolved:
        pk = resolved.pop("service_officer_id")
        officer = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if pk and officer is None:
            raise ValidationError({"service_officer_id": "没有这个用户。"})
        resolved["service_officer"] = officer
    return resolved


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pages)
def list_enterprises(
    request: AuthedRequest,
    q: str = "",
    area: int | None = None,
    park: int | None = None,
    tier: int | None = None,
    group: str = "",
    chain: int | None = None,
    above_scale: bool | None = None,
) -> Any:
    ensure_business(request.user)
    criteria = selectors.EnterpriseFilter(
        q=q, area=area, park=park, tier=tier, group=group, chain=chain, above_scale=above_scale
    )
    return selectors.enterprise_search(request.user, criteria)


@router.post("/enterprises", response={201: EnterpriseOut})
def create_enterprise(request: AuthedRequest, payload: EnterpriseIn) -> Any:
    return Status(201, services.enterprise_create(actor=request.user, **_resolve(payload.dict())))


@router.get("/enterprises/{int:enterprise_id}", response=EnterpriseOut)
def get_enterprise(request: AuthedRequest, enterprise_id: int) -> Any:
    return get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)


@router.patch("/enterprises/{int:enterprise_id}", response=EnterpriseOut)
def update_enterprise(request: AuthedRequest, enterprise_id: int, payload: EnterprisePatch) -> Any:
    enterprise = get_writable_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return services.enterprise_update(
        actor=request.user, enterprise=enterprise, **_resolve(payload.dict(exclude_unset=True))
    )


class QualificationOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    kind_name: str
    certificate_no: str
    granted_on: dt.date
    expires_on: dt.date | None
    review_due: dt.date | None
    revoked_on: dt.date | None
    exchange: str
    ticker: str
    department_id: int

    @staticmethod
    def resolve_kind(obj: Qualification) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Qualification) -> str:
        return obj.kind.name


class QualificationIn(Schema):
    kind: str
    certificate_no: str = ""
    granted_on: dt.date
    expires_on: dt.date | None = None
    review_due: dt.date | None = None
    exchange: str = ""
    ticker: str = ""
    confidential: bool = False


class QualificationPatch(Schema):
    certificate_no: str | None = None
    granted_on: dt.date | None = None
    expires_on: dt.date | None = None
    review_due: dt.date | None = None
    revoked_on: dt.date | None = None
    exchange: str | None = None
    ticker: str | None = None


@router.get("/enterprises/{int:enterprise_id}/qualifications", response=list[QualificationOut])
def list_qualifications(request: AuthedRequest, enterprise_id: int) -> Any:
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return Qualification.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("kind")


@router.post("/enterprises/{int:enterprise_id}/qualifications", response={201: QualificationOut})
def add_qualification(request: AuthedRequest, enterprise_id: int, payload: QualificationIn) -> Any:
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    data = payload.dict()
    kind = QualificationKind.objects.filter(code=data.pop("kind")).first()
    if kind is None:
        raise ValidationError({"kind": "没有这种资质类型。"})
    return Status(
        201, services.qualification_add(actor=request.user, enterprise=enterprise, kind=kind, **data)
    )


@router.patch("/qualifications/{int:qualification_id}", response=QualificationOut)
def update_qualification(request: AuthedRequest, qualification_id: int, payload: QualificationPatch) -> Any:
    qualification = get_writable_or_404(
        request.user, Qualification.objects.select_related("kind"), pk=qualification_id
    )
    return services.qualification_update(
        actor=request.user, qualification=qualification, **payload.dict(exclude_unset=True)
    )


@router.get("/qualifications/expiring", response=list[QualificationOut])
@paginate(Pages)
def expiring(request: AuthedRequest, days: int = 90) -> Any:
    ensure_business(request.user)
    return selectors.expiring_qualifications(request.user, within_days=max(1, min(days, 3650)))


class VisitOut(Schema):
    id: int
    enterprise_id: int
    department_id: int
    visited_on: dt.date
    kind: str
    purpose: str
    announced: bool
    breaches: str
    override_reason: str


class VisitIn(Schema):
    visited_on: dt.date
    kind: str
    purpose: str = Field(min_length=1, max_length=300)
    announced: bool = False
    override_reason: str = ""
    confidential: bool = False


@router.get("/visits", response=list[VisitOut])
@paginate(Pages)
def list_visits(
    request: AuthedRequest,
    # Spelt out, not ``Year``: @paginate rebuilds the signature where that name is unknown.
    year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
    enterprise: int | None = None,
    department: int | None = None,
) -> Any:
    ensure_business(request.user)
    visits = Visit.objects.visible_to(request.user)
    if year:
        visits = visits.filter(visited_on__year=year)
    if enterprise:
        visits = visits.filter(enterprise_id=enterprise)
    if department:
        visits = visits.filter(department_id=department)
    return visits


@router.post("/enterprises/{int:enterprise_id}/visits", response={201: VisitOut})
def add_visit(request: AuthedRequest, enterprise_id: int, payload: VisitIn) -> Any:
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return Status(201, services.visit_record(actor=request.user, enterprise=enterprise, **payload.dict()))


@router.get("/enterprises-statistics", summary="Counts by qualification group and dimension")
def statistics(
    request: AuthedRequest, by: str = "area", day: dt.date | None = None, year: Year | None = None
) -> Any:
    ensure_business(request.user)
    table = selectors.registry_statistics(dimension=by, day=day, year=year)
    return {
        "dimension": table.dimension,
        "day": table.day,
        "year": table.year,
        "groups": [{"code": code, "name": name} for code, name in table.groups],
        "totals": table.totals,
        "references": table.references,
        "rows": [
            {
                "id": r["unit"],
                "name": r["name"],
                "enterprises": r["enterprises"],
                "above_scale": r["above_scale"],
                "held": r["held"],
                "new": r["new"],
            }
            for r in table.rows
        ],
    }


@router.post(
    "/enterprises-import",
    response={200: dict[str, Any], 422: dict[str, Any]},
    summary="Import enterprises or qualifications from .xlsx (dry run by default)",
)
def import_xlsx(
    request: AuthedRequest,
    file: UploadedFile = File(...),  # noqa: B008
    kind: str = Form("enterprises"),
    dry_run: bool = Form(True),
) -> Any:
    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": "未知的导入内容。"})
    report = run_importer(IMPORT_KINDS[kind], actor=request.user, file=file, dry_run=dry_run)
    status = 200 if report.ok else 422
    return Status(status, report.to_dict())


@router.get(
    "/chains/{int:chain_id}", summary="A chain's nodes and enterprises; empty nodes are gaps to attract"
)
def chain(request: AuthedRequest, chain_id: int) -> Any:
    ensure_business(request.user)

    node = get_object_or_404(IndustryNode, pk=chain_id, kind="chain")
    chain_map = selectors.chain_map(node, request.user)
    return {
        "id": node.pk,
        "name": node.name,
        "empty_nodes": chain_map.empty_nodes,
        "segments": [
            {
                "segment": value,
                "nodes": [
                    {
                        "id": e["node"].pk,
                        "name": e["node"].name,
                        "enterprises": [
                            {
                                "id": p.enterprise_id if p.enterprise_shown.visible else None,
                                "name": p.enterprise_shown.name,
                                "is_leader": p.is_leader,
                            }
                            for p in e["positions"]
                        ],
                    }
                    for e in entries
                ],
            }
            for value, _label, entries in chain_map.segments
        ],
    }
