"""What changes the innovation registry: each function atomic, audited, and refusing bad input
with a message that says what to do, leaving nothing half-written. The innovation bureau
(XINQU_INNOVATION_DEPARTMENT, 科技创新局 by default) keeps the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xinqu.core.access import ensure_department_member, member_of
from xinqu.core.audit import audit_create, audit_record, audit_update, snapshot
from xinqu.core.models import AuditEntry, Department, OrgUnit, User
from xinqu.core.phrases import Phrase
from xinqu.core.services import UNCHANGED, given, notify_departments, refuse_unknown, save_audited
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.innovation.flow import KIND
from xinqu.innovation.models import (
    AssessmentRule,
    InnovationProject,
    Level,
    Outcome,
    Partner,
    Platform,
    PlatformYear,
    ProjectTask,
    Recognition,
    Review,
    SupportPayment,
    Talent,
    TalentProgramme,
    TalentRule,
)
from xinqu.innovation.rules import clawback, mask
from xinqu.workflow import engine

PLATFORM_FIELDS = [
    "name",
    "kind",
    "operator",
    "institution",
    "park",
    "chain_node",
    "space",
    "staff",
    "note",
    "confidential",
]
YEAR_FIELDS = ["incubated", "graduated", "rd_spend", "patents", "hosted_revenue"]
RULE_FIELDS = [
    "national",
    "provincial",
    "city",
    "per_incubated",
    "per_graduated",
    "per_patent",
    "per_rd_100m",
    "per_revenue_100m",
    "cap",
]


def is_bureau(user: Any) -> bool:
    """Staff and heads of the innovation bureau, who keep the registry."""
    return member_of(user, settings.INNOVATION_DEPARTMENT)


def ensure_bureau(user: Any) -> None:
    if not is_bureau(user):
        raise PermissionDenied(_("只有科技创新局的工作人员可以维护创新平台。"))


def _next_code(year: int) -> str:
    prefix = f"PT{year}"
    last = Platform.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _check_platform(platform: Platform) -> None:
    if not (platform.name or "").strip():
        raise ValidationError({"name": _("请填写平台名称。")})
    platform.name = platform.name.strip()
    platform.institution = (platform.institution or "").strip()
    if platform.operator is None and not platform.institution:
        raise ValidationError({"operator": _("请选择运营企业，或填写运营单位（高校、院所等）。")})
    if platform.operator is not None and platform.institution:
        raise ValidationError({"institution": _("运营企业和运营单位只填一项。")})
    if platform.park is not None and platform.park.kind != OrgUnit.Kind.PARK:
        raise ValidationError({"park": _("请选择园区。")})
    if platform.chain_node is not None and platform.chain_node.kind != IndustryNode.Kind.NODE:
        raise ValidationError({"chain_node": _("请选择产业链的具体环节。")})
    duplicate = Platform.objects.filter(name=platform.name).exclude(pk=platform.pk)
    if duplicate.exists():
        raise ValidationError(
            {"name": _("已有同名平台 %(code)s。") % {"code": duplicate.values_list("code", flat=True)[0]}}
        )


def _check_recognition(level: str, recognised_on: dt.date | None, valid_until: dt.date | None) -> None:
    if level not in Level.values:
        raise ValidationError({"level": _("请选择级别：国家级、省级或市级。")})
    if recognised_on is None:
        raise ValidationError({"recognised_on": _("请填写认定日期。")})
    if recognised_on > timezone.localdate():
        raise ValidationError(
            {
                "recognised_on": _("认定日期 %(day)s 晚于今天；尚未认定的平台不能登记为已认定。")
                % {"day": recognised_on.isoformat()}
            }
        )
    if valid_until is not None and valid_until < recognised_on:
        raise ValidationError({"valid_until": _("有效期不能早于认定日期。")})


@transaction.atomic
def platform_create(
    *,
    actor: User,
    level: str,
    recognised_on: dt.date | None,
    valid_until: dt.date | None = None,
    document: str = "",
    on: dt.date | None = None,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    operator: Enterprise | None = UNCHANGED,
    institution: str = UNCHANGED,
    park: OrgUnit | None = UNCHANGED,
    chain_node: IndustryNode | None = UNCHANGED,
    space: Decimal | None = UNCHANGED,
    staff: int | None = UNCHANGED,
    note: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Platform:
    """A new platform of the bureau with its first recognition (a platform is registered because
    it was recognised at some level)."""
    department_id = ensure_department_member(actor)
    ensure_bureau(actor)
    fields = given(
        name=name, kind=kind, operator=operator, institution=institution, park=park, chain_node=chain_node,
        space=space, staff=staff, note=note, confidential=confidential,
    )  # fmt: skip
    _check_recognition(level, recognised_on, valid_until)
    assert recognised_on is not None
    on = on or timezone.localdate()
    platform = Platform(department_id=department_id, created_on=on, code=_next_code(recognised_on.year))
    platform = save_audited(
        actor=actor, instance=platform, audited=PLATFORM_FIELDS, fields=fields, validate=_check_platform
    )
    _recognition_write(actor, platform, level, recognised_on, valid_until, document)
    return platform


@transaction.atomic
def platform_update(
    *,
    actor: User,
    platform: Platform,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    operator: Enterprise | None = UNCHANGED,
    institution: str = UNCHANGED,
    park: OrgUnit | None = UNCHANGED,
    chain_node: IndustryNode | None = UNCHANGED,
    space: Decimal | None = UNCHANGED,
    staff: int | None = UNCHANGED,
    note: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Platform:
    ensure_bureau(actor)
    fields = given(
        name=name, kind=kind, operator=operator, institution=institution, park=park, chain_node=chain_node,
        space=space, staff=staff, note=note, confidential=confidential,
    )  # fmt: skip
    return save_audited(
        actor=actor, instance=platform, audited=PLATFORM_FIELDS, fields=fields, validate=_check_platform
    )


def _recognition_write(
    actor: User,
    platform: Platform,
    level: str,
    recognised_on: dt.date,
    valid_until: dt.date | None,
    document: str,
) -> Recognition:
    if Recognition.objects.filter(platform=platform, level=level, recognised_on=recognised_on).exists():
        raise ValidationError({"recognised_on": _("这个级别在这一天已有认定记录。")})
    recognition = Recognition.objects.create(
        platform=platform,
        level=level,
        recognised_on=recognised_on,
        valid_until=valid_until,
        document=(document or "").strip()[:100],
    )
    audit_create(actor=actor, obj=recognition, fields=["level", "recognised_on", "valid_until", "document"])
    return recognition


@transaction.atomic
def recognition_add(
    *,
    actor: User,
    platform: Platform,
    level: str,
    recognised_on: dt.date | None,
    valid_until: dt.date | None = None,
    document: str = "",
) -> Recognition:
    """A further recognition (升级 to a higher level, or a renewal after review)."""
    ensure_bureau(actor)
    _check_recognition(level, recognised_on, valid_until)
    assert recognised_on is not None
    return _recognition_write(actor, platform, level, recognised_on, valid_until, document)


@transaction.atomic
def year_save(
    *,
    actor: User,
    platform: Platform,
    year: int,
    incubated: int = UNCHANGED,
    graduated: int = UNCHANGED,
    rd_spend: Decimal = UNCHANGED,
    patents: int = UNCHANGED,
    hosted_revenue: Decimal = UNCHANGED,
) -> PlatformYear:
    """A platform's record for a year that has begun (written again to correct it)."""
    ensure_bureau(actor)
    fields = given(
        incubated=incubated,
        graduated=graduated,
        rd_spend=rd_spend,
        patents=patents,
        hosted_revenue=hosted_revenue,
    )
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("年度须在 2000 年到今年之间。")})
    first = platform.recognitions.order_by("recognised_on").first()
    if first is not None and year < first.recognised_on.year:
        raise ValidationError(
            {
                "year": _("平台 %(year)s 年才认定，不能登记此前年度的绩效。")
                % {"year": first.recognised_on.year}
            }
        )
    for name, value in fields.items():
        if value is None or value < 0:
            raise ValidationError({name: _("不能为负数，也不能留空。")})
    instance = PlatformYear.objects.filter(platform=platform, year=year).first() or PlatformYear(
        platform=platform, year=year
    )
    return save_audited(actor=actor, instance=instance, audited=YEAR_FIELDS, fields=fields)


