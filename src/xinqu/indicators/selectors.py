"""Reads for indicators. `overview` and `breakdown` compute every row's value, growth, target and
time progress in one SQL query (correlated subqueries on the observation key), straight from the
approved observations: nothing is precomputed, so nothing is ever stale. Completion, gap and the
light are then simple arithmetic on each row."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    QuerySet,
)
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from xinqu.core.access import is_leader
from xinqu.core.feeds import FEEDS, Fed, Feed, Record
from xinqu.core.models import OrgUnit, User
from xinqu.core.numbers import amount, rounded, two_year_average, year_on_year
from xinqu.core.periods import current_period, month_end
from xinqu.indicators.models import DataVersion, Indicator, Observation, PeerFigure, PeerZone, quarter_name
from xinqu.indicators.rules import evaluate_formula, formula_codes

HUNDRED = Decimal(100)
SHOWN = "0.1"  # percentages and points are shown, compared and lit at one decimal
# Lazy: read in the language of the page or document that shows them, not of the import.
LIGHTS = {"green": gettext_lazy("绿灯"), "yellow": gettext_lazy("黄灯"), "red": gettext_lazy("红灯")}


# The periods a row reads, by publication pattern: the value due, last year's, and the same month
# and December of the three years before (the seasonal profile).
_KEYS = ["eff", "ly", "s1", "s2", "s3", "d1", "d2", "d3"]
_PATTERNS = ["monthly", "monthly_combined", "quarterly", "yearly"]


def _dates(year: int, month: int | None) -> dict[str, dt.date | None]:
    if month is None:
        return dict.fromkeys(_KEYS)
    return {
        "eff": dt.date(year, month, 1),
        "ly": dt.date(year - 1, month, 1),
        **{f"s{k}": dt.date(year - k, month, 1) for k in (1, 2, 3)},
        **{f"d{k}": dt.date(year - k, 12, 1) for k in (1, 2, 3)},
    }


def _pattern_dates(year: int, month: int) -> dict[str, dict[str, dt.date | None]]:
    return {
        "monthly": _dates(year, month),
        "monthly_combined": _dates(year, None if month == 1 else month),
        "quarterly": _dates(year, month - month % 3 or None),
        "yearly": _dates(year, 12 if month == 12 else None),
    }


# One query for every (indicator, org unit) pair asked for: the value due by the month chosen,
# last year's, the target, and the three-year seasonal sums (NULL unless all three years exist).
_ROWS_SQL = """
WITH p(pattern, eff, ly, s1, s2, s3, d1, d2, d3) AS (VALUES {values})
SELECT ind.id, u.id, o.ytd_value, o.period_value, o.growth, ly.ytd_value, t.value, t.growth, t.phasing,
  o.ytd_derived, o.period_derived, ly.growth, l2.ytd_value,
  (SELECT SUM(s.ytd_value) FROM indicators_observation s
    WHERE s.indicator_id = ind.id AND s.org_unit_id = u.id AND s.period IN (p.s1, p.s2, p.s3)
      AND s.ytd_value IS NOT NULL HAVING COUNT(*) = 3),
  (SELECT SUM(d.ytd_value) FROM indicators_observation d
    WHERE d.indicator_id = ind.id AND d.org_unit_id = u.id AND d.period IN (p.d1, p.d2, p.d3)
      AND d.ytd_value IS NOT NULL HAVING COUNT(*) = 3)
FROM indicators_indicator ind
CROSS JOIN core_orgunit u
JOIN p ON p.pattern = CASE WHEN ind.frequency = 'monthly' AND ind.cumulative AND ind.jan_feb_combined
                           THEN 'monthly_combined' ELSE ind.frequency END
