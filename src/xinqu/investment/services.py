"""What changes a lead: each function atomic, audited, and refusing bad input with a message that
says what to do, leaving nothing half-written."""

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
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import ensure_department_member, is_department_member, is_leader, member_of
from xinqu.core.audit import audit_create, audit_record, audit_update, snapshot
from xinqu.core.models import AuditEntry, Department, OrgUnit, User
from xinqu.core.services import UNCHANGED, given, save_audited
from xinqu.enterprises.codes import normalise_credit_code, validate_credit_code
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.enterprises.services import enterprise_create
from xinqu.investment.models import (
    Activity,
    Currency,
    Document,
    DocumentKind,
    ExchangeRate,
    GateRule,
    Lead,
    LeadRule,
    Origin,
    Payment,
    Referrer,
    ScoreRule,
    StageStep,
    Target,
)
from xinqu.investment.rules import MOVES, ORDER, STOPPED, reached, to_cny
from xinqu.projects.models import Project
from xinqu.projects.services import project_move, project_save
from xinqu.workflow.engine import checked_files

LEAD_FIELDS = [
    "name",
    "company",
    "credit_code",
    "origin",
    "country",
    "source",
    "referrer",
    "referring_enterprise",
    "chain_node",
    "chain_role",
    "chain_leader",
    "talent_project",
    "currency",
    "amount",
    "rate",
    "amount_cny",
    "officer",
    "confidential",
    "expected_sign_on",
]


def is_bureau(user: Any) -> bool:
    """Staff and heads of the investment promotion bureau (XINQU_INVESTMENT_DEPARTMENT)."""
    return member_of(user, settings.INVESTMENT_DEPARTMENT)


def ensure_bureau(user: Any) -> None:
    if not is_bureau(user):
        raise PermissionDenied(_("只有招商局工作人员可以维护汇率和招商机构、大使。"))


def ensure_team(user: Any, lead: Lead) -> None:
    """Only the lead's own team changes it; leaders read it."""
    if not is_department_member(user) or lead.department_id != user.department_id:
        raise PermissionDenied(_("只有线索所属的招商团队可以维护这条线索。"))


# --- Exchange rates ---------------------------------------------------------------------------


def rate_for(currency: str, on: dt.date) -> Decimal:
    """Yuan per unit of ``currency`` on the day ``on``. Refused when no rate was entered for it."""
    if currency == Currency.CNY:
        return Decimal(1)
    if currency not in Currency.values:
        raise ValidationError({"currency": _("没有这个币种。")})
    found = ExchangeRate.objects.filter(currency=currency, on=on).values_list("rate", flat=True).first()
    if found is None:
        raise ValidationError(
            {
                "currency": _("没有 %(day)s 的%(currency)s汇率。请招商局先录入当日汇率，再保存。")
                % {"day": on.isoformat(), "currency": Currency(currency).label}
            }
        )
    return found


@transaction.atomic
def rate_save(*, actor: User, currency: str, on: dt.date, rate: Decimal) -> ExchangeRate:
    ensure_bureau(actor)
    if currency not in Currency.values or currency == Currency.CNY:
        raise ValidationError({"currency": _("请选择一种外币。")})
    if rate <= 0:
        raise ValidationError({"rate": _("汇率必须大于 0。")})
    found = ExchangeRate.objects.filter(currency=currency, on=on).first()
    instance = found or ExchangeRate(currency=currency, on=on)
    return save_audited(
        actor=actor, instance=instance, audited=["currency", "on", "rate"], fields={"rate": rate}
    )


# --- Agencies and ambassadors -----------------------------------------------------------------

REFERRER_FIELDS = [
    "kind",
    "name",
    "appointed_on",
    "ends_on",
    "leads_per_year",
    "investment_per_year",
    "contact",
]


