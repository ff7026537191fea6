"""The cockpit's headline tile and its alerts: the indicator overview's own rows for the unit and
month (value, growth or 百分点, light against 序时进度), the unit's rank among its peers, and
every indicator whose light turned worse since the month before."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xinqu.core.cockpit import Figure, Line, Scope, TileData, worse
from xinqu.core.numbers import amount, change_points, growth, progress_phrase, target_phrase, unit_label
from xinqu.indicators import selectors
from xinqu.indicators.models import Indicator


def _name(indicator: Indicator) -> str:
    return indicator.name_en if get_language() == "en" and indicator.name_en else indicator.name


def _note(row: selectors.Row) -> str:
    parts = []
    if row.is_rate:
        if row.change_pp is not None:
            parts.append(_("比上年同期%(c)s") % {"c": change_points(row.change_pp)})
    elif row.growth is not None:
        parts.append(growth(row.growth))
    elif row.growth_note:
        parts.append(row.growth_note)
    if row.gap is not None and row.progress_basis in ("months", "phasing", "seasonal"):
        parts.append(progress_phrase(row.gap))
    elif row.gap is not None and row.progress_basis == "rate":
        parts.append(target_phrase(row.gap))
    return "，".join(parts)


def _ranks(scope: Scope, indicators: list[Indicator]) -> dict[int, str]:
    """排名第N (of M): an area among the zone's areas by growth (by value for a rate); the zone
    among the national new areas for the latest year their figures are held."""
    found: dict[int, str] = {}
    if scope.is_zone:
        for indicator in indicators:
            # The latest year held up to the month shown: a 2023 page does not rank by 2024.
            years = [y for y in selectors.benchmark_years(indicator) if y <= scope.year]
            if not years:
                continue
            result = selectors.benchmark(indicator=indicator, year=years[0], zone=scope.unit)
            me = result["self"]
            if me is None:
                continue
            rank, of = (
                (me.growth_rank, result["known_growth"])
                if me.growth_rank
                else (me.value_rank, result["known_values"])
            )
            if rank:
                found[indicator.pk] = _("%(y)s 年全国新区第 %(n)s（共 %(m)s 个）") % {
                    "y": years[0],
                    "n": rank,
                    "m": of,
                }
        return found
    parent = scope.unit.parent
    if parent is None:
        return found
    for indicator in indicators:
        if not indicator.level_allows(scope.unit.kind):
            continue
        _total, children = selectors.breakdown(indicator=indicator, parent=parent, period=scope.month)
        ranked = [c for c in children if (c.growth_rank or c.value_rank)]
        me = next((c for c in children if c.unit.pk == scope.unit.pk), None)
        if me is None or not ranked:
            continue
        rank = me.value_rank if indicator.is_rate else (me.growth_rank or me.value_rank)
        if rank:
            found[indicator.pk] = _("%(p)s第 %(n)s（共 %(m)s 个）") % {
                "p": parent.display_name(get_language()),
                "n": rank,
                "m": len(ranked),
            }
    return found


def tile(user: Any, scope: Scope) -> TileData | None:
    rows = selectors.overview(user=user, unit=scope.unit, period=scope.month)
    if not rows:
        return None
    base = reverse("indicators:overview")
    url = f"{base}?unit={scope.unit.pk}&period={scope.month:%Y-%m}"
    headline = [r for r in rows if r.value is not None]
    ranks = _ranks(scope, [r.indicator for r in headline if r.has_target or scope.is_zone][:8])
    figures = [
        Figure(
            label=_name(r.indicator),
            value=r.value,
            unit=r.indicator.unit,
            places=r.indicator.decimals,
            shown=amount(r.value, r.indicator.decimals),
            note=_note(r),
            light=r.light or "",
            light_label=r.light_label,
            rank=ranks.get(r.indicator.pk, ""),
            url=f"{reverse('indicators:detail', args=[r.indicator.code])}?unit={scope.unit.pk}&period={scope.month:%Y-%m}",
            key=f"indicator.{r.indicator.code}.value",
            change=r.change_pp if r.is_rate else r.growth,
        )
        for r in headline
    ]
    lights = {r.indicator.pk: r.light or "" for r in rows}
    before = selectors.overview(user=user, unit=scope.unit, period=scope.previous)
    alerts = [
        Line(
            label=_name(r.indicator),
            detail=_("由%(a)s转为%(b)s")
            % {
                "a": selectors.LIGHTS.get(r.light or "", ""),
                "b": selectors.LIGHTS.get(lights[r.indicator.pk], ""),
            },
            url=url,
            light=lights[r.indicator.pk],
        )
        for r in before
        if r.indicator.pk in lights and worse(r.light, lights[r.indicator.pk])
    ]
    missing = [_name(r.indicator) for r in rows if r.value is None]
    note = _("另有 %(n)s 项指标本期尚无数据。") % {"n": len(missing)} if missing else ""
    chart = _chart(headline)
    extra = _briefing_charts(scope, headline) if scope.briefing else []
    return TileData(
        figures=figures, alerts=alerts, note=note, chart=chart, missing=missing, briefing_charts=extra
    )


def _briefing_charts(scope: Scope, rows: list[selectors.Row]) -> list[dict[str, Any]]:
    """The briefing's pictures: the growth of every headline figure side by side, and the
    year-to-date course of the first two amounts (GDP, industrial output) against last year."""
    charts: list[dict[str, Any]] = []
    grown = [r for r in rows if not r.is_rate and r.growth is not None]
    if grown:
        charts.append(
            {
                "title": _("主要经济指标增速（%）"),
                "categories": [_name(r.indicator) for r in grown],
                "unit": "%",
                "series": [{"name": _("同比增长"), "data": [float(r.growth) for r in grown]}],  # type: ignore[arg-type]
            }
        )
    for r in [r for r in rows if not r.is_rate and r.indicator.cumulative][:2]:
        course = selectors.trend(indicator=r.indicator, unit=scope.unit, year=scope.year)
        shown = len([m for m in range(1, scope.month.month + 1) if r.indicator.is_due(m)])
        course["categories"] = course["categories"][:shown]
        for series in course["series"]:
            series["data"] = series["data"][:shown]
        course["series"] = course["series"][:2]  # the two years' values; growth is in the table
        course["title"] = _("%(name)s累计（%(unit)s）") % {
            "name": _name(r.indicator),
            "unit": unit_label(r.indicator.unit),
        }
        charts.append(course)
    return charts


def _chart(rows: list[selectors.Row]) -> dict[str, Any] | None:
    """Completion against 序时进度 for the indicators that have a target."""
    held = [r for r in rows if r.completion is not None and r.time_progress is not None]
    if not held:
        return None
    return {
        "categories": [_name(r.indicator) for r in held],
        "unit": "%",
        "series": [
            {"name": _("完成进度"), "data": [float(r.completion) for r in held]},  # type: ignore[arg-type]
            {"name": _("序时进度"), "data": [float(r.time_progress) for r in held], "type": "line"},  # type: ignore[arg-type]
        ],
    }
