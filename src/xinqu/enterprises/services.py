"""Every write to the enterprise registry. Each function is atomic, checks the actor, validates
its input and appends to the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import ensure_can_write, ensure_department_member, ensure_role
from xinqu.core.audit import (
    audit_create,
    audit_delete,
    audit_record,
    audit_update,
    current_ip,
    describe,
    snapshot,
)
from xinqu.core.models import AuditEntry, OrgUnit, User
from xinqu.core.roles import Role
from xinqu.core.services import UNCHANGED, given
from xinqu.enterprises.codes import normalise_credit_code
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    ReferenceTotal,
    Tier,
    TierChange,
    Visit,
    VisitRule,
    YearlyFigure,
)
from xinqu.enterprises.rules import add_months, growth_pct, matching_tier, visit_breaches
from xinqu.enterprises.selectors import valid_on_q

# How the details this module writes into the audit log read (core.audit).
describe(r"tier rule: (?P<year>\d{4}) rules", gettext_lazy("按 %(year)s 年规则调整培育层级"))
describe(
    r"tier (?P<method>rule|manual)",
    lambda m: str(gettext_lazy("培育层级：%(how)s")) % {"how": TierChange.Method(m["method"]).label},
)
describe(
    r"rows=(?P<rows>\d+) created=(?P<created>\d+) updated=(?P<updated>\d+) unchanged=(?P<unchanged>\d+)",
    gettext_lazy("共 %(rows)s 行：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s"),
)

ENTERPRISE_FIELDS = [
    "credit_code",
    "name",
    "former_names",
    "area",
    "park",
    "industry_code",
    "size_class",
    "established_on",
    "above_scale",
    "above_scale_year",
    "is_quiet",
    "contact_name",
    "contact_phone",
    "service_officer",
    "confidential",
]
_QUAL_FIELDS = [
    "kind",
    "certificate_no",
    "granted_on",
    "expires_on",
    "review_due",
    "revoked_on",
    "exchange",
    "ticker",
]


def check_not_future(day: dt.date | None, field: str, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


def place_enterprise(area: OrgUnit | None, park: OrgUnit | None) -> OrgUnit | None:
    """The area an enterprise sits in: its park's area when a park is given, which must agree."""
    if park is None:
        return area
    if park.kind != OrgUnit.Kind.PARK:
        raise ValidationError({"park": _("“%(name)s”不是园区。") % {"name": park.name}})
    if area is not None and park.parent_id != area.pk:
        raise ValidationError(
            {"park": _("园区“%(park)s”不在功能区“%(area)s”内。") % {"park": park.name, "area": area.name}}
        )
    return park.parent