@transaction.atomic
def referrer_save(
    *,
    actor: User,
    referrer: Referrer | None = None,
    kind: str = UNCHANGED,
    name: str = UNCHANGED,
    appointed_on: dt.date = UNCHANGED,
    ends_on: dt.date | None = UNCHANGED,
    leads_per_year: int = UNCHANGED,
    investment_per_year: Decimal = UNCHANGED,
    contact: str = UNCHANGED,
) -> Referrer:
    ensure_bureau(actor)
    fields = given(
        kind=kind, name=name, appointed_on=appointed_on, ends_on=ends_on, leads_per_year=leads_per_year,
        investment_per_year=investment_per_year, contact=contact,
    )  # fmt: skip
    instance = referrer or Referrer()
    name = str(fields.get("name", instance.name or "")).strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    appointed = fields.get("appointed_on", instance.appointed_on)
    ends = fields.get("ends_on", instance.ends_on)
    if appointed and ends and ends < appointed:
        raise ValidationError({"ends_on": _("聘期截止不能早于授牌日期。")})
    fields["name"] = name
    return save_audited(actor=actor, instance=instance, audited=REFERRER_FIELDS, fields=fields)


# --- Leads ------------------------------------------------------------------------------------


def _next_code(year: int) -> str:
    prefix = f"ZS{year}"
    last = Lead.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _check_lead(lead: Lead) -> None:
    """The rules a lead's own fields keep, whoever writes them (form, API or import)."""
    if lead.credit_code:
        lead.credit_code = normalise_credit_code(lead.credit_code)
        try:
            validate_credit_code(lead.credit_code)
        except ValidationError as error:
            raise ValidationError({"credit_code": error.messages}) from error
    if not (lead.name or "").strip():
        raise ValidationError({"name": _("请填写项目名称。")})
    if not (lead.company or "").strip():
        raise ValidationError({"company": _("请填写目标企业。")})
    if lead.origin not in Origin.values:
        raise ValidationError({"origin": _("请选择资金来源地。")})
    if lead.origin == Origin.FOREIGN and not (lead.country or "").strip():
        raise ValidationError({"country": _("外资项目请填写国别（地区）。")})
    if lead.source not in Lead.Source.values:
        raise ValidationError({"source": _("请选择线索来源。")})
    wanted: dict[str, str] = {
        Lead.Source.AGENCY: Referrer.Kind.AGENCY,
        Lead.Source.AMBASSADOR: Referrer.Kind.AMBASSADOR,
    }
    if lead.source in wanted:
        if lead.referrer is None or lead.referrer.kind != wanted[lead.source]:
            raise ValidationError(
                {
                    "referrer": _("来源为“%(source)s”时，请选择已登记的%(source)s。")
                    % {"source": Lead.Source(lead.source).label}
                }
            )
    elif lead.referrer is not None:
        raise ValidationError({"referrer": _("只有来源为招商机构或招商大使的线索才填写引荐方。")})
    if lead.source == Lead.Source.REFERRAL and lead.referring_enterprise is None:
        raise ValidationError({"referring_enterprise": _("以商招商请选择引荐企业。")})
    if lead.chain_node is not None and lead.chain_node.kind != IndustryNode.Kind.NODE:
        raise ValidationError({"chain_node": _("请选择产业链的具体环节。")})
    if lead.amount is None or lead.amount < 0:
        raise ValidationError({"amount": _("意向投资不能为负数。")})
    if lead.officer is not None and lead.officer.department_id != lead.department_id:
        raise ValidationError({"officer": _("招商专员须是本团队的工作人员。")})
    lead.rate = rate_for(lead.currency, lead.created_on)
    lead.amount_cny = to_cny(lead.amount, lead.rate)