LEFT JOIN indicators_observation o ON o.indicator_id = ind.id AND o.org_unit_id = u.id AND o.period = p.eff
LEFT JOIN indicators_observation ly ON ly.indicator_id = ind.id AND ly.org_unit_id = u.id AND ly.period = p.ly
LEFT JOIN indicators_observation l2 ON l2.indicator_id = ind.id AND l2.org_unit_id = u.id AND l2.period = p.s2
LEFT JOIN indicators_target t ON t.indicator_id = ind.id AND t.org_unit_id = u.id AND t.year = %s
WHERE ind.id IN ({indicators}) AND u.id IN ({units})
"""
_ROW_FIELDS = [
    "ytd",
    "single",
    "reported_growth",
    "last_year",
    "target_value",
    "target_growth",
    "phasing",
    "ytd_derived",
    "single_derived",
    "reported_growth_last_year",
    "two_years_ago",
    "seasonal_part",
    "seasonal_whole",
]


def _raw_rows(
    indicator_ids: list[int], unit_ids: list[int], period: dt.date
) -> dict[tuple[int, int], dict[str, Any]]:
    """The raw numbers of every pair, keyed by (indicator id, unit id), from one query."""
    if not indicator_ids or not unit_ids:
        return {}
    date = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    patterns = _pattern_dates(period.year, period.month)
    values = ", ".join(f"(%s, {', '.join([date] * len(_KEYS))})" for _ in _PATTERNS)
    params: list[Any] = []
    for pattern in _PATTERNS:
        params += [pattern, *(patterns[pattern][k] for k in _KEYS)]
    params.append(period.year)
    params += indicator_ids + unit_ids
    sql = _ROWS_SQL.format(
        values=values,
        indicators=", ".join(["%s"] * len(indicator_ids)),
        units=", ".join(["%s"] * len(unit_ids)),
    )
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ind, unit, *numbers in cursor.fetchall():
            data = dict(zip(_ROW_FIELDS, numbers, strict=True))
            if isinstance(data["phasing"], str):  # SQLite returns JSON as text
                data["phasing"] = json.loads(data["phasing"])
            out[(ind, unit)] = data
    return out


@dataclass
class Row:
    """One indicator for one org unit at one period, with everything the overview shows."""

    indicator: Indicator
    unit: OrgUnit
    period: dt.date | None
    value: Decimal | None = None
    single: Decimal | None = None
    ytd_derived: bool = False  # derived from single-period values, not reported
    single_derived: bool = False
    last_year: Decimal | None = None
    growth: Decimal | None = None
    growth_computed: bool = False  # no growth was published: worked out from last year's value
    growth_note: str = ""  # 扭亏 / 减亏 / 增亏 / — where a percentage would mislead
    change_pp: Decimal | None = None  # a rate's or ratio's change on last year, in 百分点
    two_year_growth: Decimal | None = None  # 两年平均增速
    asked: dt.date | None = None  # the month the page asked for (a quarterly value carries on)
    live: bool = False  # a fed figure computed now for a month not yet closed
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
    def is_rate(self) -> bool:
        """A rate or ratio: it changes in 百分点 and has no growth of its own."""
        return self.indicator.is_rate

    @property
    def carried_label(self) -> str:
        """For the months after a quarter: "一季度数据" until the next quarter's value is due."""
        if not self.period or not self.asked or self.period == self.asked:
            return ""
        return _("%(label)s数据") % {"label": quarter_name(self.period.month, self.indicator.cumulative)}

    @property
    def light_label(self) -> str:
        return str(LIGHTS[self.light]) if self.light else ""

    @property
    def basis_label(self) -> str:
        return {
            "months": _("按月份：已过月数 ÷ 12"),
            "phasing": _("按目标分月进度"),
            "seasonal": _("按近三年同期累计占全年的比重"),
            "level": _("存量指标：期末数直接与目标比较"),
            "rate": _("比率、比重类指标：与目标相差的百分点"),
        }.get(self.progress_basis, "")


def light_rule(indicator: Indicator) -> str:
    """The light rule in words, shown next to every light."""
    values = {
        "y": amount(indicator.yellow_pp, 1),
        "r": amount(indicator.red_pp, 1),
        "gy": amount(indicator.growth_yellow_pp, 1),
        "gr": amount(indicator.growth_red_pp, 1),
    }
    if indicator.is_rate:
        if indicator.direction == Indicator.Direction.HIGHER:
            text = _(
                "低于目标不超过 %(gy)s 个百分点为绿灯，超过 %(gy)s 为黄灯，超过 %(gr)s 为红灯"
                "（比率、比重按百分点比较，不计完成率）。"
            )
        else:
            text = _(
                "（越低越好）高于目标不超过 %(gy)s 个百分点为绿灯，超过 %(gy)s 为黄灯，超过 %(gr)s 为红灯"
                "（比率、比重按百分点比较，不计完成率）。"
            )
    elif indicator.direction == Indicator.Direction.HIGHER:
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


