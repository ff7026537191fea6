"""Writes for indicators: the catalog, returns (draft → submitted → approved), targets and peer
figures. Every function validates all its input before writing anything, and is atomic."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xinqu.core import access
from xinqu.core.access import ensure_can_write, head_of, is_head
from xinqu.core.approval import (
    approval_approve,
    approval_return,
    approval_submit,
    ensure_editable,
    require_status,
)
from xinqu.core.audit import audit_create, audit_record, describe, snapshot
from xinqu.core.bulk import audit_rows, update_rows
from xinqu.core.feeds import FEEDS
from xinqu.core.models import AuditEntry, OrgUnit, User
from xinqu.core.phrases import Phrase
from xinqu.core.roles import Role
from xinqu.core.services import UNCHANGED, given, notify, notify_departments, save_audited
from xinqu.indicators.checks import compute_warnings
from xinqu.indicators.models import (
    Indicator,
    Observation,
    ObservationRevision,
    PeerFigure,
    PeerZone,
    Submission,
    SubmissionValue,
    Target,
)
from xinqu.indicators.rules import formula_codes, formula_with_codes
from xinqu.indicators.selectors import fed_value

# How the details this module writes into the audit log read (core.audit).
describe(r"submission (?P<pk>\d+)", gettext_lazy("来自第 %(pk)s 号填报"))
describe(r"fed figures written for (?P<month>\d{4}-\d{2})", gettext_lazy("写入 %(month)s 自动取数的数值"))

Status = Submission.Status
INDICATOR_FIELDS = [
    "code",
    "name",
    "name_en",
    "kind",
    "unit",
    "decimals",
    "frequency",
    "cumulative",
    "jan_feb_combined",
    "additive",
    "direction",
    "price_basis",
    "seasonal_progress",
    "lowest_level",
    "formula",
    "feed",
    "yellow_pp",
    "red_pp",
    "growth_yellow_pp",
    "growth_red_pp",
    "band_pct",
    "growth_tolerance_pp",
    "is_active",
    "sort_order",
    "confidential",
]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def latest_closed_period(today: dt.date | None = None) -> dt.date:
    """The last month that has ended: figures for a month exist only after it."""
    first = month_start(today or timezone.localdate())
    return (first - dt.timedelta(days=1)).replace(day=1)


def ensure_department_member(actor: User) -> int:
    """The actor's department, or PermissionDenied for anyone who does not enter figures."""
    return access.ensure_department_member(actor, _("只有部门工作人员可以填报指标。"))


def ensure_head_of(actor: User, department_id: int) -> None:
    if not (head_of(actor, department_id)):
        raise PermissionDenied(_("只有该部门的负责人可以进行此操作。"))


# --- the catalog -------------------------------------------------------------------------------------


def _check_formula(indicator: Indicator) -> None:
    if not indicator.formula:
        return
    codes = formula_codes(indicator.formula)
    known = dict(Indicator.objects.filter(code__in=codes).values_list("code", "formula"))
    missing = sorted(codes - set(known))
    if missing:
        raise ValidationError(
            {"formula": _("公式引用了不存在的指标编码：%(codes)s") % {"codes": "、".join(missing)}}
        )
    if indicator.code in codes or any(known[c] for c in codes):
        raise ValidationError({"formula": _("公式只能引用填报的指标，不能引用自身或其他派生指标。")})


def check_kind(indicator: Indicator) -> None:
    """A stock is held on a date, never summed over months; a rate or a ratio is a percentage."""
    if indicator.kind == Indicator.Kind.STOCK and indicator.cumulative:
        raise ValidationError({"cumulative": _("存量指标发布期末数，不按累计发布，请取消“累计发布”。")})
    if indicator.is_rate and indicator.unit != "%":
        raise ValidationError({"unit": _("比率、比重类指标的计量单位应为 %。")})
    if indicator.unit == "%" and not indicator.is_rate:
        raise ValidationError({"kind": _("计量单位为 % 的指标是比率或比重，请选择相应的指标类别。")})
    if indicator.is_rate and indicator.additive:
        raise ValidationError({"additive": _("比率、比重不能按区域加总，请取消“可按区域加总”。")})