def _apply_enterprise_fields(enterprise: Enterprise, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValidationError(_("不能在此修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(enterprise, name, value)
    enterprise.credit_code = normalise_credit_code(enterprise.credit_code)
    enterprise.name = enterprise.name.strip()
    if not enterprise.above_scale:
        enterprise.above_scale_year = None
    check_not_future(enterprise.established_on, "established_on", _("成立日期"))
    enterprise.area = place_enterprise(enterprise.area, enterprise.park)
    enterprise.full_clean(exclude=["tier"])


@transaction.atomic
def enterprise_create(
    *,
    actor: User,
    credit_code: str = UNCHANGED,
    name: str = UNCHANGED,
    former_names: str = UNCHANGED,
    area: OrgUnit | None = UNCHANGED,
    park: OrgUnit | None = UNCHANGED,
    industry_code: str = UNCHANGED,
    size_class: str = UNCHANGED,
    established_on: dt.date | None = UNCHANGED,
    above_scale: bool = UNCHANGED,
    above_scale_year: int | None = UNCHANGED,
    is_quiet: bool = UNCHANGED,
    contact_name: str = UNCHANGED,
    contact_phone: str = UNCHANGED,
    service_officer: User | None = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Enterprise:
    """A new enterprise, stewarded by the actor's department."""
    fields = given(
        credit_code=credit_code,
        name=name,
        former_names=former_names,
        area=area,
        park=park,
        industry_code=industry_code,
        size_class=size_class,
        established_on=established_on,
        above_scale=above_scale,
        above_scale_year=above_scale_year,
        is_quiet=is_quiet,
        contact_name=contact_name,
        contact_phone=contact_phone,
        service_officer=service_officer,
        confidential=confidential,
    )
    enterprise = Enterprise(department_id=ensure_department_member(actor))
    _apply_enterprise_fields(enterprise, fields)
    enterprise.save()
    audit_create(actor=actor, obj=enterprise, fields=ENTERPRISE_FIELDS)
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    actor: User,
    enterprise: Enterprise,
    credit_code: str = UNCHANGED,
    name: str = UNCHANGED,
    former_names: str = UNCHANGED,
    area: OrgUnit | None = UNCHANGED,
    park: OrgUnit | None = UNCHANGED,
    industry_code: str = UNCHANGED,
    size_class: str = UNCHANGED,
    established_on: dt.date | None = UNCHANGED,
    above_scale: bool = UNCHANGED,
    above_scale_year: int | None = UNCHANGED,
    is_quiet: bool = UNCHANGED,
    contact_name: str = UNCHANGED,
    contact_phone: str = UNCHANGED,
    service_officer: User | None = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Enterprise:
    fields = given(
        credit_code=credit_code,
        name=name,
        former_names=former_names,
        area=area,
        park=park,
        industry_code=industry_code,
        size_class=size_class,
        established_on=established_on,
        above_scale=above_scale,
        above_scale_year=above_scale_year,
        is_quiet=is_quiet,
        contact_name=contact_name,
        contact_phone=contact_phone,
        service_officer=service_officer,
        confidential=confidential,
    )
    ensure_can_write(actor, enterprise)
    before = snapshot(enterprise, ENTERPRISE_FIELDS)
    _apply_enterprise_fields(enterprise, fields)
    enterprise.save()
    audit_update(actor=actor, obj=enterprise, before=before)
    return enterprise


@transaction.atomic
def yearly_figure_set(
    *,
    actor: User,
    enterprise: Enterprise,
    year: int,
    employees: int | None = None,
    revenue: Decimal | None = None,
    rd_spend: Decimal | None = None,
    tax: Decimal | None = None,
) -> YearlyFigure:
    """Record or correct one year's figures. Other years are untouched; the audit log keeps the old values."""
    ensure_can_write(actor, enterprise)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("年度不能晚于今年。")})
    figure, created = YearlyFigure.objects.get_or_create(enterprise=enterprise, year=year)
    before = {} if created else snapshot(figure, ["employees", "revenue", "rd_spend", "tax"])
    figure.employees, figure.revenue, figure.rd_spend, figure.tax = employees, revenue, rd_spend, tax
    figure.full_clean()
    figure.save()
    if created:
        audit_create(actor=actor, obj=figure, fields=["year", "employees", "revenue", "rd_spend", "tax"])
    else:
        audit_update(actor=actor, obj=figure, before=before)
    return figure


def _default_dates(qualification: Qualification) -> None:
    kind = qualification.kind
    if qualification.expires_on is None and kind.validity_months:
        qualification.expires_on = add_months(qualification.granted_on, kind.validity_months) - dt.timedelta(
            days=1
        )
    if qualification.review_due is None and kind.review_months:
        qualification.review_due = add_months(qualification.granted_on, kind.review_months)


@transaction.atomic
def qualification_add(
    *,
    actor: User,
    enterprise: Enterprise,
    kind: QualificationKind,
    granted_on: dt.date,
    certificate_no: str = "",
    expires_on: dt.date | None = None,
    review_due: dt.date | None = None,
    revoked_on: dt.date | None = None,
    exchange: str = "",
    ticker: str = "",
    confidential: bool = False,
) -> Qualification:
    """Record a qualification; any department records for the enterprises it may see, as its own record.
    The validity defaults from the kind (高企: 3 years)."""
    department_id = ensure_department_member(actor)
    check_not_future(granted_on, "granted_on", _("认定日期"))
    qualification = Qualification(
        enterprise=enterprise,
        kind=kind,
        granted_on=granted_on,
        department_id=department_id,
        certificate_no=certificate_no,
        expires_on=expires_on,
        review_due=review_due,
        revoked_on=revoked_on,
        exchange=exchange,
        ticker=ticker,
        confidential=confidential,
    )
    _default_dates(qualification)
    qualification.full_clean()
    qualification.save()
    audit_create(actor=actor, obj=qualification, fields=[*_QUAL_FIELDS, "confidential"])
    return qualification


@transaction.atomic
def qualification_update(
    *,
    actor: User,
    qualification: Qualification,
    kind: QualificationKind = UNCHANGED,
    certificate_no: str = UNCHANGED,
    granted_on: dt.date = UNCHANGED,
    expires_on: dt.date | None = UNCHANGED,
    review_due: dt.date | None = UNCHANGED,
    revoked_on: dt.date | None = UNCHANGED,
    exchange: str = UNCHANGED,
    ticker: str = UNCHANGED,
) -> Qualification:
    fields = given(
        kind=kind,
        certificate_no=certificate_no,
        granted_on=granted_on,
        expires_on=expires_on,
        review_due=review_due,
        revoked_on=revoked_on,
        exchange=exchange,
        ticker=ticker,
    )
    ensure_can_write(actor, qualification)
    before = snapshot(qualification, _QUAL_FIELDS)
    for name, value in fields.items():
        if name not in _QUAL_FIELDS:
            raise ValidationError(_("不能在此修改：%(f)s") % {"f": name})
        setattr(qualification, name, value)
    check_not_future(qualification.granted_on, "granted_on", _("认定日期"))
    check_not_future(qualification.revoked_on, "revoked_on", _("撤销日期"))
    qualification.full_clean()
    qualification.save()
    audit_update(actor=actor, obj=qualification, before=before)
    return qualification


def _change_tier(
    *, actor: User | None, enterprise: Enterprise, tier: Tier | None, method: str, reason: str = ""
) -> TierChange | None:
    # A hand decision is recorded even when it keeps the tier: it pins the tier against rule runs.
    if method == TierChange.Method.RULE and enterprise.tier_id == (tier.pk if tier else None):
        return None
    change = TierChange(
        enterprise=enterprise,
        previous=enterprise.tier,
        tier=tier,
        method=method,
        reason=reason.strip(),
        changed_by=actor,
    )
    change.full_clean()
    change.save()
    before = snapshot(enterprise, ["tier"])
    enterprise.tier = tier
    enterprise.save(update_fields=["tier", "updated_at"])
    audit_update(actor=actor, obj=enterprise, before=before, detail=f"tier {method}")
    return change


@transaction.atomic
def tier_assign(*, actor: User, enterprise: Enterprise, tier: Tier | None, reason: str) -> TierChange | None:
    """Set an enterprise's tier by hand. A reason is required and kept in the history."""
    ensure_can_write(actor, enterprise)
    if not reason.strip():
        raise ValidationError({"reason": _("人工调整梯次必须写明理由。")})
    return _change_tier(
        actor=actor, enterprise=enterprise, tier=tier, method=TierChange.Method.MANUAL, reason=reason
    )


@transaction.atomic
def chain_position_set(
    *, actor: User, enterprise: Enterprise, node: IndustryNode, is_leader: bool = False
) -> ChainPosition:
    ensure_can_write(actor, enterprise)
    if node.kind != IndustryNode.Kind.NODE:
        raise ValidationError({"node": _("只能挂在链环节上，“%(name)s”不是链环节。") % {"name": node.name}})
    position, created = ChainPosition.objects.get_or_create(enterprise=enterprise, node=node)
    before = {} if created else snapshot(position, ["is_leader"])
    position.is_leader = is_leader
    position.save()
    if created:
        audit_create(actor=actor, obj=position, fields=["enterprise", "node", "is_leader"])
    else:
        audit_update(actor=actor, obj=position, before=before)
    return position


@transaction.atomic
def chain_position_remove(*, actor: User, position: ChainPosition) -> None:
    ensure_can_write(actor, position.enterprise)
    audit_delete(actor=actor, obj=position)
    position.delete()


def visit_rules() -> VisitRule:
    rules = VisitRule.objects.order_by("pk").first()
    return rules or VisitRule()


@transaction.atomic
def visit_record(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: dt.date,
    kind: str,
    purpose: str,
    announced: bool = False,
    override_reason: str = "",
    confidential: bool = False,
) -> Visit:
    """Log a visit by the actor's department. A visit that breaks a rule needs a written reason."""
    department_id = ensure_department_member(actor)
    check_not_future(visited_on, "visited_on", _("走访日期"))
    # Lock the enterprise row so two departments logging visits at once both see each other's.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    breaches = visit_breaches(
        enterprise=enterprise, visited_on=visited_on, kind=kind, announced=announced, rules=visit_rules()
    )
    if breaches and not override_reason.strip():
        raise ValidationError(
            {"override_reason": [_("此次走访超出规则：") + "；".join(breaches), _("请写明理由后再保存。")]}
        )
    visit = Visit(
        enterprise=enterprise,
        department_id=department_id,
        visited_on=visited_on,
        kind=kind,
        purpose=purpose.strip(),
        announced=announced,
        breaches="；".join(breaches)[:300],
        override_reason=override_reason.strip() if breaches else "",
        recorded_by=actor,
        confidential=confidential,
    )
    visit.full_clean()
    visit.save()
    audit_create(
        actor=actor,
        obj=visit,
        fields=["enterprise", "visited_on", "kind", "purpose", "announced", "breaches", "override_reason"],
    )
    return visit


@transaction.atomic
def visit_rules_save(
    *,
    actor: User,
    max_inspections_per_year: int = UNCHANGED,
    max_visits_per_month: int = UNCHANGED,
    quiet_requires_announcement: bool = UNCHANGED,
) -> VisitRule:
    """Department heads set the zone's visit rules."""
    fields = given(
        max_inspections_per_year=max_inspections_per_year,
        max_visits_per_month=max_visits_per_month,
        quiet_requires_announcement=quiet_requires_announcement,
    )
    ensure_role(actor, [Role.HEAD])
    rules = VisitRule.objects.select_for_update().order_by("pk").first() or VisitRule()
    before = snapshot(rules, list(fields))
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    audit_update(actor=actor, obj=rules, before=before)
    return rules


@transaction.atomic
def reference_total_set(
    *, actor: User, group: str, year: int, scope: str, total: int, source: str = ""
) -> ReferenceTotal:
    """A province or city total to compare with (e.g. 全省高企 3,380). Department staff enter them."""
    ensure_department_member(actor)
    ref, created = ReferenceTotal.objects.get_or_create(
        group=group, year=year, scope=scope, defaults={"total": total, "source": source}
    )
    if created:
        ref.full_clean()
        audit_create(actor=actor, obj=ref, fields=["group", "year", "scope", "total", "source"])
        return ref
    before = snapshot(ref, ["total", "source"])
    ref.total, ref.source = total, source
    ref.full_clean()
    ref.save()
    audit_update(actor=actor, obj=ref, before=before)
    return ref


@transaction.atomic
def tiers_apply_rules(*, actor: User | None, year: int, day: dt.date | None = None) -> dict[str, int]:
    """Assign every enterprise the tier its ``year`` figures and the qualifications it holds on
    ``day`` (default: 31 December of ``year``) earn it. Enterprises whose tier was last set by hand
    keep it. Returns how many changed and how many were kept by hand."""
    from django.db.models import OuterRef, Subquery

    if actor is not None:
        ensure_role(actor, [Role.HEAD])
    day = day or dt.date(year, 12, 31)
    tiers = list(Tier.objects.prefetch_related("qualification_kinds"))
    tier_kinds = {t.pk: {k.pk for k in t.qualification_kinds.all()} for t in tiers}
    by_pk = {t.pk: t for t in tiers}
    revenue = YearlyFigure.objects.filter(enterprise=OuterRef("pk"), year=year).values("revenue")[:1]
    previous = YearlyFigure.objects.filter(enterprise=OuterRef("pk"), year=year - 1).values("revenue")[:1]
    last_change = (
        TierChange.objects.filter(enterprise=OuterRef("pk"))
        .order_by("-changed_at", "-id")
        .values("method")[:1]
    )
    held: dict[int, set[int]] = {}
    for enterprise_id, kind_id in Qualification.objects.filter(valid_on_q(day)).values_list(
        "enterprise_id", "kind_id"
    ):
        held.setdefault(enterprise_id, set()).add(kind_id)
    rows = Enterprise.objects.annotate(
        revenue_now=Subquery(revenue), revenue_before=Subquery(previous), last_method=Subquery(last_change)
    ).values_list("pk", "tier_id", "revenue_now", "revenue_before", "last_method")
    kept = 0
    changes: list[tuple[int, int | None, Tier | None]] = []
    for pk, tier_id, revenue_now, revenue_before, last_method in rows.iterator(chunk_size=2000):
        if last_method == TierChange.Method.MANUAL:
            kept += 1
            continue
        tier = matching_tier(
            tiers,
            revenue=revenue_now,
            growth=growth_pct(revenue_now, revenue_before),
            held_kind_ids=held.get(pk, set()),
            tier_kind_ids=tier_kinds,
        )
        if (tier.pk if tier else None) != tier_id:
            changes.append((pk, tier_id, tier))
    _write_rule_changes(actor, changes, by_pk, reason=f"{year} rules")
    changed = len(changes)
    return {"changed": changed, "kept_manual": kept}


def _write_rule_changes(
    actor: User | None,
    changes: list[tuple[int, int | None, Tier | None]],
    tiers: dict[int, Tier],
    *,
    reason: str,
) -> None:
    """Write a rule run's tier changes in bulk: the history rows, the enterprises' current tier
    and the audit entries together, so nothing is changed without its record."""
    for start in range(0, len(changes), 2000):
        chunk = changes[start : start + 2000]
        TierChange.objects.bulk_create(
            TierChange(
                enterprise_id=pk,
                previous_id=old,
                tier=new,
                method=TierChange.Method.RULE,
                reason=reason,
                changed_by=actor,
            )
            for pk, old, new in chunk
        )
        by_tier: dict[int | None, list[int]] = {}
        for pk, _old, new in chunk:
            by_tier.setdefault(new.pk if new else None, []).append(pk)
        for tier_id, pks in by_tier.items():
            Enterprise.objects.filter(pk__in=pks).update(tier_id=tier_id, updated_at=timezone.now())
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor_id=actor.pk if actor else None,
                actor_username=actor.username if actor else "",
                ip=current_ip.get(),
                action=AuditEntry.Action.UPDATE,
                object_type=Enterprise._meta.label,
                object_id=str(pk),
                changes={"tier": [str(tiers[old]) if old else None, str(new) if new else None]},
                detail=f"tier rule: {reason}",
            )
            for pk, old, new in chunk
        )