@transaction.atomic
def rule_save(
    *,
    actor: User,
    national: Decimal = UNCHANGED,
    provincial: Decimal = UNCHANGED,
    city: Decimal = UNCHANGED,
    per_incubated: Decimal = UNCHANGED,
    per_graduated: Decimal = UNCHANGED,
    per_patent: Decimal = UNCHANGED,
    per_rd_100m: Decimal = UNCHANGED,
    per_revenue_100m: Decimal = UNCHANGED,
    cap: Decimal = UNCHANGED,
) -> AssessmentRule:
    ensure_bureau(actor)
    fields = given(
        national=national, provincial=provincial, city=city, per_incubated=per_incubated,
        per_graduated=per_graduated, per_patent=per_patent, per_rd_100m=per_rd_100m,
        per_revenue_100m=per_revenue_100m, cap=cap,
    )  # fmt: skip
    for name, value in fields.items():
        if value is None or value < 0:
            raise ValidationError({name: _("分值不能为负数。")})
    if "cap" in fields and fields["cap"] <= 0:
        raise ValidationError({"cap": _("满分须大于 0。")})
    instance = AssessmentRule.objects.first() or AssessmentRule()
    return save_audited(actor=actor, instance=instance, audited=RULE_FIELDS, fields=fields)


# --- Innovation projects and their outcomes ------------------------------------------------------

