"""Writes for hazards: reporting (which also logs the inspection in the visit register) and acting
on them through the workflow engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xinqu.core.audit import audit_record, describe
from xinqu.core.models import AuditEntry, Department, User
from xinqu.core.phrases import Phrase
from xinqu.core.roles import DEPARTMENT_ROLES, Role
from xinqu.core.services import notify, notify_departments
from xinqu.core.tokens import new_token, token_digest
from xinqu.enterprises.models import Enterprise, Visit
from xinqu.enterprises.services import visit_record
from xinqu.safety import flow
from xinqu.safety.flow import KIND
from xinqu.safety.models import Hazard
from xinqu.workflow import engine
from xinqu.workflow.models import Item

# How the details this module writes into the audit log read (core.audit).
describe(r"enterprise rectification link", gettext_lazy("生成企业整改填报链接"))


@transaction.atomic
def hazard_report(
    *,
    actor: User,
    enterprise: Enterprise,
    level: str,
    location: str,
    description: str,
    inspected_on: dt.date,
    announced: bool = False,
    override_reason: str = "",
    attachments: Iterable[UploadedFile] = (),
) -> Hazard:
    """An inspector reports a hazard found at ``enterprise``. The inspection goes into the visit
    register under its rules (a breach needs a reason); a major hazard is put under supervision
    at once and the emergency-management department and the leaders are told."""
    if level not in Hazard.Level.values:
        raise ValidationError({"level": _("请选择隐患等级。")})
    location, description = location.strip(), description.strip()
    if not location or not description:
        raise ValidationError({"description": _("请写明隐患部位和隐患描述。")})
    visit_record(
        actor=actor,
        enterprise=enterprise,
        visited_on=inspected_on,
        kind=Visit.Kind.INSPECTION,
        purpose=_("安全隐患排查"),
        announced=announced,
        override_reason=override_reason,
    )
    item = engine.item_open(
        kind=KIND,
        title=hazard_title(enterprise, location),
        actor=actor,
        org_unit_id=enterprise.area_id,
        comment=description,
        attachments=attachments,
    )
    hazard = Hazard.objects.create(
        item=item,
        enterprise=enterprise,
        level=level,
        location=location[:120],
        description=description,
        reporter=actor,
    )
    if level == Hazard.Level.MAJOR:
        engine.escalate(item=item, level=1, reason=_("重大隐患，挂牌督办"))
        recipients = User.objects.filter(is_active=True).filter(role=Role.LEADER) | User.objects.filter(
            is_active=True, role__in=DEPARTMENT_ROLES, department__code=settings.SAFETY_DEPARTMENT
        )
        for user in recipients.distinct():
            notify(
                user=user,
                key=f"major-hazard-{item.pk}",
                title=Phrase(gettext_noop("重大隐患：%(title)s"), title=item.title),
                body=description[:300],
                url=reverse("safety:detail", args=[item.number]),
            )
    return hazard


def hazard_title(enterprise: Enterprise, location: str) -> str:
    """The item's title, which lists, queues, home pages and notifications show to everyone the
    item reaches (the assigned department too): a confidential enterprise is never named in it."""
    name = str(Enterprise.masked_name) if enterprise.confidential else enterprise.name
    return f"{name}：{location}"[:200]


def hazard_act(
    *,
    actor: User,
    hazard: Hazard,
    action: str,
    version: int | None = None,
    comment: str = "",
    department: Department | None = None,
    owner: str = "",
    due_on: dt.date | None = None,
    days: int | None = None,
    attachments: Iterable[UploadedFile] = (),
) -> Item:
    if action == "assign":
        if department is None or not owner.strip() or due_on is None:
            raise ValidationError(_("安排整改须指定责任部门、整改责任人和整改期限。"))
    else:
        department, due_on = None, None
    return engine.item_act(
        item=hazard.item,
        action=action,
        actor=actor,
        version=version,
        comment=comment,
        department=department,
        due_on=due_on,
        attachments=attachments,
        data={"owner": owner.strip()[:60]}
        if action == "assign"
        else {"days": days}
        if action == "ask_extension"
        else None,
    )


LINK_STATES = frozenset({"rectifying", "submitted"})


def hazard_link(*, actor: User, hazard: Hazard) -> str:
    """A new secret link for the enterprise to submit its rectification evidence; the previous
    link stops working. Only the responsible department or emergency management issues one,
    while the hazard is being rectified. Returns the token (shown once)."""
    if not flow.responsible(actor, hazard.item):
        raise PermissionDenied(_("只有整改责任部门或应急管理部门可以生成企业整改链接。"))
    if hazard.item.state not in LINK_STATES:
        raise ValidationError(_("隐患安排整改后、销号前才能生成企业整改链接。"))
    token = new_token()
    Hazard.objects.filter(pk=hazard.pk).update(token_digest=token_digest(token))
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=hazard.item, detail="enterprise rectification link"
    )
    return token


@transaction.atomic
def enterprise_evidence(
    *, hazard: Hazard, comment: str, version: int | None, attachments: Iterable[UploadedFile] = ()
) -> Item:
    """The enterprise submits its rectification evidence through its link."""
    item = engine.item_act(
        item=hazard.item,
        action="submit_evidence",
        actor=None,
        actor_label=_("企业（%(name)s）") % {"name": hazard.enterprise.name},
        version=version,
        comment=comment,
        attachments=attachments,
    )
    notify_departments(
        [item.department_id, _safety_department_id()],
        key=f"hazard-evidence-{item.pk}-{item.version}",
        title=Phrase(gettext_noop("企业已提交整改材料：%(title)s"), title=item.title),
        body=comment[:300],
        url=reverse("safety:detail", args=[item.number]),
    )
    return item


def _safety_department_id() -> int | None:
    from django.conf import settings

    return Department.objects.filter(code=settings.SAFETY_DEPARTMENT).values_list("pk", flat=True).first()