@transaction.atomic
def lead_create(
    *,
    actor: User,
    on: dt.date | None = None,
    name: str = UNCHANGED,
    company: str = UNCHANGED,
    credit_code: str = UNCHANGED,
    origin: str = UNCHANGED,
    country: str = UNCHANGED,
    source: str = UNCHANGED,
    referrer: Referrer | None = UNCHANGED,
    referring_enterprise: Enterprise | None = UNCHANGED,
    chain_node: IndustryNode | None = UNCHANGED,
    chain_role: str = UNCHANGED,
    chain_leader: bool = UNCHANGED,
    talent_project: bool = UNCHANGED,
    currency: str = UNCHANGED,
    amount: Decimal = UNCHANGED,
    officer: User | None = UNCHANGED,
    confidential: bool = UNCHANGED,
    expected_sign_on: dt.date | None = UNCHANGED,
) -> Lead:
    """A new lead of the actor's team, at stage 线索 on ``on`` (today by default)."""
    fields = given(
        name=name, company=company, credit_code=credit_code, origin=origin, country=country, source=source,
        referrer=referrer, referring_enterprise=referring_enterprise, chain_node=chain_node, chain_role=chain_role,
        chain_leader=chain_leader, talent_project=talent_project, currency=currency, amount=amount, officer=officer, confidential=confidential,
        expected_sign_on=expected_sign_on,
    )  # fmt: skip
    department_id = ensure_department_member(actor, _("只有部门工作人员可以登记招商线索。"))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("日期不能晚于今天。")})
    lead = Lead(department_id=department_id, created_on=on, code=_next_code(on.year), **fields)
    _check_lead(lead)
    lead.save()
    StageStep.objects.create(**_step(lead, Lead.Stage.LEAD), on=on, by=actor)
    audit_create(actor=actor, obj=lead, fields=LEAD_FIELDS)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: Lead,
    name: str = UNCHANGED,
    company: str = UNCHANGED,
    credit_code: str = UNCHANGED,
    origin: str = UNCHANGED,
    country: str = UNCHANGED,
    source: str = UNCHANGED,
    referrer: Referrer | None = UNCHANGED,
    referring_enterprise: Enterprise | None = UNCHANGED,
    chain_node: IndustryNode | None = UNCHANGED,
    chain_role: str = UNCHANGED,
    chain_leader: bool = UNCHANGED,
    talent_project: bool = UNCHANGED,
    currency: str = UNCHANGED,
    amount: Decimal = UNCHANGED,
    officer: User | None = UNCHANGED,
    confidential: bool = UNCHANGED,
    expected_sign_on: dt.date | None = UNCHANGED,
) -> Lead:
    ensure_team(actor, lead)
    fields = given(
        name=name, company=company, credit_code=credit_code, origin=origin, country=country, source=source,
        referrer=referrer, referring_enterprise=referring_enterprise, chain_node=chain_node, chain_role=chain_role,
        chain_leader=chain_leader, talent_project=talent_project, currency=currency, amount=amount, officer=officer, confidential=confidential,
        expected_sign_on=expected_sign_on,
    )  # fmt: skip
    return save_audited(actor=actor, instance=lead, audited=LEAD_FIELDS, fields=fields, validate=_check_lead)


def _step(lead: Lead, stage: str) -> dict[str, Any]:
    """A stage step's lead, stage, team and amount (the contract from signing on)."""
    signed = stage in (Lead.Stage.SIGNED, Lead.Stage.LANDED) and lead.contract_cny is not None
    return {
        "lead": lead,
        "stage": stage,
        "department_id": lead.department_id,
        "amount": lead.contract_cny if signed else lead.amount_cny,
    }


def missing_documents(lead: Lead, stage: str) -> list[str]:
    """The gate documents ``lead`` still lacks to enter ``stage``, by name."""
    needed = set(GateRule.objects.filter(stage=stage).values_list("document", flat=True))
    have = set(lead.documents.values_list("kind", flat=True))
    return [str(DocumentKind(kind).label) for kind in DocumentKind.values if kind in needed - have]


def documents_owed(lead: Lead) -> list[tuple[str, list[str]]]:
    """The stages a lead has passed without their gate documents (taken from a ledger, or gated
    after it passed), each with the documents it lacks, by name."""
    at = reached(lead.stopped_at if lead.stage in STOPPED else lead.stage)
    owed = [(stage, missing_documents(lead, stage)) for stage in MOVES if reached(stage) <= at]
    return [(str(Lead.Stage(stage).label), missing) for stage, missing in owed if missing]


def _last_step_on(lead: Lead) -> dt.date:
    last = lead.steps.aggregate(m=Max("on"))["m"]
    return last or lead.created_on