PROJECT_FIELDS = [
    "name",
    "kind",
    "enterprise",
    "institution",
    "platform",
    "started_on",
    "due_on",
    "budget",
    "support",
    "note",
    "confidential",
]


def _project_code(year: int) -> str:
    prefix = f"CX{year}"
    last = InnovationProject.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _check_project(project: InnovationProject) -> None:
    if not (project.name or "").strip():
        raise ValidationError({"name": _("请填写项目名称。")})
    project.name = project.name.strip()
    project.institution = (project.institution or "").strip()
    if project.enterprise is None and not project.institution:
        raise ValidationError({"enterprise": _("请选择承担企业，或填写承担单位（高校、院所等）。")})
    if project.enterprise is not None and project.institution:
        raise ValidationError({"institution": _("承担企业和承担单位只填一项。")})
    if project.started_on is None:
        raise ValidationError({"started_on": _("请填写立项日期。")})
    if project.started_on > timezone.localdate():
        raise ValidationError({"started_on": _("立项日期不能晚于今天。")})
    if project.due_on is not None and project.due_on < project.started_on:
        raise ValidationError({"due_on": _("计划完成日期不能早于立项日期。")})
    if project.support > project.budget:
        raise ValidationError({"support": _("财政支持不能超过总投入。")})


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    enterprise: Enterprise | None = UNCHANGED,
    institution: str = UNCHANGED,
    platform: Platform | None = UNCHANGED,
    started_on: dt.date = UNCHANGED,
    due_on: dt.date | None = UNCHANGED,
    budget: Decimal = UNCHANGED,
    support: Decimal = UNCHANGED,
    note: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> InnovationProject:
    department_id = ensure_department_member(actor)
    ensure_bureau(actor)
    fields = given(
        name=name, kind=kind, enterprise=enterprise, institution=institution, platform=platform,
        started_on=started_on, due_on=due_on, budget=budget, support=support, note=note, confidential=confidential,
    )  # fmt: skip
    day = fields.get("started_on") or timezone.localdate()
    project = InnovationProject(department_id=department_id, code=_project_code(day.year))
    return save_audited(
        actor=actor, instance=project, audited=PROJECT_FIELDS, fields=fields, validate=_check_project
    )


