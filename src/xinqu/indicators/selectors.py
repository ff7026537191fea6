"""Reads for indicators. `overview` and `breakdown` compute every row's value, growth, target and
time progress in one SQL query (correlated subqueries on the observation key), straight from the
approved observations: nothing is precomputed, so nothing is ever stale. Completion, gap and the
light are then simple arithmetic on each row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Expression,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from xinqu.core.models import OrgUnit, User
from xinqu.core.numbers import amount
from xinqu.indicators.models import Indicator, Observation, PeerFigure, PeerZone, Target
from xinqu.indicators.services import evaluate_formula, formula_codes

HUNDRED = Decimal(100)
LIGHTS = {"green": _("绿灯"), "yellow": _("黄灯"), "red": _("红灯")}


def _dates(year: int, month: int | None) -> dict[str, dt.date | None]:
    """The periods one row reads for a value due in ``month`` of ``year``."""
    keys = ["eff", "ly", "s1", "s2", "s3", "d1", "d2", "d3"]
    if month is None:
        return dict.fromkeys(keys)
    return {
        "eff": dt.date(year, month, 1),
        "ly": dt.date(year - 1, month, 1),
        **{f"s{k}": dt.date(year - k, month, 1) for k in (1, 2, 3)},
        **{f"d{k}": dt.date(year - k, 12, 1) for k in (1, 2, 3)},
    }


def _frequency_case(year: int, month: int, key: str) -> Expression:
    """A per-indicator constant: the period ``key`` for the indicator's frequency."""
    quarter = month - month % 3 or None
    combined_january = month == 1
    cases = [
        When(frequency=Indicator.Frequency.QUARTERLY, then=Value(_dates(year, quarter)[key])),
        When(
            frequency=Indicator.Frequency.YEARLY, then=Value(_dates(year, 12 if month == 12 else None)[key])
        ),
    ]
    if combined_january:
        cases.append(When(Q(cumulative=True, jan_feb_combined=True), then=Value(None)))
    return Case(*cases, default=Value(_dates(year, month)[key]), output_field=DateField())


def _observed(ind: Any, unit: Any, period: Any, column: str) -> Subquery:
    return Subquery(
        Observation.objects.filter(indicator_id=ind, org_unit_id=unit, period=period).values(column)[:1]
    )


def _three_year_sum(ind: Any, unit: Any, periods: list[Any]) -> Subquery:
    """The sum of three years' year-to-date values at the given periods, or NULL unless all three exist."""
    return Subquery(
        Observation.objects.filter(indicator_id=ind, org_unit_id=unit, ytd_value__isnull=False)
        .filter(Q(period=periods[0]) | Q(period=periods[1]) | Q(period=periods[2]))
        .values("indicator_id")
        .annotate(total=Sum("ytd_value"), n=Count("id"))
        .filter(n=3)
        .values("total")
    )


def _target(ind: Any, unit: Any, year: int, column: str) -> Subquery:
    return Subquery(Target.objects.filter(indicator_id=ind, org_unit_id=unit, year=year).values(column)[:1])


def _annotate(
    queryset: QuerySet[Any], *, ind: Any, unit: Any, year: int, dates: dict[str, Any]
) -> QuerySet[Any]:
    def ref(key: str) -> Any:
        return OuterRef(key) if isinstance(dates[key], str) else dates[key]

    return queryset.annotate(
        ytd=_observed(ind, unit, ref("eff"), "ytd_value"),
        single=_observed(ind, unit, ref("eff"), "period_value"),
        reported_growth=_observed(ind, unit, ref("eff"), "growth"),
        last_year=_observed(ind, unit, ref("ly"), "ytd_value"),
        target_value=_target(ind, unit, year, "value"),
        target_growth=_target(ind, unit, year, "growth"),
        phasing=_target(ind, unit, year, "phasing"),
        seasonal_part=_three_year_sum(ind, unit, [ref("s1"), ref("s2"), ref("s3")]),
        seasonal_whole=_three_year_sum(ind, unit, [ref("d1"), ref("d2"), ref("d3")]),
    )


