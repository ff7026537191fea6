"""Which scope a cockpit shows, and its tiles: each module's, for the roles it names, computed
where the figures live (xinqu.core.cockpit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xinqu.core.access import has_role
from xinqu.core.cockpit import Line, Scope, TileData
from xinqu.core.feeds import each_figure_once
from xinqu.core.models import ClosedMonth, OrgUnit
from xinqu.core.modules import CockpitTile, cockpit_tiles
from xinqu.core.periods import month_label, reporting_period


@dataclass
class Shown:
    tile: CockpitTile
    data: TileData


def units() -> list[OrgUnit]:
    """The zone, then its areas: the cockpits there are."""
    zone = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).order_by("sort_order", "id")[:1])
    areas = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA).order_by("sort_order", "id"))
    return zone + areas


def months() -> list[tuple[dt.date, bool]]:
    """The months a cockpit may show, latest first: the current reporting period (closed or the
    last finished month standing in) and every closed month before it."""
    current = reporting_period()
    closed = list(ClosedMonth.objects.order_by("-month").values_list("month", flat=True)[:36])
    found = [(m, True) for m in closed]
    if not current.closed:
        found.insert(0, (current.month, False))
    return found


def scope_for(params: Any) -> Scope:
    """The scope asked for (``unit`` by code, ``period`` as YYYY-MM), the zone at the current
    reporting period by default. A month the cockpit cannot show is a 400 that says why."""
    found = units()
    if not found:
        raise BadRequest(_("还没有建立新区的组织机构。"))
    code = (params.get("unit") or "").strip()
    unit = next((u for u in found if u.code == code), None) if code else found[0]
    if unit is None:
        raise BadRequest(_("没有这个区域：%(c)s。驾驶舱可看新区和各功能区。") % {"c": code})
    options = months()
    raw = (params.get("period") or "").strip()
    if not raw:
        month, closed = options[0]
        return Scope(unit, month, closed)
    try:
        month = dt.date.fromisoformat(f"{raw[:7]}-01")
    except ValueError:
        raise BadRequest(_("月份应写作 YYYY-MM，如 2024-06。")) from None
    for option, closed in options:
        if option == month:
            return Scope(unit, month, closed)
    latest = options[0][0]
    if month > latest:
        raise BadRequest(
            _("%(m)s 尚未结束统计，最新可看的是 %(l)s。")
            % {"m": month_label(month), "l": month_label(latest)}
        )
    raise BadRequest(_("%(m)s 不是已关账的统计月份。") % {"m": month_label(month)})


def tiles(user: Any, scope: Scope) -> list[Shown]:
    """The tiles ``user`` may see for ``scope``; a figure two tiles read (a plan KPI reading the
    register's 高企) is computed once for the page."""
    shown = []
    with each_figure_once():
        for tile in cockpit_tiles():
            if not has_role(user, *tile.roles) or (not scope.is_zone and not tile.areas):
                continue
            data = import_string(tile.context)(user, scope)
            if data is not None:
                shown.append(Shown(tile, data))
    return shown


def alerts(shown: list[Shown]) -> list[Line]:
    """Every figure whose light turned worse this period, from every tile."""
    return [alert for s in shown for alert in s.data.alerts]