@transaction.atomic
def project_update(
    *,
    actor: User,
    project: InnovationProject,
    name: str = UNCHANGED,
    kind: str = UNCHANGED,
    enterprise: Enterprise | None = UNCHANGED,
    institution: str = UNCHANGED,
    platform: Platform | None = UNCHANGED,
    started_on: dt.date = UNCHANGED,
    due_on: dt.date | None = UNCHANGED,
    budget: Decimal = UNCHANGED,
    support: Decimal = UNCHANGED,
    note: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> InnovationProject:
    ensure_bureau(actor)
    fields = given(
        name=name, kind=kind, enterprise=enterprise, institution=institution, platform=platform,
        started_on=started_on, due_on=due_on, budget=budget, support=support, note=note, confidential=confidential,
    )  # fmt: skip
    if project.ended_on is not None:
        raise ValidationError(
            _("项目已于 %(day)s 结项，不能再修改。") % {"day": project.ended_on.isoformat()}
        )
    return save_audited(
        actor=actor, instance=project, audited=PROJECT_FIELDS, fields=fields, validate=_check_project
    )


@transaction.atomic
def project_end(*, actor: User, project: InnovationProject, on: dt.date) -> InnovationProject:
    """结项: the project is closed on ``on``; it takes no outcome after that."""
    ensure_bureau(actor)
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    if project.ended_on is not None:
        raise ValidationError(_("项目已于 %(day)s 结项。") % {"day": project.ended_on.isoformat()})
    if on > timezone.localdate():
        raise ValidationError({"on": _("结项日期不能晚于今天。")})
    if on < project.started_on:
        raise ValidationError({"on": _("结项日期不能早于立项日期。")})
    before = snapshot(project, ["ended_on"])
    project.ended_on = on
    project.save(update_fields=["ended_on"])
    audit_update(actor=actor, obj=project, before=before)
    return project


@transaction.atomic
def partner_add(
    *,
    actor: User,
    project: InnovationProject,
    kind: str,
    enterprise: Enterprise | None = None,
    name: str = "",
) -> Partner:
    ensure_bureau(actor)
    if kind not in Partner.Kind.values:
        raise ValidationError({"kind": _("请选择合作方类别。")})
    if kind == Partner.Kind.ENTERPRISE and enterprise is None:
        raise ValidationError({"enterprise": _("企业合作方请从企业名录中选择。")})
    name = (str(enterprise) if enterprise is not None else name).strip()
    if not name:
        raise ValidationError({"name": _("请填写合作方名称。")})
    if project.partners.filter(name=name).exists():
        raise ValidationError({"name": _("“%(name)s”已是合作方。") % {"name": name}})
    partner = Partner.objects.create(project=project, kind=kind, enterprise=enterprise, name=name[:200])
    audit_create(actor=actor, obj=partner, fields=["kind", "enterprise", "name"])
    return partner


@transaction.atomic
def outcome_add(
    *,
    actor: User,
    project: InnovationProject,
    kind: str,
    title: str,
    achieved_on: dt.date,
    number: str = "",
    landmark: bool = False,
    landmark_reason: str = "",
) -> Outcome:
    """An outcome of a running project. A project that has ended takes none; a landmark outcome
    needs its reason."""
    ensure_bureau(actor)
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    if project.ended_on is not None:
        raise ValidationError(
            _("项目已于 %(day)s 结项，不能再登记成果；结项后的成果请登记到新的项目。")
            % {"day": project.ended_on.isoformat()}
        )
    if kind not in Outcome.Kind.values:
        raise ValidationError({"kind": _("请选择成果类别。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写成果名称。")})
    if achieved_on > timezone.localdate():
        raise ValidationError({"achieved_on": _("取得日期不能晚于今天。")})
    if achieved_on < project.started_on:
        raise ValidationError({"achieved_on": _("取得日期不能早于项目立项日期。")})
    reason = (landmark_reason or "").strip()
    if landmark and not reason:
        raise ValidationError({"landmark_reason": _("标志性成果须写明理由。")})
    outcome = Outcome.objects.create(
        project=project,
        kind=kind,
        title=title.strip()[:200],
        number=(number or "").strip()[:60],
        achieved_on=achieved_on,
        landmark=landmark,
        landmark_reason=reason[:300] if landmark else "",
    )
    audit_create(
        actor=actor,
        obj=outcome,
        fields=["kind", "title", "number", "achieved_on", "landmark", "landmark_reason"],
    )
    return outcome


# --- Talent --------------------------------------------------------------------------------------

TALENT_FIELDS = [
    "programme",
    "name",
    "team",
    "id_number",
    "phone",
    "host_enterprise",
    "host_platform",
    "lead",
    "recruited_on",
    "service_years",
    "support_promised",
    "obligations",
    "confidential",
]


@transaction.atomic
def programme_save(
    *,
    actor: User,
    programme: TalentProgramme | None = None,
    name: str = UNCHANGED,
    category: str = UNCHANGED,
    started_on: dt.date = UNCHANGED,
    description: str = UNCHANGED,
) -> TalentProgramme:
    ensure_bureau(actor)
    fields = given(name=name, category=category, started_on=started_on, description=description)
    instance = programme or TalentProgramme()
    name = str(fields.get("name", instance.name or "")).strip()
    if not name:
        raise ValidationError({"name": _("请填写计划名称。")})
    if TalentProgramme.objects.filter(name=name).exclude(pk=instance.pk).exists():
        raise ValidationError({"name": _("已有同名的引才计划。")})
    fields["name"] = name
    return save_audited(
        actor=actor,
        instance=instance,
        audited=["name", "category", "started_on", "description"],
        fields=fields,
    )


def _check_talent(talent: Talent) -> None:
    talent.name = (talent.name or "").strip()
    talent.id_number = (talent.id_number or "").strip().upper().replace(" ", "")
    talent.phone = (talent.phone or "").strip()
    if not talent.name:
        raise ValidationError({"name": _("请填写姓名或团队名称。")})
    if not talent.id_number:
        raise ValidationError({"id_number": _("请填写证件号码。")})
    duplicate = Talent.objects.filter(programme_id=talent.programme_id, id_number=talent.id_number).exclude(
        pk=talent.pk
    )
    if duplicate.exists():
        raise ValidationError(
            {
                "id_number": _("这个证件号码已在“%(programme)s”中登记（%(name)s），同一计划不能重复登记。")
                % {"programme": talent.programme.name, "name": duplicate.values_list("name", flat=True)[0]}
            }
        )
    if talent.host_enterprise is None and talent.host_platform is None:
        raise ValidationError({"host_enterprise": _("请选择用人企业或依托平台。")})
    if talent.recruited_on is None or talent.recruited_on > timezone.localdate():
        raise ValidationError({"recruited_on": _("引进日期不能晚于今天。")})
    if talent.lead is not None and not talent.lead.talent_project:
        raise ValidationError(
            {"lead": _("关联的招商线索须标为“高科技人才产业项目”：这一数字以招商台账为准。")}
        )


@transaction.atomic
def talent_create(
    *,
    actor: User,
    programme: TalentProgramme = UNCHANGED,
    name: str = UNCHANGED,
    team: bool = UNCHANGED,
    id_number: str = UNCHANGED,
    phone: str = UNCHANGED,
    host_enterprise: Enterprise | None = UNCHANGED,
    host_platform: Platform | None = UNCHANGED,
    lead: Any = UNCHANGED,
    recruited_on: dt.date = UNCHANGED,
    service_years: int = UNCHANGED,
    support_promised: Decimal = UNCHANGED,
    obligations: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Talent:
    department_id = ensure_department_member(actor)
    ensure_bureau(actor)
    fields = given(
        programme=programme, name=name, team=team, id_number=id_number, phone=phone, host_enterprise=host_enterprise,
        host_platform=host_platform, lead=lead, recruited_on=recruited_on, service_years=service_years,
        support_promised=support_promised, obligations=obligations, confidential=confidential,
    )  # fmt: skip
    return _talent_save(actor, Talent(department_id=department_id), fields)


@transaction.atomic
def talent_update(
    *,
    actor: User,
    talent: Talent,
    programme: TalentProgramme = UNCHANGED,
    name: str = UNCHANGED,
    team: bool = UNCHANGED,
    id_number: str = UNCHANGED,
    phone: str = UNCHANGED,
    host_enterprise: Enterprise | None = UNCHANGED,
    host_platform: Platform | None = UNCHANGED,
    lead: Any = UNCHANGED,
    recruited_on: dt.date = UNCHANGED,
    service_years: int = UNCHANGED,
    support_promised: Decimal = UNCHANGED,
    obligations: str = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Talent:
    ensure_bureau(actor)
    fields = given(
        programme=programme, name=name, team=team, id_number=id_number, phone=phone, host_enterprise=host_enterprise,
        host_platform=host_platform, lead=lead, recruited_on=recruited_on, service_years=service_years,
        support_promised=support_promised, obligations=obligations, confidential=confidential,
    )  # fmt: skip
    return _talent_save(actor, talent, fields)


def _masked_snapshot(talent: Talent) -> dict[str, Any]:
    values = snapshot(talent, TALENT_FIELDS)
    values["id_number"] = mask(values.get("id_number") or "")
    values["phone"] = mask(values.get("phone") or "")
    return values


def _talent_save(actor: User, talent: Talent, fields: dict[str, Any]) -> Talent:
    """Save and log as `save_audited` does, but the log keeps the ID number and phone masked:
    the audit log is read by the audit administrator, who has no need of them."""
    refuse_unknown(fields, TALENT_FIELDS)
    creating = talent._state.adding
    before = {} if creating else _masked_snapshot(talent)
    for name, value in fields.items():
        setattr(talent, name, value)
    talent.full_clean(validate_unique=False, validate_constraints=False)
    _check_talent(talent)
    talent.save()
    after = _masked_snapshot(talent)
    if creating:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=talent,
            changes={k: [None, v] for k, v in after.items()},
        )
    else:
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if changes:
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=talent, changes=changes)
    return talent


def paid_to(talent: Talent) -> Decimal:
    """Support paid to a talent so far, net of what was clawed back."""
    return talent.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)