def classify(behind: Decimal, yellow: Decimal, red: Decimal) -> str:
    """The light for being ``behind`` (points; negative is ahead): red beyond ``red``, yellow beyond
    ``yellow``, else green. The plan's KPIs use the same rule (plans.selectors)."""
    if behind > red:
        return "red"
    if behind > yellow:
        return "yellow"
    return "green"


def progress_light(
    completion: Decimal, time_progress: Decimal, *, lower: bool, yellow: Decimal, red: Decimal
) -> tuple[Decimal, str]:
    """Completion against time-elapsed progress (序时进度): the gap in points and its light. For a
    lower-is-better quantity, running ahead of time is what is behind."""
    gap = completion - time_progress
    return gap, classify(gap if lower else -gap, yellow, red)


def _q(value: Any, places: str = "0.01") -> Decimal | None:
    """Rounded half up (as statistics tables round) to ``places``; None stays None."""
    if value is None:
        return None
    return rounded(value, -Decimal(places).as_tuple().exponent)  # type: ignore[operator]


def _finish(row: Row, data: dict[str, Any], month: int | None) -> Row:
    """Completion, time progress, gap and light from the row's raw numbers."""
    indicator = row.indicator
    # SQLite hands subquery results back as floats turned Decimal: round to the stored precision.
    row.value, row.single, row.last_year = (_q(data.get(k), "0.0001") for k in ("ytd", "single", "last_year"))
    row.ytd_derived, row.single_derived = bool(data.get("ytd_derived")), bool(data.get("single_derived"))
    row.live = bool(data.get("live"))
    row.target_value, row.target_growth = (
        _q(data.get("target_value"), "0.0001"),
        _q(data.get("target_growth")),
    )
    if row.is_rate:
        # The growth of a percentage means nothing: a rate or ratio changes in 百分点.
        if row.value is not None and row.last_year is not None:
            row.change_pp = _q(row.value - row.last_year, SHOWN)
    else:
        reported = _q(data.get("reported_growth"))
        found = year_on_year(row.value, row.last_year, reported=reported)
        row.growth, row.growth_computed, row.growth_note = found.rate, found.computed, found.note
        row.two_year_growth = two_year_average(
            row.value,
            _q(data.get("two_years_ago"), "0.0001"),
            growth=reported,
            growth_last_year=_q(data.get("reported_growth_last_year")),
        )
    lower = indicator.direction == Indicator.Direction.LOWER
    lights = []
    if row.is_rate and row.target_value is not None and row.value is not None and month is not None:
        # A rate or ratio is held against its target by the gap in 百分点, never value ÷ target.
        gap = rounded(row.value - row.target_value, 1)
        row.gap, row.progress_basis = gap, "rate"
        behind = gap if lower else -gap
        lights.append(classify(behind, indicator.growth_yellow_pp, indicator.growth_red_pp))
    elif row.target_value and row.value is not None and month is not None:
        # Percentages at the precision shown, so "持平" on screen is never a yellow light.
        row.completion = _q(row.value / row.target_value * HUNDRED, SHOWN)
        phasing = data.get("phasing") or []
        if indicator.kind == Indicator.Kind.STOCK or not indicator.cumulative:
            row.time_progress, row.progress_basis = HUNDRED, "level"
        elif len(phasing) == 12:
            row.time_progress, row.progress_basis = _q(Decimal(str(phasing[month - 1])), SHOWN), "phasing"
        elif (
            indicator.seasonal_progress
            and data.get("seasonal_part") is not None
            and data.get("seasonal_whole")
        ):
            share = _q(data["seasonal_part"], "0.0001") / _q(data["seasonal_whole"], "0.0001") * HUNDRED  # type: ignore[operator]
            row.time_progress, row.progress_basis = _q(share, SHOWN), "seasonal"
        else:
            row.time_progress, row.progress_basis = _q(Decimal(month) / 12 * HUNDRED, SHOWN), "months"
        row.gap, light = progress_light(
            row.completion,  # type: ignore[arg-type]
            row.time_progress,  # type: ignore[arg-type]
            lower=lower,
            yellow=indicator.yellow_pp,
            red=indicator.red_pp,
        )
        lights.append(light)
    if row.target_growth is not None and row.growth is not None:
        growth_gap = rounded(row.growth - row.target_growth, 1)
        row.growth_gap = growth_gap
        behind = growth_gap if lower else -growth_gap
        lights.append(classify(behind, indicator.growth_yellow_pp, indicator.growth_red_pp))
    if lights:
        row.light = max(lights, key=["green", "yellow", "red"].index)
        row.rule = _rule_cached(indicator)
    return row