_TIER_FIELDS = ["name", "rank", "min_revenue", "min_growth_pct"]
_KIND_FIELDS = [
    "code",
    "name",
    "name_en",
    "group",
    "group_name",
    "validity_months",
    "review_months",
    "level",
    "sort_order",
]
_NODE_FIELDS = ["kind", "name", "parent", "segment", "sort_order"]


@transaction.atomic
def tier_save(
    *,
    actor: User,
    tier: Tier,
    qualification_kinds: list[QualificationKind] | None = None,
    name: str = UNCHANGED,
    rank: int = UNCHANGED,
    min_revenue: Decimal | None = UNCHANGED,
    min_growth_pct: Decimal | None = UNCHANGED,
) -> Tier:
    """Rename a cultivation tier or change its rule. Department heads only."""
    fields = given(
        name=name,
        rank=rank,
        min_revenue=min_revenue,
        min_growth_pct=min_growth_pct,
    )
    ensure_role(actor, [Role.HEAD])
    before = snapshot(tier, _TIER_FIELDS)
    before_kinds = sorted(tier.qualification_kinds.values_list("code", flat=True)) if tier.pk else []
    for name, value in fields.items():
        if name not in _TIER_FIELDS:
            raise ValidationError(_("不能在此修改：%(f)s") % {"f": name})
        setattr(tier, name, value)
    tier.full_clean()
    tier.save()
    if qualification_kinds is not None:
        tier.qualification_kinds.set(qualification_kinds)
    after_kinds = sorted(tier.qualification_kinds.values_list("code", flat=True))
    entry = audit_update(actor=actor, obj=tier, before=before)
    if before_kinds != after_kinds and entry is None:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=tier,
            changes={"qualification_kinds": [before_kinds, after_kinds]},
        )
    return tier