@transaction.atomic
def lead_move(
    *,
    actor: User,
    lead: Lead,
    stage: str,
    on: dt.date,
    note: str = "",
    contract_amount: Decimal | None = None,
    land_by: dt.date | None = None,
    start_by: dt.date | None = None,
) -> Lead:
    """Move a lead forward to ``stage`` on ``on``. Every stage passed on the way must have its gate
    documents; 签约 needs the contract amount, and a referrer appointed by the signing day."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update(of=("self",)).select_related("referrer").get(pk=lead.pk)
    if stage not in MOVES:
        raise ValidationError({"stage": _("这里只能推进到接洽、考察、洽谈或签约；落地请用“落地”。")})
    if lead.stage in STOPPED:
        raise ValidationError(
            _("线索已%(stage)s，请先恢复再推进。") % {"stage": Lead.Stage(lead.stage).label}
        )
    if reached(stage) <= reached(lead.stage):
        raise ValidationError({"stage": _("阶段只能向前推进。")})
    passed = ORDER[reached(lead.stage) + 1 : reached(stage) + 1]
    for step in passed:
        missing = missing_documents(lead, step)
        if missing:
            raise ValidationError(
                _("进入“%(stage)s”前须上传：%(missing)s。")
                % {"stage": Lead.Stage(step).label, "missing": "、".join(missing)}
            )
    return _advance(
        actor=actor,
        lead=lead,
        days=[(step, on) for step in passed],
        note=note,
        contract_amount=contract_amount,
        land_by=land_by,
        start_by=start_by,
    )


def _advance(
    *,
    actor: User,
    lead: Lead,
    days: list[tuple[str, dt.date]],
    note: str,
    contract_amount: Decimal | None,
    land_by: dt.date | None,
    start_by: dt.date | None,
    fields: list[str] | None = None,
) -> Lead:
    """Record ``days`` (the stages after the lead's, in order, each with its day) on a locked lead:
    no day after today or before the stage before it; 签约 with its contract and referrer checks."""
    today = timezone.localdate()
    previous = _last_step_on(lead)
    for number, (_stage, on) in enumerate(days):
        # A form has one day ("on"); a ledger row names the column each day came from.
        field = fields[number] if fields else "on"
        if on > today:
            raise ValidationError({field: _("日期不能晚于今天。")})
        if on < previous:
            raise ValidationError(
                {field: _("日期不能早于上一阶段的日期 %(day)s。") % {"day": previous.isoformat()}}
            )
        previous = on
    before = snapshot(lead, ["stage", "signed_on", "contract_amount", "land_by", "start_by"])
    stage, on = days[-1]
    if stage == Lead.Stage.SIGNED:
        if contract_amount is None or contract_amount <= 0:
            raise ValidationError({"contract_amount": _("签约须填写合同投资额。")})
        if lead.referrer is not None and lead.referrer.appointed_on > on:
            raise ValidationError(
                {
                    "referrer": _(
                        "引荐方“%(name)s”于 %(day)s 授牌，晚于签约日期，这次签约不能计为其引荐。请先更正引荐方或签约日期。"
                    )
                    % {"name": lead.referrer.name, "day": lead.referrer.appointed_on.isoformat()}
                }
            )
        for name, day in (("land_by", land_by), ("start_by", start_by)):
            if day is not None and day < on:
                raise ValidationError({name: _("约定日期不能早于签约日期。")})
        if land_by and start_by and start_by < land_by:
            raise ValidationError({"start_by": _("约定开工日期不能早于约定落地日期。")})
        lead.signed_on, lead.contract_amount = on, contract_amount
        lead.contract_cny = to_cny(contract_amount, rate_for(lead.currency, on))
        lead.land_by, lead.start_by = land_by, start_by
    elif contract_amount is not None or land_by is not None or start_by is not None:
        raise ValidationError({"contract_amount": _("合同投资额和约定日期只在签约时填写。")})
    previous = _last_step_on(lead)
    for step, day in days:
        StageStep.objects.create(
            **_step(lead, step), on=day, by=actor, note=note.strip()[:300], days=(day - previous).days
        )
        previous = day
    lead.stage = stage
    lead.save()
    audit_update(actor=actor, obj=lead, before=before, detail=note.strip()[:200])
    return lead


@transaction.atomic
def lead_record_stages(
    *,
    actor: User,
    lead: Lead,
    dates: dict[str, dt.date],
    contract_amount: Decimal | None = None,
    land_by: dt.date | None = None,
    start_by: dt.date | None = None,
) -> Lead:
    """The stages an existing 招商台账 gives a lead, each on its own day, up to 签约.

    A workbook carries no documents, so the gates are not asked here: each step is noted as taken
    from the ledger, and the lead's page lists the documents its passed stages still lack. The
    other rules hold: days in order and not after today, 签约 with its contract amount and a
    referrer appointed by then. A stage the lead has already reached must carry the same day."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update(of=("self",)).select_related("referrer").get(pk=lead.pk)
    unknown = [stage for stage in dates if stage not in MOVES]
    if unknown:
        raise ValidationError({"stage": _("台账只能导入接洽、考察、洽谈和签约的日期；落地请在线索页操作。")})
    if not dates:
        return lead
    recorded = {s.stage: s.on for s in lead.steps.all()}
    for stage, day in dates.items():
        if stage in recorded and recorded[stage] != day:
            raise ValidationError(
                {
                    stage: _("“%(stage)s”已记录为 %(day)s，与台账不一致；请在线索页核对。")
                    % {"stage": Lead.Stage(stage).label, "day": recorded[stage].isoformat()}
                }
            )
    later = [stage for stage in MOVES if stage in dates and stage not in recorded]
    if not later:
        return lead
    if lead.stage in STOPPED:
        raise ValidationError(
            _("线索已%(stage)s，请先恢复再推进。") % {"stage": Lead.Stage(lead.stage).label}
        )
    if reached(later[0]) <= reached(lead.stage):
        raise ValidationError({later[0]: _("阶段只能向前推进。")})
    # A stage the ledger skips is taken on the day of the next stage it gives, as a jump is.
    days: list[tuple[str, dt.date]] = []
    columns: list[str] = []
    for stage in ORDER[reached(lead.stage) + 1 : reached(later[-1]) + 1]:
        given_by = stage if stage in dates else next(s for s in later if reached(s) > reached(stage))
        days.append((stage, dates[given_by]))
        columns.append(given_by)
    return _advance(
        actor=actor,
        lead=lead,
        days=days,
        note=str(_("台账导入")),
        contract_amount=contract_amount,
        land_by=land_by,
        start_by=start_by,
        fields=columns,
    )


@transaction.atomic
def lead_stop(*, actor: User, lead: Lead, stage: str, reason: str) -> Lead:
    """Pause (暂缓) or lose (流失) a lead before it lands, with the reason."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if stage not in STOPPED:
        raise ValidationError({"stage": _("只能暂缓或流失。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明原因。")})
    if lead.stage in STOPPED or reached(lead.stage) >= reached(Lead.Stage.LANDED):
        raise ValidationError(_("只有落地前、正在推进的线索可以暂缓或流失。"))
    before = snapshot(lead, ["stage", "stop_reason"])
    lead.stopped_at, lead.stage, lead.stop_reason = lead.stage, stage, reason.strip()
    lead.save()
    StageStep.objects.create(
        **_step(lead, stage), on=timezone.localdate(), by=actor, note=reason.strip()[:300]
    )
    audit_update(actor=actor, obj=lead, before=before, detail=reason.strip()[:200])
    return lead


@transaction.atomic
def lead_resume(*, actor: User, lead: Lead) -> Lead:
    """A paused or lost lead goes back to where it stood."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.stage not in STOPPED:
        raise ValidationError(_("只有暂缓或流失的线索可以恢复。"))
    before = snapshot(lead, ["stage"])
    lead.stage, lead.stopped_at = lead.stopped_at or Lead.Stage.LEAD, ""
    lead.save()
    audit_update(actor=actor, obj=lead, before=before, detail=_("恢复推进"))
    return lead


# --- Documents and activities -----------------------------------------------------------------


@transaction.atomic
def document_add(*, actor: User, lead: Lead, kind: str, files: Iterable[UploadedFile]) -> list[Document]:
    ensure_team(actor, lead)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("请选择材料类别。")})
    checked = checked_files(files)
    if not checked:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    saved = []
    for upload, content_type in checked:
        document = Document.objects.create(
            lead=lead,
            kind=kind,
            file=upload,
            name=(upload.name or "file")[-200:],
            size=upload.size or 0,
            content_type=content_type,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=lead,
            detail=_("上传%(kind)s：%(name)s") % {"kind": DocumentKind(kind).label, "name": document.name},
        )
        saved.append(document)
    return saved