def _check_feed(indicator: Indicator) -> None:
    """A fed figure: a module's own feed, in the same unit, for the zone only, never a formula."""
    if not indicator.feed:
        return
    found = FEEDS.get(indicator.feed)
    if found is None:
        raise ValidationError({"feed": _("没有这个数据来源：%(key)s") % {"key": indicator.feed}})
    if indicator.formula:
        raise ValidationError({"feed": _("自动取数的指标不能同时有计算公式。")})
    if found.unit != indicator.unit:
        raise ValidationError({"unit": _("计量单位应与数据来源一致（%(unit)s）。") % {"unit": found.unit}})
    if found.measure and indicator.measure != found.measure:
        raise ValidationError({"kind": _("指标类别应与数据来源一致。")})
    if indicator.lowest_level != Indicator.Level.ZONE:
        raise ValidationError({"lowest_level": _("自动取数的指标只到新区一级，“填报到”请选“新区”。")})


@transaction.atomic
def indicator_save(
    *,
    actor: User,
    indicator: Indicator | None = None,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    name_en: str = UNCHANGED,
    kind: str = UNCHANGED,
    unit: str = UNCHANGED,
    decimals: int = UNCHANGED,
    frequency: str = UNCHANGED,
    cumulative: bool = UNCHANGED,
    jan_feb_combined: bool = UNCHANGED,
    additive: bool = UNCHANGED,
    direction: str = UNCHANGED,
    price_basis: str = UNCHANGED,
    seasonal_progress: bool = UNCHANGED,
    lowest_level: str = UNCHANGED,
    formula: str = UNCHANGED,
    feed: str = UNCHANGED,
    yellow_pp: Decimal = UNCHANGED,
    red_pp: Decimal = UNCHANGED,
    growth_yellow_pp: Decimal = UNCHANGED,
    growth_red_pp: Decimal = UNCHANGED,
    band_pct: int = UNCHANGED,
    growth_tolerance_pp: Decimal = UNCHANGED,
    is_active: bool = UNCHANGED,
    sort_order: int = UNCHANGED,
    confidential: bool = UNCHANGED,
) -> Indicator:
    """Add an indicator to the catalog, or change one. Heads manage their department's indicators.
    A formula may name its operands by code or by name; it is kept in codes."""
    if formula is not UNCHANGED and formula:
        names = {}
        for pk_code, zh, en in Indicator.objects.values_list("code", "name", "name_en"):
            names.update({zh: pk_code, en: pk_code} if en else {zh: pk_code})
        formula = formula_with_codes(formula, names)
    fields = given(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        unit=unit,
        decimals=decimals,
        frequency=frequency,
        cumulative=cumulative,
        jan_feb_combined=jan_feb_combined,
        additive=additive,
        direction=direction,
        price_basis=price_basis,
        seasonal_progress=seasonal_progress,
        lowest_level=lowest_level,
        formula=formula,
        feed=feed,
        yellow_pp=yellow_pp,
        red_pp=red_pp,
        growth_yellow_pp=growth_yellow_pp,
        growth_red_pp=growth_red_pp,
        band_pct=band_pct,
        growth_tolerance_pp=growth_tolerance_pp,
        is_active=is_active,
        sort_order=sort_order,
        confidential=confidential,
    )
    if not is_head(actor):
        raise PermissionDenied(_("只有部门负责人可以维护指标目录。"))
    if indicator is None:
        indicator = Indicator(department_id=ensure_department_member(actor))
    else:
        ensure_can_write(actor, indicator)
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    old_code = None if indicator._state.adding else indicator.code

    def validate(changed: Indicator) -> None:
        _check_formula(changed)
        check_kind(changed)
        _check_feed(changed)
        if old_code is not None and changed.code != old_code:
            users = [
                i.name for i in Indicator.objects.exclude(formula="") if old_code in formula_codes(i.formula)
            ]
            if users:
                message = _("编码被这些派生指标的公式引用，不能修改：%(names)s") % {"names": "、".join(users)}
                raise ValidationError({"code": message})

    return save_audited(
        actor=actor, instance=indicator, audited=INDICATOR_FIELDS, fields=fields, validate=validate
    )


# --- returns -----------------------------------------------------------------------------------------


@dataclass
class ValueInput:
    indicator: Indicator
    org_unit: OrgUnit
    ytd_value: Decimal | None = None
    period_value: Decimal | None = None
    growth: Decimal | None = None
    org_unit_id: int = field(init=False)

    def __post_init__(self) -> None:
        self.org_unit_id = self.org_unit.pk  # read once per value by the checks


