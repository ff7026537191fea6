"""Plausibility checks on a return's values. They do not refuse anything: each finding is a warning
the submitter must confirm before the return can go to the head. Findings are stored as codes with
their figures and worded when shown, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from xinqu.core.models import OrgUnit
from xinqu.core.numbers import amount
from xinqu.indicators.models import Indicator, Observation, Submission, SubmissionValue

PARTS_TOLERANCE = Decimal("0.005")  # parts may differ from the whole by rounding: 0.5 %
Key = tuple[int, int, dt.date]  # indicator, org unit, period


def _shift(period: dt.date, *, years: int = 0, month: int | None = None) -> dt.date:
    return dt.date(period.year + years, month or period.month, 1)


def warning_text(warning: dict[str, Any]) -> str:
    code, p = warning.get("code"), warning.get("params", {})
    if code == "band":
        return _("数值 %(value)s 超出往年同期 %(low)s–%(high)s 的合理区间（已放宽 %(pct)s%%）") % p
    if code == "ytd_decreased":
        return _("累计值 %(value)s 小于上期累计值 %(previous)s") % p
    if code == "growth_mismatch":
        return (
            _("填报增速 %(reported)s%% 与按上年同期数值计算的 %(computed)s%% 相差超过 %(tolerance)s 个百分点")
            % p
        )
    if code == "parts_sum":
        return _("下级单位合计 %(parts)s 与本级数值 %(whole)s 不一致") % p
    if code == "parts_exceed":
        return _("所属园区合计 %(parts)s 超过本功能区数值 %(whole)s") % p
    return str(code)


def compute_warnings(submission: Submission) -> int:
    """Recompute and store the warnings of every value in ``submission``; returns how many values
    carry one. A value whose warnings changed loses an earlier confirmation."""
    values = list(submission.values.select_related("indicator", "org_unit"))
    if not values:
        return 0
    period = submission.period
    indicator_ids = {v.indicator_id for v in values}
    history_periods = {_shift(period, years=-y) for y in (1, 2, 3)}
    previous_periods = {
        dt.date(period.year, m, 1)
        for m in {v.indicator.previous_month(period.month) for v in values}
        if m is not None
    }
    observed: dict[Key, Observation] = {
        (o.indicator_id, o.org_unit_id, o.period): o
        for o in Observation.objects.filter(
            indicator_id__in=indicator_ids, period__in=history_periods | previous_periods | {period}
        ).only("indicator_id", "org_unit_id", "period", "ytd_value", "period_value")
    }
    units = {u.pk: u for u in OrgUnit.objects.all()}
    children: dict[int, list[int]] = defaultdict(list)
    for unit in units.values():
        if unit.parent_id:
            children[unit.parent_id].append(unit.pk)
    in_return = {(v.indicator_id, v.org_unit_id): v for v in values}

    def current(indicator_id: int, unit_id: int) -> Decimal | None:
        value = in_return.get((indicator_id, unit_id))
        if value is not None and value.ytd_value is not None:
            return value.ytd_value
        obs = observed.get((indicator_id, unit_id, period))
        return obs.ytd_value if obs is not None else None

    changed = []
    flagged = 0
    for value in values:
        indicator = value.indicator
        found: list[dict[str, Any]] = []
        d = indicator.decimals
        if value.ytd_value is not None:
            past = [
                o.ytd_value
                for p in history_periods
                if (o := observed.get((indicator.pk, value.org_unit_id, p))) is not None
                and o.ytd_value is not None
            ]
            if len(past) >= 2:
                slack = Decimal(indicator.band_pct) / 100
                low, high = min(past), max(past)
                low, high = low - abs(low) * slack, high + abs(high) * slack
                if not low <= value.ytd_value <= high:
                    found.append(
                        {
                            "code": "band",
                            "params": {
                                "value": amount(value.ytd_value, d),
                                "low": amount(low, d),
                                "high": amount(high, d),
                                "pct": indicator.band_pct,
                            },
                        }
                    )
            previous_month = indicator.previous_month(period.month)
            if indicator.cumulative and previous_month is not None:
                prev = observed.get((indicator.pk, value.org_unit_id, _shift(period, month=previous_month)))
                if prev is not None and prev.ytd_value is not None and value.ytd_value < prev.ytd_value:
                    found.append(
                        {
                            "code": "ytd_decreased",
                            "params": {
                                "value": amount(value.ytd_value, d),
                                "previous": amount(prev.ytd_value, d),
                            },
                        }
                    )
            last_year = observed.get((indicator.pk, value.org_unit_id, _shift(period, years=-1)))
            if (
                value.growth is not None
                and indicator.growth_source == Indicator.GrowthSource.COMPUTED
                and last_year is not None
                and last_year.ytd_value
            ):
                computed = (value.ytd_value / last_year.ytd_value - 1) * 100
                if abs(computed - value.growth) > indicator.growth_tolerance_pp:
                    found.append(
                        {
                            "code": "growth_mismatch",
                            "params": {
                                "reported": amount(value.growth, 1),
                                "computed": amount(computed, 1),
                                "tolerance": amount(indicator.growth_tolerance_pp, 1),
                            },
                        }
                    )
            unit = units[value.org_unit_id]
            kids = [k for k in children.get(unit.pk, []) if indicator.level_allows(units[k].kind)]
            if indicator.additive and kids:
                parts = [current(indicator.pk, k) for k in kids]
                known = [p for p in parts if p is not None]
                total = sum(known, Decimal(0))
                whole = value.ytd_value
                if unit.kind == OrgUnit.Kind.ZONE and len(known) == len(parts):
                    if abs(total - whole) > abs(whole) * PARTS_TOLERANCE:
                        found.append(
                            {
                                "code": "parts_sum",
                                "params": {"parts": amount(total, d), "whole": amount(whole, d)},
                            }
                        )
                elif unit.kind == OrgUnit.Kind.AREA and known and total > whole * (1 + PARTS_TOLERANCE):
                    found.append(
                        {
                            "code": "parts_exceed",
                            "params": {"parts": amount(total, d), "whole": amount(whole, d)},
                        }
                    )
        if found:
            flagged += 1
        if found != value.warnings:
            value.warnings = found
            value.confirmed_by = None
            changed.append(value)
    SubmissionValue.objects.bulk_update(changed, ["warnings", "confirmed_by"], batch_size=1000)
    return flagged