@transaction.atomic
def activity_add(
    *,
    actor: User,
    lead: Lead,
    kind: str,
    on: dt.date,
    summary: str,
    next_step: str = "",
    next_on: dt.date | None = None,
) -> Activity:
    ensure_team(actor, lead)
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": _("请选择跟进方式。")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("日期不能晚于今天。")})
    if on < lead.created_on:
        raise ValidationError(
            {"on": _("日期不能早于线索登记日期 %(day)s。") % {"day": lead.created_on.isoformat()}}
        )
    if not summary.strip():
        raise ValidationError({"summary": _("请写明跟进情况。")})
    if next_on is not None and next_on < on:
        raise ValidationError({"next_on": _("下一步日期不能早于本次跟进。")})
    activity = Activity.objects.create(
        lead=lead,
        kind=kind,
        on=on,
        summary=summary.strip(),
        next_step=next_step.strip()[:300],
        next_on=next_on,
        by=actor,
    )
    if lead.last_activity_on is None or on > lead.last_activity_on:
        Lead.objects.filter(pk=lead.pk).update(last_activity_on=on)
        lead.last_activity_on = on
    audit_create(actor=actor, obj=activity)
    return activity


def lead_rule() -> LeadRule:
    return LeadRule.objects.first() or LeadRule.objects.create()