_RULES: dict[tuple[Any, ...], str] = {}


def _rule_cached(indicator: Indicator) -> str:
    # Worded once per process for each rule and language: a page shows the same few rules many times.
    key = (
        indicator.direction,
        indicator.yellow_pp,
        indicator.red_pp,
        indicator.growth_yellow_pp,
        indicator.growth_red_pp,
        get_language(),
    )
    rule = _RULES.get(key)
    if rule is None:
        rule = _RULES[key] = light_rule(indicator)
    return rule


def visible_indicators(user: User) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(user).filter(is_active=True)


CACHE_SECONDS = 3600


def cache_key(kind: str, user: User, unit: OrgUnit, period: dt.date) -> tuple[str, int]:
    """A cache key for an overview and how long to keep it. The key holds the data-version token,
    which the database changes on every write, so a cached overview is never stale; with no token
    (a database emptied by hand) nothing is cached."""
    token = DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if token is None or (live_month(period) and Indicator.objects.exclude(feed="").exists()):
        # No token, or fed figures computed live from other modules' records: nothing is cached.
        return f"xinqu-indicators-{kind}-uncached", 0
    seen = "all" if is_leader(user) else f"d{user.department_id}"
    return f"xinqu-indicators-{kind}-{token}-{seen}-{unit.pk}-{period:%Y%m}-{get_language()}", CACHE_SECONDS