@transaction.atomic
def payment_add(
    *,
    actor: User,
    talent: Talent,
    paid_on: dt.date,
    amount: Decimal,
    confirm_over: bool = False,
    over_reason: str = "",
) -> SupportPayment:
    """A payment of support. Beyond what was promised it is refused unless confirmed with a reason."""
    ensure_bureau(actor)
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("金额须大于 0。")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("拨付日期不能晚于今天。")})
    if paid_on < talent.recruited_on:
        raise ValidationError({"paid_on": _("拨付日期不能早于引进日期。")})
    paid = paid_to(talent)
    reason = (over_reason or "").strip()
    if paid + amount > talent.support_promised:
        if not (confirm_over and reason):
            raise ValidationError(
                {
                    "amount": _(
                        "已拨付 %(paid)s 万元，加上这笔共 %(total)s 万元，超过承诺支持 %(promised)s 万元；确需超额拨付的，请勾选确认并写明理由。"
                    )
                    % {"paid": paid, "total": paid + amount, "promised": talent.support_promised}
                }
            )
    else:
        reason = ""
    payment = SupportPayment.objects.create(
        talent=talent, paid_on=paid_on, amount=amount, over_reason=reason[:300]
    )
    audit_create(actor=actor, obj=payment, fields=["paid_on", "amount", "over_reason"])
    return payment


