"""Writes for service requests: filing (by a service officer, or by the enterprise on the public
form), acting on them through the workflow engine, and what the requester does through the
secret link (supplement, rate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xinqu.core.access import is_department_member, is_head
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.phrases import Phrase
from xinqu.core.ratelimit import hit
from xinqu.core.services import UNCHANGED, given, notify_departments, save_audited
from xinqu.core.tokens import new_token, token_digest
from xinqu.core.validators import validate_phone
from xinqu.enterprises.codes import normalise_credit_code, validate_credit_code
from xinqu.enterprises.models import Enterprise
from xinqu.service_requests.flow import KIND, apply_event, is_centre_member
from xinqu.service_requests.metrics import contribution, tally_move
from xinqu.service_requests.models import Category, Publication, ServiceRequest
from xinqu.workflow import engine
from xinqu.workflow.models import EscalationRule, Event, Item

REQUESTER = "企业"  # how the requester appears in the timeline


def public_filing_allowed(*, address: str) -> bool:
    """Count one public filing from ``address``; False once it has filed
    XINQU_PUBLIC_FILINGS_PER_10_MIN in the last ten minutes."""
    return hit(f"xinqu-public-filings-{address}", limit=settings.PUBLIC_FILINGS_PER_10_MIN, seconds=600)


def _clean(text: str, field: str, label: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > limit:
        raise ValidationError({field: _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}})
    return text


def _contact_ways(phone: str, email: str) -> tuple[str, str]:
    """The requester's phone and e-mail address, checked: at least one of the two."""
    phone, email = (phone or "").strip(), (email or "").strip()
    if not phone and not email:
        raise ValidationError({"contact_phone": _("请填写联系电话或电子邮箱，至少一项。")})
    if len(phone) > 30:
        raise ValidationError({"contact_phone": _("联系电话不能超过 30 个字符。")})
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"contact_email": _("电子邮箱格式不正确：%(v)s") % {"v": email[:60]}}
            ) from None
        if len(email) > 120:
            raise ValidationError({"contact_email": _("电子邮箱不能超过 120 个字符。")})
    return phone, email


def _check_position(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """Latitude and longitude come together, in degrees, within range."""
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("纬度和经度须同时填写。")})
    if latitude is not None and not -90 <= latitude <= 90:
        raise ValidationError({"latitude": _("纬度须在 -90 到 90 度之间。")})
    if longitude is not None and not -180 <= longitude <= 180:
        raise ValidationError({"longitude": _("经度须在 -180 到 180 度之间。")})


@transaction.atomic
def request_file(
    *,
    actor: User | None,
    category: Category,
    enterprise_name: str,
    contact_name: str,
    contact_phone: str,
    description: str,
    contact_email: str = "",
    credit_code: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    attachments: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> tuple[ServiceRequest, str]:
    """File a request. ``actor`` is the service officer filing for an enterprise, or None for the
    public form. The requester leaves a phone, an e-mail address or both. Returns the request and
    the requester's secret token (shown once)."""
    if actor is not None and not is_department_member(actor):
        raise PermissionDenied(_("只有部门工作人员可以代企业提交诉求。"))
    name = _clean(enterprise_name, "enterprise_name", str(_("企业名称")), 120)
    contact = _clean(contact_name, "contact_name", str(_("联系人")), 40)
    phone, email = _contact_ways(contact_phone, contact_email)
    text = _clean(description, "description", str(_("诉求内容")), 4000)
    place = (address or "").strip()
    if len(place) > 200:
        raise ValidationError({"address": _("地址不能超过 200 个字。")})
    _check_position(latitude, longitude)
    enterprise = None
    code = normalise_credit_code(credit_code or "")
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.messages}) from None
        enterprise = Enterprise.objects.filter(credit_code=code).first()
    area_id = (enterprise.area_id or enterprise.park_id) if enterprise else None
    label = (actor.display_name if actor else "") or f"{REQUESTER}（{name}）"
    item = engine.item_open(
        kind=KIND,
        title=text.splitlines()[0][:60],
        actor=actor,
        actor_label=label,
        org_unit_id=area_id,
        comment=text,
        attachments=attachments,
        now=now,
    )
    token = new_token()
    request = ServiceRequest.objects.create(
        item=item,
        category=category,
        enterprise=enterprise,
        enterprise_name=enterprise.name if enterprise else name,
        contact_name=contact,
        contact_phone=phone,
        contact_email=email,
        description=text,
        address=place,
        latitude=latitude,
        longitude=longitude,
        channel=ServiceRequest.Channel.OFFICER if actor else ServiceRequest.Channel.PUBLIC,
        filed_by=actor,
        token_digest=token_digest(token),
        org_unit_id=area_id,
        month=timezone.localtime(item.opened_at).date().replace(day=1),
    )
    tally_move(None, contribution(request))
    if actor is None:
        # A public filing is new work for the enterprise service centre, which takes it in.
        centre = Department.objects.filter(code=settings.SERVICE_CENTRE_DEPARTMENT).values_list(
            "pk", flat=True
        )
        notify_departments(
            list(centre),
            key=f"sr-filed-{item.pk}",
            title=Phrase(gettext_noop("新的企业诉求待受理：%(number)s"), number=item.number),
            body=item.title,
            url=reverse("service_requests:detail", args=[item.number]),
        )
    return request, token