def check_period(period: dt.date, *, today: dt.date | None = None) -> dt.date:
    period = month_start(period)
    latest = latest_closed_period(today)
    if period > latest:
        raise ValidationError(
            {
                "period": _("%(p)s 尚未结束，不能填报；最近可填报的是 %(l)s。")
                % {"p": f"{period:%Y-%m}", "l": f"{latest:%Y-%m}"}
            }
        )
    if period.year < 1980:
        raise ValidationError({"period": _("期间太早。")})
    return period


def value_problem(actor: User, value: ValueInput, period: dt.date) -> str | None:
    """Why ``value`` may not go into ``actor``'s return for ``period``, or None."""
    catalog = _catalog_problem(actor.department_id, value.indicator, value.org_unit, period.month)
    return catalog or numbers_problem(value)


def numbers_problem(value: ValueInput) -> str | None:
    indicator = value.indicator
    if value.ytd_value is None and value.period_value is None and value.growth is None:
        return _("没有填写任何数值")
    if not indicator.cumulative and value.period_value is not None:
        return _("指标“%(name)s”不是累计指标，请只填数值") % {"name": indicator.name}
    return None


def _catalog_problem(
    department_id: int | None, indicator: Indicator, unit: OrgUnit, month: int
) -> str | None:
    """What the catalog says against a value of ``indicator`` for ``unit`` in ``month``."""
    if indicator.department_id != department_id:
        return _("指标“%(name)s”由%(dept)s填报，本部门不能填报") % {
            "name": indicator.name,
            "dept": indicator.department,
        }
    if not indicator.is_active:
        return _("指标“%(name)s”已停用") % {"name": indicator.name}
    if indicator.formula:
        return _("指标“%(name)s”由公式计算，不需填报") % {"name": indicator.name}
    if indicator.feed:
        return _("指标“%(name)s”由其他模块自动取数，不填报") % {"name": indicator.name}
    if not indicator.level_allows(unit.kind):
        return _("指标“%(name)s”只填报到%(level)s，不填报%(unit)s") % {
            "name": indicator.name,
            "level": indicator.get_lowest_level_display(),
            "unit": unit.get_kind_display(),
        }
    if not indicator.is_due(month):
        if month == 1 and indicator.frequency == Indicator.Frequency.MONTHLY:
            return _("指标“%(name)s”1-2月合并发布，请在2月填报1-2月数据") % {"name": indicator.name}
        return _("指标“%(name)s”为%(freq)s指标，%(month)d月不发布") % {
            "name": indicator.name,
            "freq": indicator.get_frequency_display(),
            "month": month,
        }
    return None


def submission_for(*, actor: User, period: dt.date, create: bool = True) -> Submission | None:
    """The actor's department's open return for ``period``; a new draft if there is none."""
    department_id = ensure_department_member(actor)
    period = check_period(period)
    open_one = (
        Submission.objects.filter(department_id=department_id, period=period, status__in=Submission.OPEN)
        .order_by("-id")
        .first()
    )
    if open_one is not None or not create:
        return open_one
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                department_id=department_id, period=period, created_by=actor
            )
    except IntegrityError:  # someone else opened it a moment ago
        return Submission.objects.get(department_id=department_id, period=period, status__in=Submission.OPEN)
    audit_create(actor=actor, obj=submission, fields=["department", "period", "status"])
    return submission


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("department").get(pk=submission.pk)