def _formula_data(indicator: Indicator, operands: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A derived indicator's raw numbers from its operands' (no reported growth, no seasonality)."""

    def value(key: str) -> Decimal | None:
        numbers = {code: _q(data.get(key), "0.0001") for code, data in operands.items()}
        return _q(evaluate_formula(indicator.formula, numbers), "0.0001")

    return {
        "ytd": value("ytd"),
        "single": None,
        "reported_growth": None,
        "last_year": value("last_year"),
        "seasonal_part": None,
        "seasonal_whole": None,
    }


def fed_value(indicator: Indicator, month: dt.date) -> Decimal | None:
    """A fed figure's value for ``month``, computed now by its feed, as of the month's last day."""
    found = FEEDS.get(indicator.feed)
    if found is None:
        return None
    return found.compute(month.year, month_end(month)).value


@dataclass
class Source:
    """Where a fed figure's number comes from, for its page: the feed, and its records."""

    feed: Feed
    fed: Fed
    shown: list[Record]
    live: bool


def fed_source(indicator: Indicator, period: dt.date, shown: int = 20) -> Source | None:
    """A fed figure's source as of ``period``'s end: the module's feed and the records behind the
    value (the first ``shown`` of them), or None for a figure the departments report."""
    found = FEEDS.get(indicator.feed) if indicator.feed else None
    if found is None:
        return None
    fed = found.compute(period.year, month_end(period))
    return Source(found, fed, fed.records[:shown], live_month(period))


def live_month(period: dt.date) -> bool:
    """A month after the reporting period: fed figures are computed live for it, not read back."""
    return period.replace(day=1) > current_period()


def _live_fed(indicators: list[Indicator], unit: OrgUnit, period: dt.date, raw: dict[Any, Any]) -> None:
    """For an open month, each fed figure's zone value from its feed (closing the month writes it)."""
    if unit.kind != OrgUnit.Kind.ZONE or not live_month(period):
        return
    for indicator in indicators:
        if indicator.feed and indicator.is_due(period.month):
            data = raw.setdefault((indicator.pk, unit.pk), {})
            data["ytd"], data["live"] = fed_value(indicator, period), True


def overview(*, user: User, unit: OrgUnit, period: dt.date) -> list[Row]:
    """Every indicator the user may see, for ``unit`` at ``period`` (the month chosen; quarterly and
    yearly indicators show their latest value due by then)."""
    indicators = list(visible_indicators(user).filter(lowest_level__in=_levels_including(unit.kind)))
    raw = _raw_rows([i.pk for i in indicators], [unit.pk], period)
    _live_fed(indicators, unit, period, raw)
    by_code = {i.code: raw.get((i.pk, unit.pk), {}) for i in indicators}
    rows = []
    for indicator in indicators:
        month = indicator.due_month(period.month)
        data = by_code[indicator.code]
        if indicator.formula:
            codes = formula_codes(indicator.formula)
            data = data | _formula_data(indicator, {c: by_code.get(c, {}) for c in codes})
        rows.append(
            _finish(
                Row(
                    indicator=indicator,
                    unit=unit,
                    period=_dates(period.year, month)["eff"],
                    asked=period.replace(day=1),
                ),
                data,
                month,
            )
        )
    return rows


def _levels_including(kind: str) -> list[str]:
    """The lowest_level values of indicators reported at ``kind``."""
    order = ["zone", "area", "park"]
    return order[order.index(kind) :]


def breakdown(*, indicator: Indicator, parent: OrgUnit, period: dt.date) -> tuple[Row, list[Row]]:
    """``indicator`` for ``parent`` and each of its children, the children ranked by value and by
    growth among those with a target (the others show "–")."""
    month = indicator.due_month(period.month)
    units = [parent, *[u for u in parent.children.all() if indicator.level_allows(u.kind)]]
    unit_ids = [u.pk for u in units]
    raw = _raw_rows([indicator.pk], unit_ids, period)
    _live_fed([indicator], parent, period, raw)
    if indicator.formula:
        codes = formula_codes(indicator.formula)
        operands = {i.pk: i.code for i in Indicator.objects.filter(code__in=codes)}
        operand_raw = _raw_rows(list(operands), unit_ids, period)
        for pk in unit_ids:
            values = {code: operand_raw.get((ind, pk), {}) for ind, code in operands.items()}
            raw[(indicator.pk, pk)] = raw.get((indicator.pk, pk), {}) | _formula_data(indicator, values)
    eff = _dates(period.year, month)["eff"]
    rows = [
        _finish(
            Row(indicator=indicator, unit=u, period=eff, asked=period.replace(day=1)),
            raw.get((indicator.pk, u.pk), {}),
            month,
        )
        for u in units
    ]
    total, children = rows[0], rows[1:]
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
    this_year: list[float | None] = []
    last_year: list[float | None] = []
    growth: list[float | None] = []
    for m in months:
        current = by_period.get(dt.date(year, m, 1), (None, None))
        previous = by_period.get(dt.date(year - 1, m, 1), (None, None))
        this_year.append(None if current[0] is None else float(current[0]))
        last_year.append(None if previous[0] is None else float(previous[0]))
        found = year_on_year(current[0], previous[0], reported=current[1])
        growth.append(None if found.rate is None or indicator.is_rate else float(found.rate))
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
    scope: str = ""
    source: str = ""
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
            scope=figure.scope if figure else "",
            source=figure.source if figure else "",
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
        "mixed_scopes": len(
            {r.scope for r in rows if r.scope and (r.value is not None or r.growth is not None)}
        )
        > 1,
    }


def benchmark_years(indicator: Indicator) -> list[int]:
    return sorted(
        set(PeerFigure.objects.filter(indicator=indicator).values_list("year", flat=True)), reverse=True
    )