@dataclass
class Row:
    """One indicator for one org unit at one period, with everything the overview shows."""

    indicator: Indicator
    unit: OrgUnit
    period: dt.date | None
    value: Decimal | None = None
    single: Decimal | None = None
    last_year: Decimal | None = None
    growth: Decimal | None = None
    growth_computed: bool = False
    target_value: Decimal | None = None
    target_growth: Decimal | None = None
    completion: Decimal | None = None
    time_progress: Decimal | None = None
    progress_basis: str = ""
    gap: Decimal | None = None
    growth_gap: Decimal | None = None
    light: str | None = None
    value_rank: int | None = None
    growth_rank: int | None = None
    rule: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_target(self) -> bool:
        return self.target_value is not None or self.target_growth is not None

    @property
    def period_label(self) -> str:
        return self.indicator.period_label(self.period) if self.period else ""

    @property
    def light_label(self) -> str:
        return str(LIGHTS[self.light]) if self.light else ""

    @property
    def basis_label(self) -> str:
        return {
            "months": _("按月份：已过月数 ÷ 12"),
            "phasing": _("按目标分月进度"),
            "seasonal": _("按近三年同期累计占全年的比重"),
            "level": _("存量/比率类指标：直接与目标比较"),
        }.get(self.progress_basis, "")


def light_rule(indicator: Indicator) -> str:
    """The light rule in words, shown next to every light."""
    values = {
        "y": amount(indicator.yellow_pp, 1),
        "r": amount(indicator.red_pp, 1),
        "gy": amount(indicator.growth_yellow_pp, 1),
        "gr": amount(indicator.growth_red_pp, 1),
    }
    if indicator.direction == Indicator.Direction.HIGHER:
        text = _(
            "完成率落后序时进度不超过 %(y)s 个百分点为绿灯，超过 %(y)s 为黄灯，超过 %(r)s 为红灯；"
            "增速低于目标不超过 %(gy)s 个百分点为绿灯，超过 %(gy)s 为黄灯，超过 %(gr)s 为红灯；两者取较差者。"
        )
    else:
        text = _(
            "（越低越好）完成率超出序时进度不超过 %(y)s 个百分点为绿灯，超过 %(y)s 为黄灯，超过 %(r)s 为红灯；"
            "增速高于目标不超过 %(gy)s 个百分点为绿灯，超过 %(gy)s 为黄灯，超过 %(gr)s 为红灯；两者取较差者。"
        )
    return text % values


def _classify(behind: Decimal, yellow: Decimal, red: Decimal) -> str:
    if behind > red:
        return "red"
    if behind > yellow:
        return "yellow"
    return "green"


def _q(value: Any, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal(places))


def _finish(row: Row, data: dict[str, Any], month: int | None) -> Row:
    """Completion, time progress, gap and light from the row's raw numbers."""
    indicator = row.indicator
    # SQLite hands subquery results back as floats turned Decimal: round to the stored precision.
    row.value, row.single, row.last_year = (_q(data[k], "0.0001") for k in ("ytd", "single", "last_year"))
    row.target_value, row.target_growth = _q(data["target_value"], "0.0001"), _q(data["target_growth"])
    if indicator.unit == "%":
        row.growth = None  # the growth of a percentage means nothing; its change is in points
    elif (
        indicator.growth_source == Indicator.GrowthSource.COMPUTED and row.value is not None and row.last_year
    ):
        row.growth, row.growth_computed = _q((row.value / row.last_year - 1) * HUNDRED), True
    else:
        row.growth = _q(data["reported_growth"])
    lower = indicator.direction == Indicator.Direction.LOWER
    lights = []
    if row.target_value and row.value is not None and month is not None:
        row.completion = _q(row.value / row.target_value * HUNDRED)
        phasing = data["phasing"] or []
        if not indicator.cumulative:
            row.time_progress, row.progress_basis = HUNDRED, "level"
        elif len(phasing) == 12:
            row.time_progress, row.progress_basis = _q(Decimal(str(phasing[month - 1]))), "phasing"
        elif data["seasonal_part"] is not None and data["seasonal_whole"]:
            share = data["seasonal_part"] / data["seasonal_whole"] * HUNDRED
            row.time_progress, row.progress_basis = _q(share), "seasonal"
        else:
            row.time_progress, row.progress_basis = _q(Decimal(month) / 12 * HUNDRED), "months"
        row.gap = row.completion - row.time_progress  # type: ignore[operator]
        behind = row.gap if lower else -row.gap
        lights.append(_classify(behind, indicator.yellow_pp, indicator.red_pp))
    if row.target_growth is not None and row.growth is not None:
        row.growth_gap = row.growth - row.target_growth
        behind = row.growth_gap if lower else -row.growth_gap
        lights.append(_classify(behind, indicator.growth_yellow_pp, indicator.growth_red_pp))
    if lights:
        row.light = max(lights, key=["green", "yellow", "red"].index)
        row.rule = _rule_cached(indicator)
    return row


def _rule_cached(indicator: Indicator) -> str:
    # Worded once per indicator object (a page shows the same rule on many rows).
    cached: str | None = getattr(indicator, "_light_rule", None)
    if cached is None:
        cached = light_rule(indicator)
        indicator._light_rule = cached  # type: ignore[attr-defined]
    return cached


