"""Demo indicator data for Changchun New Area: the article's 2023 figures exactly, and plausible
monthly data from 2021 up to the month before last (the last month the statistics office has
closed on the demo's day) by area, and park where an indicator goes down to parks, that adds up
to them; a target for every year from 2024; last month's return waiting for the head; plus the
national new areas' published 2023 GDP for benchmarking."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinqu.core.models import OrgUnit, User
from xinqu.indicators.catalog import catalog_preload
from xinqu.indicators.models import (
    Indicator,
    Observation,
    PeerFigure,
    PeerZone,
    Target,
)
from xinqu.indicators.services import (
    ValueInput,
    peers_load_reference,
    submission_for,
    submission_submit,
    submission_values_save,
)


@dataclass(frozen=True)
class Series:
    code: str
    total_2023: Decimal  # the zone's 2023 figure (the article's)
    growth_2023: Decimal  # % — the article's where it gives one
    growth_2022: Decimal
    growth_2024: Decimal
    target_growth_2024: Decimal | None = None  # a growth target, for indicators steered by growth
    target_uplift_2024: Decimal = Decimal("10")  # the 2024 value target: 2023 × (1 + uplift %)
    # After 2024, each year's growth is drawn from this range (%); its value target is the year
    # before's figure raised a little above the range's middle (a fed figure's: 2024's target
    # raised so each year), so some years meet it and some fall short.
    later: tuple[float, float] = (5.0, 8.0)


D = Decimal
SERIES = [
    Series(
        "gdp",
        D("913"),
        D("7.2"),
        D("6.1"),
        D("6.6"),
        target_growth_2024=D("7.5"),
        target_uplift_2024=D("9"),
        later=(5.2, 6.8),
    ),
    Series(
        "industrial_output",
        D("905.4"),
        D("8.7"),
        D("7.9"),
        D("10.6"),
        target_uplift_2024=D("10"),
        later=(6, 10),
    ),
    Series(
        "fixed_asset_investment",
        D("143.8"),
        D("15.2"),
        D("11.0"),
        D("9.1"),
        target_growth_2024=D("15"),
        later=(3, 9),
    ),
    Series(
        "retail_sales", D("170.3"), D("13.5"), D("2.1"), D("7.4"), target_uplift_2024=D("10"), later=(4, 8)
    ),
    Series(
        "housing_units", D("10366"), D("4.8"), D("-18.0"), D("-6.0"), target_uplift_2024=D("0"), later=(-6, 2)
    ),
    Series(
        "housing_area", D("119"), D("3.9"), D("-16.5"), D("-7.5"), target_uplift_2024=D("0"), later=(-7, 1)
    ),
    Series(
        "domestic_capital_used",
        D("269"),
        D("12.4"),
        D("9.0"),
        D("11.8"),
        target_uplift_2024=D("12"),
        later=(6, 12),
    ),
    Series(
        "foreign_capital_used",
        D("2615"),
        D("6.0"),
        D("-12.0"),
        D("18.0"),
        target_uplift_2024=D("15"),
        later=(4, 14),
    ),
    Series(
        "projects_landed", D("128"), D("10.3"), D("8.0"), D("12.5"), target_uplift_2024=D("15"), later=(2, 8)
    ),
    Series(
        "projects_started", D("147"), D("8.1"), D("5.0"), D("10.9"), target_uplift_2024=D("63"), later=(0, 5)
    ),
    # The article's "产业项目占比76.3%" read as the industrial projects' share of the investment.
    Series("projects_investment", D("98.6"), D("12.1"), D("8.0"), D("14.0"), target_uplift_2024=D("40")),
    Series(
        "industrial_projects_investment",
        D("75.23"),
        D("13.0"),
        D("9.0"),
        D("16.0"),
        target_uplift_2024=D("45"),
    ),
    Series(
        "high_tech_enterprises",
        D("845"),
        D("38.1"),
        D("30.0"),
        D("16.0"),
        target_uplift_2024=D("15"),
        later=(8, 12),
    ),
]
# How the zone's total divides among the three areas (高新区, 北湖区, 临空区), by indicator.
AREA_SHARES = {
    "gdp": [0.58, 0.27, 0.15],
    "industrial_output": [0.55, 0.23, 0.22],
    "fixed_asset_investment": [0.42, 0.38, 0.20],
    "retail_sales": [0.50, 0.36, 0.14],
    "housing_units": [0.44, 0.46, 0.10],
    "housing_area": [0.43, 0.47, 0.10],
    "domestic_capital_used": [0.46, 0.34, 0.20],
    "foreign_capital_used": [0.62, 0.28, 0.10],
    "high_tech_enterprises": [0.64, 0.30, 0.06],
}
DEFAULT_SHARES = [0.5, 0.32, 0.18]
# Monthly increments of a typical year (January is published together with February): a
# little heavier at the year's end, so that a zone on course runs a point or two behind 序时进度
# in the autumn, as real ones do.
PROFILE = [0.0, 0.155, 0.083, 0.08, 0.082, 0.085, 0.08, 0.081, 0.083, 0.085, 0.083, 0.103]
PARK_COVERAGE = 0.8  # parks hold most, not all, of an area's activity
FIRST_YEAR = 2021

# The figures whose growth the statistics office publishes month by month in the demo.
REPORTS_GROWTH = {"gdp", "fixed_asset_investment"}

# The national new areas (国家级新区). Their published figures ship with Xinqu
# (indicators/data/national-new-areas.csv, with scope and source); for the zones no figure was
# found for, what reports say is kept as a note.
NATIONAL_NEW_AREAS: list[tuple[str, str]] = [
    ("上海浦东新区", ""),
    ("天津滨海新区", ""),
    ("青岛西海岸新区", ""),
    ("福州新区", ""),
    ("重庆两江新区", ""),
    ("长春新区", ""),
    ("四川天府新区", "报道称超过4000亿元"),
    ("湖南湘江新区", "报道称超过4000亿元"),
    ("大连金普新区", "报道称超过2000亿元"),
    ("南京江北新区", "报道称超过2000亿元"),
    ("广州南沙新区", ""),
    ("浙江舟山群岛新区", "报道称超过2000亿元"),
    ("云南滇中新区", "报道称超过1000亿元"),
    ("江西赣江新区", "报道称超过1000亿元"),
    ("陕西西咸新区", "报道称低于1000亿元"),
    ("甘肃兰州新区", ""),
    ("贵州贵安新区", ""),
    ("哈尔滨新区", ""),
    ("河北雄安新区", "报道称低于1000亿元"),
]
SELF = "长春新区"


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _split(total: Decimal, weights: list[float], places: int) -> list[Decimal]:
    """``total`` in parts proportional to ``weights``, rounded, the last part taking the remainder."""
    scale = sum(weights)
    parts = [_round(total * Decimal(str(w / scale)), places) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _profile(rng: random.Random, base: list[float]) -> list[Decimal]:
    """A year's cumulative shares: the series' own seasonal shape, a little different each year
    (so that year-to-date growth runs close to the year's, never 1.9 in March and 7.2 in December)."""
    increments = [p * rng.uniform(0.985, 1.015) for p in base]
    total = sum(increments)
    running, shares = 0.0, []
    for inc in increments:
        running += inc
        shares.append(Decimal(str(round(running / total, 4))))
    shares[-1] = Decimal(1)
    return shares


# The fed rates' targets, every year from 2024 (the plan's KPIs 7.2 and 7.3 read them here).
RATE_TARGETS = {"service_satisfaction": D("95"), "service_on_time": D("90")}


def _growths(series: Series, rng: random.Random, last_year: int) -> dict[int, Decimal]:
    """Each year's growth (%): the article's through 2024, then drawn from the series' range."""
    growth = {2022: series.growth_2022, 2023: series.growth_2023, 2024: series.growth_2024}
    low, high = series.later
    for year in range(2025, last_year + 1):
        growth[year] = _round(Decimal(str(rng.uniform(low, high))), 1)
    return growth


def _totals(series: Series, places: int, growth: dict[int, Decimal], last_year: int) -> dict[int, Decimal]:
    totals = {2023: series.total_2023}
    totals[2022] = _round(series.total_2023 / (1 + series.growth_2023 / 100), places)
    totals[2021] = _round(totals[2022] / (1 + series.growth_2022 / 100), places)
    for year in range(2024, last_year + 1):
        totals[year] = _round(totals[year - 1] * (1 + growth[year] / 100), places)
    return totals


@transaction.atomic
def load_demo_indicators(
    *, users: dict[str, User], today: dt.date, closed_through: dt.date, **_context: Any
) -> int:
    """Load the catalog, approved observations from 2021 through ``closed_through``, a target for
    every year from 2024 to ``today``'s, the peers, and the month after ``closed_through``'s
    return, submitted and waiting for the head."""
    catalog_preload(actor=None)
    if Observation.objects.exists():
        return 0
    rng = random.Random(2024)
    zone = OrgUnit.objects.get(kind=OrgUnit.Kind.ZONE)
    areas = list(OrgUnit.objects.filter(parent=zone).order_by("sort_order", "id"))
    parks = {a.pk: list(a.children.order_by("sort_order", "id")) for a in areas}
    indicators = {i.code: i for i in Indicator.objects.all()}
    now = timezone.now()
    last_year = max(closed_through.year, today.year)
    observations: list[Observation] = []
    targets: list[Target] = []
    generated: dict[str, dict[int, dict[int, dict[int, Decimal]]]] = {}
    for series in SERIES:
        indicator = indicators[series.code]
        places = indicator.decimals if indicator.decimals else 0
        places = max(places, 0 if indicator.unit in {"个", "户", "套"} else 2)
        growth = _growths(series, rng, last_year)
        totals = _totals(series, places, growth, last_year)
        shares = AREA_SHARES.get(series.code, DEFAULT_SHARES)
        base_profile = [p * rng.uniform(0.93, 1.07) for p in PROFILE]
        # Each park keeps its size from year to year, give or take a few per cent.
        park_sizes = {a.pk: [rng.uniform(0.5, 1.5) for _ in parks[a.pk]] for a in areas}
        yearly: dict[int, dict[int, dict[int, Decimal]]] = {}  # year → unit → month → ytd
        for year in range(FIRST_YEAR, last_year + 1):
            weights = [s * rng.uniform(0.97, 1.03) for s in shares]
            area_totals = _split(totals[year], weights, places)
            profile = _profile(rng, base_profile)
            by_unit: dict[int, dict[int, Decimal]] = {zone.pk: {}}
            for area, area_total in zip(areas, area_totals, strict=True):
                by_unit[area.pk] = {m: _round(area_total * profile[m - 1], places) for m in range(1, 13)}
                if indicator.level_allows("park") and parks[area.pk]:
                    park_weights = [w * rng.uniform(0.97, 1.03) for w in park_sizes[area.pk]]
                    for month in range(1, 13):
                        covered = _round(by_unit[area.pk][month] * Decimal(str(PARK_COVERAGE)), places)
                        for park, value in zip(
                            parks[area.pk], _split(covered, park_weights, places), strict=True
                        ):
                            by_unit.setdefault(park.pk, {})[month] = value
            for month in range(1, 13):
                by_unit[zone.pk][month] = sum((by_unit[a.pk][month] for a in areas), Decimal(0))
            yearly[year] = by_unit
        generated[series.code] = yearly
        for year, units in yearly.items():
            for unit_id, months in units.items():
                for month in months:
                    # A fed figure is never typed: closing each month writes it from its module.
                    # Nothing after the last closed month is approved yet.
                    if (
                        not indicator.is_due(month)
                        or indicator.feed
                        or dt.date(year, month, 1) > closed_through
                    ):
                        continue
                    observations.append(
                        _observation(
                            indicator, unit_id, year, month, months, yearly, rng, now, zone.pk, series
                        )
                    )
        later_uplift = Decimal(str(sum(series.later) / 2 + 0.5))
        for year in range(2024, today.year + 1):
            for unit_id in [zone.pk, *(a.pk for a in areas)]:
                if indicator.feed and unit_id != zone.pk:
                    continue  # a fed figure is the zone's only
                if year == 2024:
                    value = yearly[2023][unit_id][12] * (1 + series.target_uplift_2024 / 100)
                elif indicator.feed:
                    # The module's own figures, not this series, are what it is held to.
                    value = yearly[2023][unit_id][12] * (1 + series.target_uplift_2024 / 100)
                    value *= (1 + later_uplift / 100) ** (year - 2024)
                else:
                    value = yearly[year - 1][unit_id][12] * (1 + later_uplift / 100)
                targets.append(
                    Target(
                        indicator=indicator,
                        org_unit_id=unit_id,
                        year=year,
                        value=_round(value, places),
                        growth=series.target_growth_2024 if year == 2024 else None,
                        updated_by=users["demo-econ-head"],
                    )
                )
    for year in range(2024, today.year + 1):
        for code, value in RATE_TARGETS.items():
            targets.append(
                Target(
                    indicator=indicators[code],
                    org_unit=zone,
                    year=year,
                    value=value,
                    updated_by=users["demo-econ-head"],
                )
            )
    Observation.objects.bulk_create(observations, batch_size=2000)
    Target.objects.bulk_create(targets, batch_size=2000)
    _load_peers(indicators["gdp"], users["demo-econ-head"])
    _submitted_return(users, indicators, generated, closed_through)
    return len(observations)


def _observation(
    indicator: Indicator,
    unit_id: int,
    year: int,
    month: int,
    months: dict[int, Decimal],
    yearly: dict[int, dict[int, dict[int, Decimal]]],
    rng: random.Random,
    now: dt.datetime,
    zone_id: int,
    series: Series,
) -> Observation:
    ytd = months[month]
    previous = indicator.previous_month(month)
    single = ytd - months[previous] if previous else ytd
    last = yearly.get(year - 1, {}).get(unit_id, {}).get(month)
    growth = None
    if indicator.code in REPORTS_GROWTH:
        if unit_id == zone_id and month == 12 and year == 2023:
            growth = series.growth_2023  # the article's figure, exactly
        elif last:
            growth = _round((ytd / last - 1) * 100 + Decimal(str(rng.uniform(-0.3, 0.3))), 1)
    return Observation(
        indicator=indicator,
        org_unit_id=unit_id,
        period=dt.date(year, month, 1),
        ytd_value=ytd,
        period_value=single if indicator.cumulative else None,
        period_derived=indicator.cumulative,
        growth=growth,
        approved_at=now,
    )


def _load_peers(gdp: Indicator, head: User) -> None:
    names = [name for name, _note in NATIONAL_NEW_AREAS]
    for name, _note in NATIONAL_NEW_AREAS:
        PeerZone.objects.get_or_create(name=name, defaults={"is_self": name == SELF})
    peers_load_reference(actor=head, indicator=gdp, names=names)
    for name, note in NATIONAL_NEW_AREAS:
        if note:
            PeerFigure.objects.get_or_create(
                peer=PeerZone.objects.get(name=name), indicator=gdp, year=2023, defaults={"note": note}
            )


def _submitted_return(
    users: dict[str, User],
    indicators: dict[str, Indicator],
    generated: dict[str, dict[int, dict[int, dict[int, Decimal]]]],
    closed_through: dt.date,
) -> None:
    """The month after the last closed one: 经济发展局's clerk has entered the zone's and the
    areas' figures and submitted them; one of them is out of line (a slip of the keyboard), which
    the clerk confirmed, so the head's review has a warning to look at."""
    clerk = users["demo-econ-staff"]
    month = (closed_through + dt.timedelta(days=32)).replace(day=1)
    submission = submission_for(actor=clerk, period=month)
    assert submission is not None
    values = []
    units = {u.pk: u for u in OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.ZONE, OrgUnit.Kind.AREA])}
    for code, yearly in generated.items():
        indicator = indicators[code]
        if (
            indicator.department_id != clerk.department_id
            or indicator.feed
            or not indicator.is_due(month.month)
        ):
            continue
        for unit_id, unit in units.items():
            ytd = yearly[month.year][unit_id][month.month]
            if code == "retail_sales" and unit.kind == OrgUnit.Kind.ZONE:
                ytd = _round(ytd * Decimal("1.6"), 2)
            growth = None
            if code in REPORTS_GROWTH:
                growth = _round((ytd / yearly[month.year - 1][unit_id][month.month] - 1) * 100, 1)
            values.append(ValueInput(indicator=indicator, org_unit=unit, ytd_value=ytd, growth=growth))
    if not values:
        return
    submission_values_save(actor=clerk, submission=submission, values=values)
    submission_submit(actor=clerk, submission=submission, confirm_warnings=True)