# --- Paid-in capital --------------------------------------------------------------------------


@transaction.atomic
def payment_add(
    *,
    actor: User,
    lead: Lead,
    on: dt.date,
    amount: Decimal,
    currency: str = Currency.CNY,
    kind: str = Payment.Kind.FIXED,
    origin: str | None = None,
    proof: UploadedFile | None = None,
    note: str = "",
    confirm_over: bool = False,
) -> Payment:
    """One payment of paid-in capital for a signed lead. Refused: before signing, a future day, a
    currency with no rate that day, and more than the signed amount still to come unless
    confirmed with a reason."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.signed_on is None:
        raise ValidationError(_("线索签约后才能登记到位资金。"))
    if on > timezone.localdate():
        raise ValidationError({"on": _("日期不能晚于今天。")})
    if on < lead.signed_on:
        raise ValidationError(
            {"on": _("到位日期不能早于签约日期 %(day)s。") % {"day": lead.signed_on.isoformat()}}
        )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("金额必须大于 0。")})
    if kind not in Payment.Kind.values:
        raise ValidationError({"kind": _("请选择资金类别。")})
    origin = origin or lead.origin
    if origin not in Origin.values:
        raise ValidationError({"origin": _("请选择资金来源地。")})
    rate = rate_for(currency, on)
    amount_cny = to_cny(amount, rate)
    amount_usd = None
    if origin == Origin.FOREIGN:
        amount_usd = (
            amount
            if currency == Currency.USD
            else (amount_cny / rate_for(Currency.USD, on)).quantize(Decimal("0.01"))
        )
    paid = lead.payments.aggregate(s=Sum("amount_cny"))["s"] or Decimal(0)
    remaining = (lead.contract_cny or Decimal(0)) - paid
    if amount_cny > remaining:
        if not confirm_over:
            raise ValidationError(
                {
                    "amount": _(
                        "这笔 %(amount)s 万元超过合同尚未到位的 %(remaining)s 万元。如确属实际情况，请勾选确认并写明原因。"
                    )
                    % {"amount": f"{amount_cny:,.2f}", "remaining": f"{max(remaining, Decimal(0)):,.2f}"}
                }
            )
        if not note.strip():
            raise ValidationError({"note": _("超过合同金额的到位资金须写明原因。")})
    checked = checked_files([proof]) if proof is not None else []
    payment = Payment.objects.create(
        lead=lead,
        on=on,
        currency=currency,
        amount=amount,
        rate=rate,
        amount_cny=amount_cny,
        amount_usd=amount_usd,
        kind=kind,
        origin=origin,
        proof=checked[0][0] if checked else "",
        proof_name=(checked[0][0].name or "")[-200:] if checked else "",
        note=note.strip()[:300],
        by=actor,
    )
    audit_create(
        actor=actor, obj=payment, fields=["on", "currency", "amount", "amount_cny", "kind", "origin", "note"]
    )
    return payment


# --- Landing ----------------------------------------------------------------------------------


@transaction.atomic
def lead_land(
    *,
    actor: User,
    lead: Lead,
    on: dt.date,
    credit_code: str,
    area: OrgUnit,
    park: OrgUnit | None = None,
    project_kind: str = Project.Kind.INDUSTRIAL,
    link_existing: bool = False,
) -> Lead:
    """Landing (落地注册) in one action: the enterprise registered (or linked, if its credit code
    is already in the registry and the user says so) and the project entered in the ledger at
    stage 落地, both linked to the lead, with nothing retyped."""
    ensure_team(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.stage != Lead.Stage.SIGNED or lead.signed_on is None:
        raise ValidationError(_("签约后的线索才能落地。"))
    if on > timezone.localdate():
        raise ValidationError({"on": _("日期不能晚于今天。")})
    if on < lead.signed_on:
        raise ValidationError(
            {"on": _("落地日期不能早于签约日期 %(day)s。") % {"day": lead.signed_on.isoformat()}}
        )
    code = normalise_credit_code(credit_code)
    if not code:
        raise ValidationError({"credit_code": _("落地须填写企业的统一社会信用代码。")})
    try:
        validate_credit_code(code)
    except ValidationError as error:
        raise ValidationError({"credit_code": error.messages}) from error
    missing = missing_documents(lead, Lead.Stage.LANDED)
    if missing:
        raise ValidationError(_("落地前须上传：%(missing)s。") % {"missing": "、".join(missing)})
    existing = Enterprise.objects.filter(credit_code=code).first()
    if existing is not None and not link_existing:
        shown = (
            existing.name
            if Enterprise.objects.visible_to(actor).filter(pk=existing.pk).exists()
            else str(Enterprise.masked_name)
        )
        raise ValidationError(
            {
                "credit_code": _(
                    "信用代码 %(code)s 已登记为“%(name)s”。如落地的就是这家企业，请勾选“关联已登记企业”再提交。"
                )
                % {"code": code, "name": shown}
            }
        )
    enterprise = existing or enterprise_create(
        actor=actor, credit_code=code, name=lead.company.strip(), area=area, park=park
    )
    before = snapshot(lead, ["stage", "landed_on", "credit_code", "enterprise", "project"])
    project = project_save(
        actor=actor,
        code=lead.code,
        name=lead.name,
        enterprise=enterprise,
        area=area,
        park=park,
        chain_node=lead.chain_node,
        kind=project_kind,
        total_investment=lead.contract_cny or lead.amount_cny,
        planned_start_on=lead.start_by,
    )
    project = project_move(actor=actor, project=project, stage=Project.Stage.SIGNED, on=lead.signed_on)
    project = project_move(actor=actor, project=project, stage=Project.Stage.LANDED, on=on)
    lead.stage, lead.landed_on, lead.credit_code = Lead.Stage.LANDED, on, code
    lead.enterprise, lead.project = enterprise, project
    lead.save()
    StageStep.objects.create(
        **_step(lead, Lead.Stage.LANDED), on=on, by=actor, days=(on - lead.signed_on).days
    )
    audit_update(actor=actor, obj=lead, before=before)
    return lead


# --- The zone's rules -------------------------------------------------------------------------


@transaction.atomic
def rules_save(
    *,
    actor: User,
    gates: Iterable[tuple[str, str]],
    stale_days: int,
    reward_below_10: Decimal = UNCHANGED,
    reward_10_20: Decimal = UNCHANGED,
    reward_above_20: Decimal = UNCHANGED,
    reward_cap: Decimal = UNCHANGED,
) -> None:
    """The zone's stage gates (which documents each stage needs) and the days without activity
    after which a lead is stale. Only the investment bureau sets them; the change is logged."""
    ensure_bureau(actor)
    wanted = set(gates)
    for stage, document in wanted:
        if stage not in [*MOVES, Lead.Stage.LANDED] or document not in DocumentKind.values:
            raise ValidationError(_("阶段或材料不存在。"))
    if not 1 <= stale_days <= 365:
        raise ValidationError({"stale_days": _("停滞天数须在 1 到 365 之间。")})
    rewards = given(
        reward_below_10=reward_below_10,
        reward_10_20=reward_10_20,
        reward_above_20=reward_above_20,
        reward_cap=reward_cap,
    )
    if any(v is None or v < 0 for v in rewards.values()):
        raise ValidationError(_("奖励比例和上限须为不小于 0 的数。"))
    before = sorted(f"{s}:{d}" for s, d in GateRule.objects.values_list("stage", "document"))
    GateRule.objects.exclude(
        pk__in=[g.pk for g in GateRule.objects.all() if (g.stage, g.document) in wanted]
    ).delete()
    for stage, document in wanted:
        GateRule.objects.get_or_create(stage=stage, document=document)
    after = sorted(f"{s}:{d}" for s, d in wanted)
    rule = lead_rule()
    old_days = rule.stale_days
    rule.stale_days = stale_days
    rule.save()
    if rewards:
        save_audited(actor=actor, instance=rule, audited=list(rewards), fields=rewards)
    if before != after or old_days != stale_days:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=rule,
            detail=_("阶段准入材料：%(gates)s；停滞天数 %(old)d → %(new)d")
            % {"gates": _gates_in_words(after), "old": old_days, "new": stale_days},
        )


def _gates_in_words(pairs: list[str]) -> str:
    words = []
    for pair in pairs:
        stage, document = pair.split(":")
        words.append(f"{Lead.Stage(stage).label}—{DocumentKind(document).label}")
    return "、".join(words) or str(_("无"))


# --- Targets, the score rule and false reports ------------------------------------------------


@transaction.atomic
def target_save(
    *, actor: User, year: int, department: Department, signings: int, signed_amount: Decimal, paid_in: Decimal
) -> Target:
    """A team's targets for a year; the investment bureau sets them."""
    ensure_bureau(actor)
    if signings < 0 or signed_amount < 0 or paid_in < 0:
        raise ValidationError(_("目标不能为负数。"))
    instance = Target.objects.filter(year=year, department=department).first() or Target(
        year=year, department=department
    )
    return save_audited(
        actor=actor,
        instance=instance,
        audited=["year", "department", "signings", "signed_amount", "paid_in"],
        fields={"signings": signings, "signed_amount": signed_amount, "paid_in": paid_in},
    )