@transaction.atomic
def qualification_kind_save(
    *,
    actor: User,
    kind: QualificationKind | None = None,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    name_en: str = UNCHANGED,
    group: str = UNCHANGED,
    group_name: str = UNCHANGED,
    validity_months: int | None = UNCHANGED,
    review_months: int | None = UNCHANGED,
    level: str = UNCHANGED,
    sort_order: int = UNCHANGED,
) -> QualificationKind:
    """Add a kind of qualification, or change one. Department heads only."""
    fields = given(
        code=code,
        name=name,
        name_en=name_en,
        group=group,
        group_name=group_name,
        validity_months=validity_months,
        review_months=review_months,
        level=level,
        sort_order=sort_order,
    )
    ensure_role(actor, [Role.HEAD])
    creating = kind is None
    kind = kind or QualificationKind()
    before = {} if creating else snapshot(kind, _KIND_FIELDS)
    for name, value in fields.items():
        setattr(kind, name, value)
    kind.full_clean()
    kind.save()
    if creating:
        audit_create(actor=actor, obj=kind, fields=_KIND_FIELDS)
    else:
        audit_update(actor=actor, obj=kind, before=before)
    return kind


@transaction.atomic
def industry_node_add(
    *,
    actor: User,
    kind: str,
    name: str,
    parent: IndustryNode | None = None,
    segment: str = "",
    sort_order: int = 0,
) -> IndustryNode:
    """Add a cluster, a chain under a cluster, or a node under a chain. Department heads only."""
    ensure_role(actor, [Role.HEAD])
    expected = IndustryNode.PARENT_KIND.get(kind)
    if kind not in IndustryNode.PARENT_KIND:
        raise ValidationError({"kind": _("未知的节点类型。")})
    if (parent.kind if parent else None) != expected:
        raise ValidationError(
            {"parent": _("产业链必须挂在产业集群下，链环节必须挂在产业链下，产业集群没有上级。")}
        )
    node = IndustryNode(
        kind=kind,
        name=name.strip(),
        parent=parent,
        segment=segment if kind == "node" else "",
        sort_order=sort_order,
    )
    node.full_clean()
    node.save()
    audit_create(actor=actor, obj=node, fields=_NODE_FIELDS)
    return node