def talent_rule() -> TalentRule:
    return TalentRule.objects.first() or TalentRule()


@transaction.atomic
def talent_rule_save(
    *, actor: User, threshold: Decimal = UNCHANGED, clawback_percent: Decimal = UNCHANGED
) -> TalentRule:
    ensure_bureau(actor)
    fields = given(threshold=threshold, clawback_percent=clawback_percent)
    if "threshold" in fields and not 0 <= fields["threshold"] <= 100:
        raise ValidationError({"threshold": _("合格分须在 0 到 100 之间。")})
    if "clawback_percent" in fields and not 0 <= fields["clawback_percent"] <= 100:
        raise ValidationError({"clawback_percent": _("追回比例须在 0 到 100 之间。")})
    instance = TalentRule.objects.first() or TalentRule()
    return save_audited(
        actor=actor, instance=instance, audited=["threshold", "clawback_percent"], fields=fields
    )


@transaction.atomic
def review_add(
    *, actor: User, talent: Talent, reviewed_on: dt.date, score: Decimal, note: str = ""
) -> Review:
    """An acceptance review. Below the rule's threshold it claws back the rule's share of the
    support paid so far, recorded as a negative payment (追回)."""
    ensure_bureau(actor)
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    if score is None or not 0 <= score <= 100:
        raise ValidationError({"score": _("得分须在 0 到 100 之间。")})
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("验收日期不能晚于今天。")})
    if reviewed_on < talent.recruited_on:
        raise ValidationError({"reviewed_on": _("验收日期不能早于引进日期。")})
    rule = talent_rule()
    back = clawback(paid_to(talent), score, rule.threshold, rule.clawback_percent)
    review = Review.objects.create(
        talent=talent, reviewed_on=reviewed_on, score=score, note=(note or "").strip(), clawed_back=back
    )
    audit_create(actor=actor, obj=review, fields=["reviewed_on", "score", "note", "clawed_back"])
    if back:
        SupportPayment.objects.create(
            talent=talent,
            paid_on=reviewed_on,
            amount=-back,
            clawback=True,
            over_reason=str(
                _("验收得分 %(score)s 低于合格分 %(threshold)s，按 %(percent)s%% 追回")
                % {"score": score, "threshold": rule.threshold, "percent": rule.clawback_percent}
            )[:300],
        )
    return review