@transaction.atomic
def submission_values_save(
    *,
    actor: User,
    submission: Submission,
    values: Iterable[ValueInput],
    clear: Iterable[tuple[int, int]] = (),
) -> int:
    """Put ``values`` into an editable return (replacing what it held for the same indicator and
    unit) and remove the ``clear`` (indicator, unit) pairs. All or nothing: one bad value refuses
    the lot with every problem listed."""
    submission = ensure_editable(actor=actor, record=submission)
    values = list(values)
    problems = []
    for value in values:
        problem = value_problem(actor, value, submission.period)
        if problem:
            problems.append(f"{value.indicator.name} · {value.org_unit.name}：{problem}")
    if problems:
        raise ValidationError(problems)
    existing = {(v.indicator_id, v.org_unit_id): v for v in submission.values.all()}
    creates, updates = [], []
    for value in values:
        row = existing.get((value.indicator.pk, value.org_unit.pk))
        if row is None:
            creates.append(
                SubmissionValue(
                    submission=submission,
                    indicator=value.indicator,
                    org_unit=value.org_unit,
                    ytd_value=value.ytd_value,
                    period_value=value.period_value,
                    growth=value.growth,
                )
            )
        elif (row.ytd_value, row.period_value, row.growth) != (
            value.ytd_value,
            value.period_value,
            value.growth,
        ):
            row.ytd_value, row.period_value, row.growth = value.ytd_value, value.period_value, value.growth
            updates.append(row)
    given = {(v.indicator.pk, v.org_unit.pk) for v in values}
    cleared = [existing[k].pk for k in clear if k in existing and k not in given]
    SubmissionValue.objects.bulk_create(creates, batch_size=1000)
    SubmissionValue.objects.bulk_update(updates, ["ytd_value", "period_value", "growth"], batch_size=1000)
    SubmissionValue.objects.filter(pk__in=cleared).delete()
    changed = len(creates) + len(updates) + len(cleared)
    if changed:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=submission,
            changes={
                "values": [None, {"added": len(creates), "changed": len(updates), "removed": len(cleared)}]
            },
        )
    compute_warnings(submission)
    return changed


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission, confirm_warnings: bool = False) -> Submission:
    """Send a return to the head. Values with warnings need the submitter's confirmation."""
    submission = ensure_editable(actor=actor, record=submission)
    if not submission.values.exists():
        raise ValidationError(_("这份填报还没有任何数值。"))
    compute_warnings(submission)
    warned = submission.values.exclude(warnings=[]).filter(confirmed_by__isnull=True)
    if warned.exists():
        if not confirm_warnings:
            raise ValidationError(
                _("有 %(n)d 个数值需要核实：请逐条查看提示，确认无误后勾选“已核实”再上报。")
                % {"n": warned.count()}
            )
        warned.update(confirmed_by=actor)
    submitted = approval_submit(actor=actor, record=submission)
    # Work arrives: the department's head is told a return waits for them.
    notify_departments(
        [submitted.department_id],
        roles=[Role.HEAD],
        key=f"return-submitted-{submitted.pk}-{submitted.submitted_at:%Y%m%d%H%M%S}",
        title=Phrase(gettext_noop("%(period)s 经济指标填报待审核"), period=f"{submitted.period:%Y-%m}"),
        body=Phrase(gettext_noop("%(who)s 已上报，请审核。"), who=actor.display_name),
        url=reverse("indicators:return", args=[submitted.pk]),
    )
    return submitted


def submission_return(*, actor: User, submission: Submission, reason: str) -> Submission:
    """The department head sends a submitted return back with a reason."""
    returned = approval_return(actor=actor, record=submission, reason=reason)
    if returned.submitted_by is not None:
        notify(
            user=returned.submitted_by,
            key=f"return-returned-{returned.pk}-{returned.reviewed_at:%Y%m%d%H%M%S}",
            title=Phrase(gettext_noop("%(period)s 经济指标填报被退回"), period=f"{returned.period:%Y-%m}"),
            body=reason.strip(),
            url=reverse("indicators:return", args=[returned.pk]),
        )
    return returned


@transaction.atomic
def submission_approve(*, actor: User, submission: Submission) -> int:
    """The head approves: the values become observations (earlier approved values are kept as
    revisions), and year-to-date and single-period values are derived from each other."""
    ensure_head_of(actor, submission.department_id)
    submission = _locked(submission)
    require_status(submission, Status.SUBMITTED)
    count = observations_apply(
        actor=actor,
        submission=submission,
        values=list(submission.values.select_related("indicator")),
        now=timezone.now(),
    )
    approval_approve(actor=actor, record=submission)
    return count


