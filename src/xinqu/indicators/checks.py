"""Plausibility checks on a return's values. They do not refuse anything: each finding is a warning
the submitter must confirm before the return can go to the head. Findings are stored as codes with
their raw figures and worded when shown, in the reader's language and number format."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection
from django.utils.translation import gettext as _

from xinqu.core.bulk import update_rows
from xinqu.core.models import OrgUnit
from xinqu.core.numbers import amount
from xinqu.indicators.models import Indicator, Submission, SubmissionValue

PARTS_TOLERANCE = 0.005  # parts may differ from the whole by rounding: 0.5 %


class Checked(Protocol):
    indicator: Indicator
    org_unit_id: int
    ytd_value: Decimal | None
    growth: Decimal | None


def _shift(period: dt.date, *, years: int = 0, month: int | None = None) -> dt.date:
    return dt.date(period.year + years, month or period.month, 1)


def warning_text(warning: dict[str, Any]) -> str:
    code, raw = warning.get("code"), warning.get("params", {})
    d = int(raw.get("decimals", 1))
    p = {
        k: amount(v, 1 if k in {"reported", "computed", "tolerance"} else d)
        for k, v in raw.items()
        if k != "pct"
    }
    p["pct"] = raw.get("pct", "")
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


def _warning(code: str, indicator: Indicator, **figures: Any) -> dict[str, Any]:
    params = {
        k: (str(v) if isinstance(v, Decimal) else round(v, 6) if isinstance(v, float) else v)
        for k, v in figures.items()
    }
    return {"code": code, "params": params | {"decimals": indicator.decimals}}


@dataclass
class _Past:
    low: float | None  # the lowest and highest of the same month in the three years before
    high: float | None
    years: int
    last_year: float | None
    previous: dict[str, float]  # year-to-date of earlier months this year, by ISO date
    now: float | None  # an approved value for the period itself


def _history(
    indicator_ids: list[int], period: dt.date, previous: list[dt.date]
) -> dict[tuple[int, int], _Past]:
    """What approved observations say about each (indicator, unit), from one query. The rows come
    in period order from the (period, indicator) index, and each series has at most six, so they
    are folded here: a GROUP BY would sort every row again and take twice as long."""
    past = [_shift(period, years=-y) for y in (1, 2, 3)]
    wanted = [*past, *previous, period]
    date = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    sql = (
        "SELECT indicator_id, org_unit_id, CAST(period AS TEXT), ytd_value FROM indicators_observation"  # noqa: S608 - placeholders only
        f" WHERE indicator_id IN ({', '.join(['%s'] * len(indicator_ids))})"
        f" AND period IN ({', '.join([date] * len(wanted))}) AND ytd_value IS NOT NULL"
    )
    past_keys = {p.isoformat() for p in past}
    last, now = past[0].isoformat(), period.isoformat()
    found: dict[tuple[int, int], _Past] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*indicator_ids, *wanted])
        for ind, unit, when, raw in cursor.fetchall():
            value = float(raw)
            entry = found.get((ind, unit))
            if entry is None:
                entry = found[(ind, unit)] = _Past(None, None, 0, None, {}, None)
            if when in past_keys:
                entry.low = value if entry.low is None else min(entry.low, value)
                entry.high = value if entry.high is None else max(entry.high, value)
                entry.years += 1
                if when == last:
                    entry.last_year = value
            elif when == now:
                entry.now = value
            else:
                entry.previous[when] = value
    return found


_NOTHING = _Past(None, None, 0, None, {}, None)


def find_warnings(period: dt.date, values: Sequence[Checked]) -> list[list[dict[str, Any]]]:
    """The warnings of each of ``values`` (all the values of one return), in order. History comes
    from approved observations in one grouped query; the parts check sees the return's values first."""
    if not values:
        return []
    indicators = {v.indicator.id: v.indicator for v in values}
    previous = {
        pk: _shift(period, month=m)
        for pk, i in indicators.items()
        if i.cumulative and (m := i.previous_month(period.month)) is not None
    }
    history = _history(list(indicators), period, sorted(set(previous.values())))
    units = {
        pk: (kind, parent) for pk, kind, parent in OrgUnit.objects.values_list("pk", "kind", "parent_id")
    }
    children: dict[int, list[int]] = defaultdict(list)
    for pk, (_kind, parent) in units.items():
        if parent:
            children[parent].append(pk)
    in_return = {
        (v.indicator.id, v.org_unit_id): float(v.ytd_value) for v in values if v.ytd_value is not None
    }

    def current(indicator_id: int, unit_id: int) -> float | None:
        value = in_return.get((indicator_id, unit_id))
        return value if value is not None else history.get((indicator_id, unit_id), _NOTHING).now

    kids_of: dict[tuple[int, str], list[int]] = {}  # (unit, lowest level) → the sub-units reported
    results = []
    for value in values:
        indicator, unit_id = value.indicator, value.org_unit_id
        found: list[dict[str, Any]] = []
        if value.ytd_value is not None:
            ytd = float(value.ytd_value)
            past = history.get((indicator.id, unit_id), _NOTHING)
            if past.years >= 2 and past.low is not None and past.high is not None:
                slack = indicator.band_pct / 100
                low, high = past.low - abs(past.low) * slack, past.high + abs(past.high) * slack
                if not low <= ytd <= high:
                    found.append(
                        _warning("band", indicator, value=ytd, low=low, high=high, pct=indicator.band_pct)
                    )
            if indicator.id in previous:
                before = past.previous.get(previous[indicator.id].isoformat())
                if before is not None and ytd < before:
                    found.append(_warning("ytd_decreased", indicator, value=ytd, previous=before))
            if (
                value.growth is not None
                and indicator.price_basis == Indicator.PriceBasis.CURRENT
                and past.last_year
            ):
                computed = (ytd / past.last_year - 1) * 100
                tolerance = float(indicator.growth_tolerance_pp)
                if abs(computed - float(value.growth)) > tolerance:
                    found.append(
                        _warning(
                            "growth_mismatch",
                            indicator,
                            reported=value.growth,
                            computed=computed,
                            tolerance=tolerance,
                        )
                    )
            kind = units[unit_id][0]
            level = (unit_id, indicator.lowest_level)
            if level not in kids_of:
                kids_of[level] = [k for k in children.get(unit_id, []) if indicator.level_allows(units[k][0])]
            kids = kids_of[level]
            if indicator.additive and kids:
                parts = [current(indicator.id, k) for k in kids]
                known = [p for p in parts if p is not None]
                total = sum(known)
                if kind == OrgUnit.Kind.ZONE and len(known) == len(parts):
                    if abs(total - ytd) > abs(ytd) * PARTS_TOLERANCE:
                        found.append(_warning("parts_sum", indicator, parts=total, whole=ytd))
                elif kind == OrgUnit.Kind.AREA and known and total > ytd * (1 + PARTS_TOLERANCE):
                    found.append(_warning("parts_exceed", indicator, parts=total, whole=ytd))
        results.append(found)
    return results


def compute_warnings(submission: Submission) -> int:
    """Recompute and store the warnings of every value in ``submission``; returns how many values
    carry one. A value whose warnings changed loses an earlier confirmation."""
    values = list(submission.values.select_related("indicator"))
    changed = []
    flagged = 0
    for value, found in zip(values, find_warnings(submission.period, values), strict=True):
        flagged += bool(found)
        if found != value.warnings:
            changed.append((found, None, value.pk))
    update_rows(SubmissionValue, ["warnings", "confirmed_by_id"], changed)
    return flagged