def personal_data(*, actor: User, talent: Talent) -> tuple[str, str]:
    """The talent's ID number and phone in full, for the bureau only; every reveal is logged."""
    ensure_bureau(actor)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVEAL,
        obj=talent,
        detail=str(_("查看证件号码和联系电话")),
    )
    return talent.id_number, talent.phone


# --- Milestones and problems (on the workflow engine) ------------------------------------------


def task_open(
    *,
    actor: User,
    project: InnovationProject,
    category: str,
    department: Department,
    description: str,
    due_on: dt.date | None = None,
    attachments: Iterable[UploadedFile] = (),
) -> ProjectTask:
    """Send a running project's milestone or problem to the department that must deliver it. A
    milestone may carry its own date; otherwise the working-day limit applies."""
    ensure_bureau(actor)
    if category not in ProjectTask.Category.values:
        raise ValidationError({"category": _("请选择节点任务或问题。")})
    if project.ended_on is not None:
        raise ValidationError(
            _("项目已于 %(day)s 结项，不能再派发节点或问题。") % {"day": project.ended_on.isoformat()}
        )
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请写明内容。")})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": _("完成期限不能早于今天。")})
    with transaction.atomic():
        item = engine.item_open(
            kind=KIND,
            title=f"{project.name}：{description.splitlines()[0]}"[:200],
            actor=actor,
            department=department,
            comment=description,
            attachments=attachments,
            due_on=due_on,
        )
        task = ProjectTask.objects.create(
            item=item, project=project, category=category, description=description
        )
    notify_departments(
        [department.pk],
        key=f"innovation-task-{item.pk}",
        title=Phrase(gettext_noop("创新项目待办理：%(title)s"), title=item.title),
        body=description[:300],
        url=reverse("innovation:task", args=[item.number]),
    )
    return task


def task_act(
    *,
    actor: User,
    task: ProjectTask,
    action: str,
    version: int | None = None,
    comment: str = "",
    department: Department | None = None,
    days: int | None = None,
) -> Any:
    if action == "redirect" and department is None:
        raise ValidationError({"department": _("请选择改派的部门。")})
    return engine.item_act(
        item=task.item,
        action=action,
        actor=actor,
        version=version,
        comment=comment,
        department=department if action == "redirect" else None,
        data={"days": days} if action == "ask_extension" else None,
    )