_COLUMNS = [
    "ytd",
    "single",
    "reported_growth",
    "last_year",
    "target_value",
    "target_growth",
    "phasing",
    "seasonal_part",
    "seasonal_whole",
]


def visible_indicators(user: User) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(user).filter(is_active=True).select_related("department")


def _formula_data(indicator: Indicator, operands: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A derived indicator's raw numbers from its operands' (no reported growth, no seasonality)."""
    return {
        "ytd": _q(evaluate_formula(indicator.formula, {c: d["ytd"] for c, d in operands.items()}), "0.0001"),
        "single": None,
        "reported_growth": None,
        "last_year": _q(
            evaluate_formula(indicator.formula, {c: d["last_year"] for c, d in operands.items()}), "0.0001"
        ),
        "seasonal_part": None,
        "seasonal_whole": None,
    }


def overview(*, user: User, unit: OrgUnit, period: dt.date) -> list[Row]:
    """Every indicator the user may see, for ``unit`` at ``period`` (the month chosen; quarterly and
    yearly indicators show their latest value due by then)."""
    year, month = period.year, period.month
    keys = ["eff", "ly", "s1", "s2", "s3", "d1", "d2", "d3"]
    indicators = (
        visible_indicators(user)
        .filter(lowest_level__in=_levels_including(unit.kind))
        .annotate(**{key: _frequency_case(year, month, key) for key in keys})
    )
    queryset = _annotate(indicators, ind=OuterRef("pk"), unit=unit.pk, year=year, dates={k: k for k in keys})
    rows: list[Row] = []
    raw: dict[str, dict[str, Any]] = {}
    for indicator in queryset:
        data = {c: getattr(indicator, c) for c in _COLUMNS}
        raw[indicator.code] = data
        rows.append(Row(indicator=indicator, unit=unit, period=indicator.eff, extra=data))
    for row in rows:
        data = row.extra
        if row.indicator.formula:
            data |= _formula_data(
                row.indicator,
                {
                    c: raw.get(c, {"ytd": None, "last_year": None})
                    for c in formula_codes(row.indicator.formula)
                },
            )
        _finish(row, data, row.period.month if row.period else None)
        row.extra = {}
    return rows


def _levels_including(kind: str) -> list[str]:
    """The lowest_level values of indicators reported at ``kind``."""
    order = ["zone", "area", "park"]
    return order[order.index(kind) :]


def breakdown(*, indicator: Indicator, parent: OrgUnit, period: dt.date) -> tuple[Row, list[Row]]:
    """``indicator`` for ``parent`` and each of its children, the children ranked by value and by
    growth among those with a target (the others show "–")."""
    month = indicator.due_month(period.month)
    dates = _dates(period.year, month)
    units = [parent, *[u for u in parent.children.all() if indicator.level_allows(u.kind)]]
    by_id = {u.pk: u for u in units}

    def raw_for(ind: Indicator) -> dict[int, dict[str, Any]]:
        queryset = _annotate(
            OrgUnit.objects.filter(pk__in=by_id),
            ind=ind.pk,
            unit=OuterRef("pk"),
            year=period.year,
            dates=dates,
        )
        return {u.pk: {c: getattr(u, c) for c in _COLUMNS} for u in queryset}

    if indicator.formula:
        codes = formula_codes(indicator.formula)
        operand_raw = {i.code: raw_for(i) for i in Indicator.objects.filter(code__in=codes)}
        targets = {
            t.org_unit_id: t
            for t in Target.objects.filter(indicator=indicator, year=period.year, org_unit_id__in=by_id)
        }
        raw = {}
        for pk in by_id:
            data = _formula_data(
                indicator,
                {c: operand_raw.get(c, {}).get(pk, {"ytd": None, "last_year": None}) for c in codes},
            )
            target = targets.get(pk)
            data |= {
                "target_value": target.value if target else None,
                "target_growth": target.growth if target else None,
                "phasing": target.phasing if target else [],
            }
            raw[pk] = data
    else:
        raw = raw_for(indicator)
    rows = [
        _finish(Row(indicator=indicator, unit=by_id[pk], period=dates["eff"]), raw[pk], month) for pk in by_id
    ]
    total = next(r for r in rows if r.unit.pk == parent.pk)
    children = [r for r in rows if r.unit.pk != parent.pk]
    children.sort(key=lambda r: (r.unit.sort_order, r.unit.pk))
    _rank(children, indicator)
    return total, children


def _rank(rows: list[Row], indicator: Indicator) -> None:
    """Competition ranking (1, 2, 2, 4) among the units that have a target."""
    descending = indicator.direction == Indicator.Direction.HIGHER
    for attribute, rank in (("value", "value_rank"), ("growth", "growth_rank")):
        ranked = [r for r in rows if r.has_target and getattr(r, attribute) is not None]
        ranked.sort(key=lambda r: getattr(r, attribute), reverse=descending)
        for row in ranked:
            better = sum(
                1
                for other in ranked
                if (getattr(other, attribute) > getattr(row, attribute)) == descending
                and getattr(other, attribute) != getattr(row, attribute)
            )
            setattr(row, rank, better + 1)


def parts_total(rows: list[Row]) -> Decimal | None:
    known = [r.value for r in rows if r.value is not None]
    return sum(known, Decimal(0)) if known else None


def trend(*, indicator: Indicator, unit: OrgUnit, year: int) -> dict[str, Any]:
    """This year's and last year's year-to-date values month by month, and the growth line."""
    observations = Observation.objects.filter(
        indicator=indicator, org_unit=unit, period__year__in=[year, year - 1]
    ).values_list("period", "ytd_value", "growth")
    by_period = {p: (v, g) for p, v, g in observations}
    months = [m for m in range(1, 13) if indicator.is_due(m)]
    this_year, last_year, growth = [], [], []
    for m in months:
        current = by_period.get(dt.date(year, m, 1), (None, None))
        previous = by_period.get(dt.date(year - 1, m, 1), (None, None))
        this_year.append(None if current[0] is None else float(current[0]))
        last_year.append(None if previous[0] is None else float(previous[0]))
        if (
            indicator.growth_source == Indicator.GrowthSource.COMPUTED
            and current[0] is not None
            and previous[0]
        ):
            growth.append(round(float((current[0] / previous[0] - 1) * HUNDRED), 2))
        else:
            growth.append(None if current[1] is None else float(current[1]))
    labels = [
        indicator.period_label(dt.date(year, m, 1)).removeprefix(f"{year}年").removeprefix(f"{year} ")
        for m in months
    ]
    return {
        "categories": labels,
        "series": [
            {"name": _("%(y)d年累计") % {"y": year}, "data": this_year},
            {"name": _("%(y)d年累计") % {"y": year - 1}, "data": last_year},
            {"name": _("同比增长（%）"), "data": growth, "type": "line", "axis": 1},
        ],
        "unit": indicator.unit,
    }


@dataclass
class PeerRow:
    peer: PeerZone
    value: Decimal | None
    growth: Decimal | None
    note: str
    value_rank: int | None = None
    growth_rank: int | None = None
    from_observations: bool = False


def benchmark(*, indicator: Indicator, year: int, zone: OrgUnit) -> dict[str, Any]:
    """The zone among its peers for one indicator and year. Unknown figures are listed, not guessed;
    the zone's own figure comes from its approved December observation when there is one."""
    figures = {
        f.peer_id: f for f in PeerFigure.objects.filter(indicator=indicator, year=year).select_related("peer")
    }
    rows = []
    own = Observation.objects.filter(indicator=indicator, org_unit=zone, period=dt.date(year, 12, 1)).first()
    for peer in PeerZone.objects.all():
        figure = figures.get(peer.pk)
        row = PeerRow(
            peer=peer,
            value=figure.value if figure else None,
            growth=figure.growth if figure else None,
            note=figure.note if figure else "",
        )
        if peer.is_self and own is not None:
            row.value = own.ytd_value if own.ytd_value is not None else row.value
            row.growth = own.growth if own.growth is not None else row.growth
            row.from_observations = True
        rows.append(row)
    descending = indicator.direction == Indicator.Direction.HIGHER
    for attribute, rank in (("value", "value_rank"), ("growth", "growth_rank")):
        known = sorted(
            (r for r in rows if getattr(r, attribute) is not None),
            key=lambda r: getattr(r, attribute),
            reverse=descending,
        )
        for row in known:
            row_value = getattr(row, attribute)
            setattr(
                row,
                rank,
                1
                + sum(
                    1
                    for o in known
                    if getattr(o, attribute) != row_value
                    and (getattr(o, attribute) > row_value) == descending
                ),
            )
    rows.sort(key=lambda r: (r.value_rank is None, r.value_rank or 0, r.peer.name))
    me = next((r for r in rows if r.peer.is_self), None)
    return {
        "rows": rows,
        "self": me,
        "known_values": sum(1 for r in rows if r.value is not None),
        "known_growth": sum(1 for r in rows if r.growth is not None),
        "missing": [r.peer.name for r in rows if r.value is None and r.growth is None],
    }


def benchmark_years(indicator: Indicator) -> list[int]:
    return sorted(
        set(PeerFigure.objects.filter(indicator=indicator).values_list("year", flat=True)), reverse=True
    )