def observations_apply(
    *, actor: User, submission: Submission | None, values: list[SubmissionValue], now: dt.datetime
) -> int:
    """Write ``values`` (for one period) as observations and re-derive the year's dependent values."""
    if not values:
        return 0
    period = values[0].submission.period if submission is None else submission.period
    indicators = {v.indicator_id: v.indicator for v in values}
    units = {v.org_unit_id for v in values}
    year_rows = Observation.objects.filter(
        indicator_id__in=indicators, org_unit_id__in=units, period__year=period.year
    )
    by_series: dict[tuple[int, int], dict[int, Observation]] = defaultdict(dict)
    for obs in year_rows:
        by_series[(obs.indicator_id, obs.org_unit_id)][obs.period.month] = obs
    revisions, audit_entries, touched = [], [], set()
    audit_objects: list[Observation] = []
    for value in values:
        series = by_series[(value.indicator_id, value.org_unit_id)]
        found = series.get(period.month)
        if found is None:
            obs = Observation(indicator_id=value.indicator_id, org_unit_id=value.org_unit_id, period=period)
            series[period.month] = obs
            old: dict[str, Any] = {}
        else:
            obs = found
            old = {"ytd_value": obs.ytd_value, "period_value": obs.period_value, "growth": obs.growth}
            revisions.append(
                ObservationRevision(
                    observation=obs,
                    revision=obs.revision,
                    ytd_value=obs.ytd_value,
                    period_value=obs.period_value,
                    growth=obs.growth,
                    replaced_at=now,
                    replaced_by=actor,
                    submission=submission,
                )
            )
            obs.revision += 1
        obs.ytd_value, obs.ytd_derived = value.ytd_value, False
        obs.period_value, obs.period_derived = value.period_value, False
        obs.growth = value.growth
        obs.submission, obs.approved_at = submission, now
        touched.add((value.indicator_id, value.org_unit_id))
        audit_objects.append(obs)
        new = {"ytd_value": obs.ytd_value, "period_value": obs.period_value, "growth": obs.growth}
        audit_entries.append(
            (
                obs,
                {
                    k: [
                        str(old.get(k)) if old.get(k) is not None else None,
                        str(v) if v is not None else None,
                    ]
                    for k, v in new.items()
                    if old.get(k) != v
                },
            )
        )
    creates, updates = [], []
    approved = {id(o) for o in audit_objects}
    for key in touched:
        series = by_series[key]
        before = {month: _derived_state(obs) for month, obs in series.items()}
        _derive(indicators[key[0]], series)
        for month, obs in series.items():
            if not obs.pk:
                creates.append(obs)
            elif id(obs) in approved or _derived_state(obs) != before[month]:
                updates.append(obs)  # only rows this approval changed are written
    Observation.objects.bulk_create(creates, batch_size=1000)
    fields = [
        "ytd_value",
        "ytd_derived",
        "period_value",
        "period_derived",
        "growth",
        "revision",
        "submission_id",
        "approved_at",
    ]
    update_rows(Observation, fields, ([*(getattr(o, f) for f in fields), o.pk] for o in updates))
    for revision in revisions:
        revision.observation_id = revision.observation.pk
    ObservationRevision.objects.bulk_create(revisions, batch_size=1000)
    audit_rows(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type=Observation._meta.label,
        entries=((obs.pk, str(obs), changes) for obs, changes in audit_entries if changes),
        detail=f"submission {submission.pk}" if submission else "",
    )
    return len(values)


def _derived_state(obs: Observation) -> tuple[Any, ...]:
    return (obs.ytd_value, obs.ytd_derived, obs.period_value, obs.period_derived)


def _derive(indicator: Indicator, series: dict[int, Observation]) -> None:
    """Fill the year-to-date or single-period value that was not reported, month by month, and
    mark it derived. Values someone reported are never overwritten."""
    if not indicator.cumulative:
        return
    for month in sorted(series):
        obs = series[month]
        previous_month = indicator.previous_month(month)
        previous = series.get(previous_month) if previous_month else None
        ytd_reported = obs.ytd_value is not None and not obs.ytd_derived
        period_reported = obs.period_value is not None and not obs.period_derived
        if previous_month is None:  # the first value of the year: both are the same number
            if ytd_reported and not period_reported:
                obs.period_value, obs.period_derived = obs.ytd_value, True
            elif period_reported and not ytd_reported:
                obs.ytd_value, obs.ytd_derived = obs.period_value, True
            continue
        base = previous.ytd_value if previous is not None else None
        if ytd_reported and not period_reported:
            obs.period_value = None if base is None else obs.ytd_value - base  # type: ignore[operator]
            obs.period_derived = obs.period_value is not None
        elif period_reported and not ytd_reported:
            obs.ytd_value = None if base is None else base + obs.period_value  # type: ignore[operator]
            obs.ytd_derived = obs.ytd_value is not None