def score_rule() -> ScoreRule:
    return ScoreRule.objects.first() or ScoreRule.objects.create()


SCORE_FIELDS = ["band_3_10", "band_10_20", "band_20", "paid_in", "late_start", "false_report"]


@transaction.atomic
def score_rule_save(
    *,
    actor: User,
    band_3_10: Decimal,
    band_10_20: Decimal,
    band_20: Decimal,
    paid_in: Decimal,
    late_start: Decimal,
    false_report: Decimal,
) -> ScoreRule:
    ensure_bureau(actor)
    values = {
        "band_3_10": band_3_10,
        "band_10_20": band_10_20,
        "band_20": band_20,
        "paid_in": paid_in,
        "late_start": late_start,
        "false_report": false_report,
    }
    if any(v < 0 for v in values.values()):
        raise ValidationError(_("分值不能为负数（扣分项填写扣除的分数）。"))
    return save_audited(actor=actor, instance=score_rule(), audited=SCORE_FIELDS, fields=values)


@transaction.atomic
def lead_flag_false(*, actor: User, lead: Lead, reason: str, false_report: bool = True) -> Lead:
    """A zone leader finds a lead falsely reported (虚报), with the reason, or withdraws that."""
    if not is_leader(actor):
        raise PermissionDenied(_("只有管委会领导可以认定虚报。"))
    if false_report and not reason.strip():
        raise ValidationError({"reason": _("请写明认定虚报的依据。")})
    return save_audited(
        actor=actor,
        instance=lead,
        audited=["false_report", "false_report_reason"],
        fields={
            "false_report": false_report,
            "false_report_reason": reason.strip()[:300] if false_report else "",
        },
    )