def suggested_department(request: ServiceRequest) -> Department | None:
    """Where a request of this category usually goes: the category's department, else wherever
    most past requests of the category ended up signed for."""
    if request.category.department_id:
        return request.category.department
    from django.db.models import Count

    past = (
        Item.objects.filter(
            kind=KIND.key, service_request__category=request.category, department__isnull=False
        )
        .exclude(pk=request.pk)
        .values("department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Department.objects.filter(pk=past["department"]).first() if past else None


def request_act(
    *,
    actor: User,
    request: ServiceRequest,
    action: str,
    version: int | None = None,
    comment: str = "",
    department: Department | None = None,
    outcome: str = "",
    days: int | None = None,
    attachments: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Item:
    """A staff member's action on a request."""
    data: dict[str, Any] = {"days": days} if action == "ask_extension" else {}
    if action in {"dispatch", "transfer"}:
        if department is None:
            raise ValidationError({"department": _("请选择承办部门。")})
        if action == "transfer" and department.pk == request.item.department_id:
            raise ValidationError({"department": _("转办须选择另一个部门。")})
    elif department is not None:
        department = None  # only dispatching and transferring choose a department
    if action == "reply":
        if outcome not in ServiceRequest.Outcome.values:
            raise ValidationError({"outcome": _("请选择办理结果。")})
        data["outcome"] = outcome
    if action.startswith("rate_") or action == "supplement":
        raise PermissionDenied(_("评价和补充材料只能由企业通过诉求链接进行。"))
    return engine.item_act(
        item=request.item,
        action=action,
        actor=actor,
        version=version,
        comment=comment,
        department=department,
        attachments=attachments,
        data=data,
        now=now,
    )


def requester_act(
    *,
    request: ServiceRequest,
    action: str,
    comment: str = "",
    attachments: Iterable[UploadedFile] = (),
    version: int | None = None,
    solved: bool | None = None,
    now: dt.datetime | None = None,
) -> Item:
    """What the requester does through their link: supplement information or rate the reply.
    Rating asks the callback question too: is the problem solved (``solved``)? 解决率 counts the
    enterprise's answer, not the department's."""
    if action not in {"supplement", "rate_satisfied", "rate_basically", "rate_dissatisfied"}:
        raise PermissionDenied(_("企业只能补充材料或评价。"))
    data: dict[str, Any] = {}
    if action.startswith("rate_"):
        if solved is None:
            raise ValidationError({"solved": _("请回答问题是否已经解决。")})
        data["solved"] = solved
    return engine.item_act(
        item=request.item,
        action=action,
        actor=None,
        actor_label=f"{REQUESTER}（{request.enterprise_name}）",
        version=version,
        comment=comment,
        attachments=attachments,
        data=data,
        now=now,
    )


def notify_department(item: Item) -> None:
    """Tell the handling department's staff a request has come to them."""
    notify_departments(
        [item.department_id],
        key=f"sr-{item.pk}-{item.version}",
        title=Phrase(gettext_noop("新的企业诉求待签收：%(number)s"), number=item.number),
        body=item.title,
        url=reverse("service_requests:detail", args=[item.number]),
    )


def unit_of(request: ServiceRequest) -> OrgUnit | None:
    return request.item.org_unit


def ensure_centre_head(actor: User) -> None:
    if not (is_head(actor) and is_centre_member(actor)):
        raise PermissionDenied(_("只有企业服务中心负责人可以修改诉求类别、督办规则和公开范围。"))


@transaction.atomic
def category_save(
    *,
    actor: User,
    category: Category | None = None,
    name: str = UNCHANGED,
    name_en: str = UNCHANGED,
    time_limit: int = UNCHANGED,
    department: Department | None = UNCHANGED,
    sort_order: int = UNCHANGED,
) -> Category:
    """Add or change a category: its name, time limit in working days and usual department."""
    fields = given(
        name=name,
        name_en=name_en,
        time_limit=time_limit,
        department=department,
        sort_order=sort_order,
    )
    ensure_centre_head(actor)
    return save_audited(
        actor=actor,
        instance=category or Category(),
        audited=["name", "name_en", "time_limit", "department", "sort_order"],
        fields=fields,
    )


@transaction.atomic
def escalation_rules_set(*, actor: User, days_by_level: dict[int, int]) -> None:
    """When overdue requests go under supervision: levels 1–3, each later than the one before."""
    ensure_centre_head(actor)
    days = [days_by_level[level] for level in (1, 2, 3)]
    if any(d < 1 for d in days) or days != sorted(set(days)):
        raise ValidationError(_("逾期工作日应逐级增加：1 级 < 2 级 < 3 级，且至少为 1。"))
    for level, overdue in days_by_level.items():
        rule = EscalationRule.objects.filter(kind=KIND.key, level=level).first()
        save_audited(
            actor=actor,
            instance=rule or EscalationRule(kind=KIND.key, level=level),
            audited=["kind", "level", "overdue_days"],
            fields={"overdue_days": overdue},
        )


@transaction.atomic
def publication_set(*, actor: User, level: str) -> Publication:
    """What anyone may read of the zone's requests through Open311 without signing in."""
    ensure_centre_head(actor)
    if level not in Publication.Level.values:
        raise ValidationError({"level": _("请选择公开范围。")})
    return save_audited(
        actor=actor,
        instance=Publication.objects.first() or Publication(),
        audited=["level"],
        fields={"level": level},
    )


def request_merge(*, actor: User, request: ServiceRequest, into_number: str, comment: str = "") -> Item:
    """Close ``request`` as a duplicate of the request numbered ``into_number``."""
    target = Item.objects.filter(kind=KIND.key, number=into_number.strip()).first()
    if target is None:
        raise ValidationError({"into": _("没有编号为 %(n)s 的诉求。") % {"n": into_number}})
    return engine.item_merge(actor=actor, duplicate=request.item, into=target, comment=comment)


def request_after_event(item: Item, event: Event, data: dict[str, Any]) -> None:
    """The engine calls this after every action on a request (the kind's ``after``): the
    request's own facts and its tally cell move with the timeline, in the same transaction."""
    request = ServiceRequest.objects.select_for_update().get(pk=item.pk)
    before = contribution(request)
    apply_event(request, item, event)
    request.save()
    tally_move(before, contribution(request))
    if event.action == "rate_dissatisfied" and request.reopened >= 2:
        engine.escalate(item=item, level=request.reopened - 1, reason=str(_("企业再次不满意，转入督办")))
    if event.action in {"dispatch", "transfer", "overrule"}:
        notify_department(item)