# --- targets and peers -------------------------------------------------------------------------------


def _check_phasing(phasing: list[Any]) -> list[float]:
    if not phasing:
        return []
    if len(phasing) not in (4, 12):
        raise ValidationError({"phasing": _("分月进度应有 12 个月（或 4 个季度）的累计百分比。")})
    try:
        shares = [float(Decimal(str(p))) for p in phasing]
    except Exception:
        raise ValidationError({"phasing": _("分月进度只能填数字。")}) from None
    if len(shares) == 4:
        quarterly = shares
        shares = []
        previous = 0.0
        for q in quarterly:  # spread each quarter evenly over its three months
            step = (q - previous) / 3
            shares += [round(previous + step, 2), round(previous + 2 * step, 2), q]
            previous = q
    if any(b < a for a, b in itertools.pairwise(shares)) or shares[0] < 0:
        raise ValidationError({"phasing": _("分月进度是累计百分比，应逐月不减。")})
    if abs(shares[-1] - 100) > 0.01:
        raise ValidationError({"phasing": _("分月进度到12月应为 100%。")})
    return shares


@transaction.atomic
def target_set(
    *,
    actor: User,
    indicator: Indicator,
    org_unit: OrgUnit,
    year: int,
    value: Decimal | None,
    growth: Decimal | None,
    phasing: list[Any] | None = None,
) -> Target | None:
    """Set (or, with neither value nor growth, remove) an annual target. The indicator's
    department sets its targets."""
    ensure_can_write(actor, indicator)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000–2100 之间。")})
    if not indicator.level_allows(org_unit.kind):
        raise ValidationError({"org_unit": _("该指标不填报到这一级单位。")})
    shares = _check_phasing(phasing or [])
    current = (
        Target.objects.select_for_update().filter(indicator=indicator, org_unit=org_unit, year=year).first()
    )
    fields = ["value", "growth", "phasing"]
    if value is None and growth is None:
        if current is not None:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.DELETE,
                obj=current,
                changes={k: [str(v), None] for k, v in snapshot(current, fields).items()},
            )
            current.delete()
        return None
    if value is not None and value <= 0 and indicator.direction == Indicator.Direction.HIGHER:
        raise ValidationError({"value": _("目标值应大于 0。")})
    target = current or Target(indicator=indicator, org_unit=org_unit, year=year)
    target.updated_by = actor  # who set it last; the audit row names them too
    return save_audited(
        actor=actor,
        instance=target,
        audited=fields,
        fields={"value": value, "growth": growth, "phasing": shares},
    )


@transaction.atomic
def peer_figure_set(
    *,
    actor: User,
    peer: PeerZone,
    indicator: Indicator,
    year: int,
    value: Decimal | None,
    growth: Decimal | None,
    note: str = "",
    scope: str = "",
    source: str = "",
) -> PeerFigure:
    """Record a peer zone's published figure, with the area it covers (全域, 直管区 …) and where it
    was published. The indicator's department keeps its peer data."""
    ensure_can_write(actor, indicator)
    if value is None and growth is None and not note.strip():
        raise ValidationError(_("请至少填写总量、增速或说明中的一项。"))
    figure = PeerFigure.objects.filter(peer=peer, indicator=indicator, year=year).first()
    return save_audited(
        actor=actor,
        instance=figure or PeerFigure(peer=peer, indicator=indicator, year=year),
        audited=["value", "growth", "scope", "source", "note"],
        fields={
            "value": value,
            "growth": growth,
            "scope": scope.strip()[:120],
            "source": source.strip()[:500],
            "note": note.strip()[:300],
        },
    )


REFERENCE_PEERS = Path(__file__).parent / "data" / "national-new-areas.csv"


def _scope_words(scope: str) -> str:
    """The file's scope, in the words a Chinese table uses (南沙区 whole district → 南沙区全域)."""
    scope = scope.strip()
    if scope == "scope not stated":
        return "未说明范围"
    if scope == "whole district":
        return "全域"
    if scope.endswith(" whole district"):
        return scope.removesuffix(" whole district") + "全域"
    if " only" in scope:
        district, _only, rest = scope.partition(" only")
        return f"仅{district}{rest.strip()}"
    return scope


