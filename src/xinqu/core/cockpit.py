"""The leaders' cockpit (领导驾驶舱): tiles that modules declare (``cockpit_tiles`` on their
AppConfig, see :mod:`xinqu.core.modules`), each reading its numbers where they live, in the
figure register or the module's own selectors, never keeping a copy. The cockpit app lays them
out; this module holds the shapes a tile answers in, so the page and the API show the same.

A tile's ``context(user, scope)`` returns a :class:`TileData`, or None when it has nothing for
that scope (a tile without a split by area on an area's cockpit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xinqu.core.models import OrgUnit
from xinqu.core.numbers import json_number
from xinqu.core.periods import month_end, month_label

LIGHT_ORDER = {"green": 0, "yellow": 1, "red": 2}


@dataclass(frozen=True)
class Scope:
    """Whose figures and as of when: the zone or one area, at a reporting month."""

    unit: OrgUnit
    month: dt.date  # the first of the month shown
    closed: bool = True  # the statistics office has closed it
    briefing: bool = False  # asked for the monthly briefing: a tile adds its briefing charts

    @property
    def year(self) -> int:
        return self.month.year

    @property
    def as_of(self) -> dt.date:
        return month_end(self.month)

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def is_zone(self) -> bool:
        return self.unit.kind == OrgUnit.Kind.ZONE

    @property
    def previous(self) -> dt.date:
        return (self.month - dt.timedelta(days=1)).replace(day=1)


@dataclass
class Figure:
    """A headline number: its value with its unit and decimals, and what qualifies it."""

    label: str
    value: Decimal | int | None
    unit: str = ""
    places: int = 0
    shown: str = ""  # the value as the page prints it
    note: str = ""  # growth, 百分点, 序时进度 …, already phrased
    light: str = ""  # green / yellow / red, where the figure has a target
    light_label: str = ""
    rank: str = ""  # 排名第N (of M), already phrased
    url: str = ""
    key: str = ""  # the figure's key in the register, where it has one
    change: Decimal | None = None  # growth in %, or a rate's change in 百分点 (the note's number)
    live: bool = False  # counted now (open items), not as of the month: a past briefing omits it
    legend: bool = False  # the light names what is counted (红灯 nodes), it is not this figure's state

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": json_number(self.value, self.places),
            "unit": self.unit,
            "note": self.note,
            "light": self.light or None,
            "rank": self.rank,
            "url": self.url,
        }


@dataclass
class Line:
    """One listed record: a red plan node, a hazard, an expiring qualification …"""

    label: str
    detail: str = ""
    url: str = ""
    light: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "detail": self.detail, "url": self.url, "light": self.light or None}


@dataclass
class TileData:
    figures: list[Figure] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    lines_title: str = ""
    more: int = 0  # records beyond the lines listed
    chart: dict[str, Any] | None = None  # {"categories", "series", "unit"} for charts.js
    alerts: list[Line] = field(default_factory=list)  # figures whose light turned worse
    note: str = ""
    live: bool = False  # the lines and the chart are counted now, not as of the month
    # Problems to solve (the plan's 存在问题, open project problems): the briefing's closing list.
    issues: list[Line] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # figures the period has no value for
    # Further charts for the briefing only (scope.briefing), each with a "title".
    briefing_charts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "figures": [f.as_json() for f in self.figures],
            "lines": [line.as_json() for line in self.lines],
            "more": self.more,
            "chart": self.chart,
            "alerts": [a.as_json() for a in self.alerts],
            "note": self.note,
            "issues": [i.as_json() for i in self.issues],
            "missing": self.missing,
        }


def first_rows(found: Any, count: int, *related: str) -> list[Any]:
    """The first ``count`` records of the ordered queryset ``found``, with ``related`` joined: their
    ids from the index first, then those rows alone (ordering whole joined rows would sort every
    matching record's columns to keep a few)."""
    ids = list(found.values_list("pk", flat=True)[:count])
    rows = {row.pk: row for row in found.model._default_manager.filter(pk__in=ids).select_related(*related)}
    return [rows[pk] for pk in ids if pk in rows]


def worse(before: str | None, now: str | None) -> bool:
    """The light turned worse: green → yellow or red, yellow → red."""
    if not before or not now:
        return False
    return LIGHT_ORDER.get(now, 0) > LIGHT_ORDER.get(before, 0)


def feed_figure(key: str, scope: Scope, url: str = "", label: str = "") -> Figure:
    """A figure read from the register as of the scope's month end: the same number the owning
    module's page and the plan's KPIs show. ``url`` defaults to the page behind the figure."""
    from xinqu.core.feeds import feed
    from xinqu.core.numbers import amount, places_for

    found = feed(key)
    if found is None:
        raise LookupError(f"no figure {key} in the register")
    fed = found.compute(scope.year, scope.as_of)
    places = places_for(found.unit)
    # The register's label names the module in brackets; the tile already does.
    name = label or str(found.label).split("（")[0].split(" (")[0]
    return Figure(
        label=name,
        value=fed.value,
        unit=found.unit,
        places=places,
        shown=amount(fed.value, places),
        note=fed.note,
        url=url or (fed.records[0].url if len(fed.records) == 1 else ""),
        key=key,
    )