def reference_peer_figures() -> dict[tuple[str, int], dict[str, Any]]:
    """The national new areas' published GDP and real growth (2023, 2024) that ship with Xinqu,
    one entry per zone and year, with each figure's scope and source kept. Where sources give the
    level and the growth for different scopes, the scope says which is which."""
    rows: dict[tuple[str, int], list[dict[str, str]]] = {}
    with REFERENCE_PEERS.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            rows.setdefault((row["zone"], int(row["year"])), []).append(row)
    found = {}
    for key, reported in rows.items():
        level = next((r for r in reported if r["gdp_yi_yuan"]), None)
        rate = next((r for r in reported if r["gdp_growth_pct"]), None)
        if level is not None and rate is not None and level is not rate:
            scope = f"{_('总量')}：{_scope_words(level['scope'])}；{_('增速')}：{_scope_words(rate['scope'])}"
        else:
            scope = _scope_words((level or rate or reported[0])["scope"])
        found[key] = {
            "value": Decimal(level["gdp_yi_yuan"]) if level else None,
            "growth": Decimal(rate["gdp_growth_pct"]) if rate else None,
            "scope": scope,
            "source": (level or rate or reported[0])["source"],
            "note": "；".join(r["note"] for r in reported if r["note"]),
        }
    return found


@transaction.atomic
def peers_load_reference(*, actor: User, indicator: Indicator, names: list[str] | None = None) -> int:
    """Put the shipped national new areas' figures on ``indicator`` (GDP) for the years they cover,
    creating the peer zones they name; figures already recorded are replaced. Returns the count."""
    ensure_can_write(actor, indicator)
    count = 0
    for (name, year), entry in reference_peer_figures().items():
        if names is not None and name not in names:
            continue
        peer, _created = PeerZone.objects.get_or_create(name=name)
        peer_figure_set(
            actor=actor,
            peer=peer,
            indicator=indicator,
            year=year,
            value=entry["value"],
            growth=entry["growth"],
            scope=entry["scope"],
            source=entry["source"],
            note=entry["note"],
        )
        count += 1
    return count


@transaction.atomic
def targets_set(
    *,
    actor: User,
    year: int,
    items: list[tuple[Indicator, OrgUnit, Decimal | None, Decimal | None, list[Any]]],
) -> int:
    """Set many targets at once: all of them, or (when any is refused) none, with every reason."""
    problems = []
    for indicator, unit, value, growth, phasing in items:
        try:
            target_set(
                actor=actor,
                indicator=indicator,
                org_unit=unit,
                year=year,
                value=value,
                growth=growth,
                phasing=phasing,
            )
        except ValidationError as exc:
            problems += [f"{indicator.name} · {unit.name}：{m}" for m in exc.messages]
    if problems:
        raise ValidationError(problems)
    return len(items)


# --- fed figures --------------------------------------------------------------------------------


@transaction.atomic
def fed_figures_write(*, month: dt.date, actor: User | None = None) -> int:
    """When a month closes: write each fed figure's value for it, for the zone, as an approved
    observation (a changed value is kept as a revision). Returns the number written."""
    zone = OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).first()
    if zone is None:
        return 0
    written = 0
    now = timezone.now()
    for indicator in Indicator.objects.exclude(feed="").filter(is_active=True):
        if not indicator.is_due(month.month):
            continue
        value = fed_value(indicator, month)
        if value is None:
            continue
        found = Observation.objects.filter(indicator=indicator, org_unit=zone, period=month).first()
        if found is None:
            Observation.objects.create(
                indicator=indicator, org_unit=zone, period=month, ytd_value=value, approved_at=now
            )
        elif found.ytd_value != value:
            ObservationRevision.objects.create(
                observation=found,
                revision=found.revision,
                ytd_value=found.ytd_value,
                period_value=found.period_value,
                growth=found.growth,
                replaced_at=now,
                replaced_by=actor,
            )
            found.ytd_value, found.revision, found.approved_at = value, found.revision + 1, now
            found.save(update_fields=["ytd_value", "revision", "approved_at"])
        else:
            continue
        written += 1
    if written:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="indicators.Observation",
            detail=f"fed figures written for {month:%Y-%m}",
            changes={"written": [None, written]},
        )
    return written
