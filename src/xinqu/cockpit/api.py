"""The cockpit's tiles in the API, with the page's rules: every business role, the zone or one
area, the current reporting period by default."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from xinqu.cockpit import selectors
from xinqu.core.access import AuthedRequest, ensure_business

router = Router(tags=["cockpit"])


class CockpitQuery(Schema):
    unit: str = Field(default="", description="an org unit's code: the zone (default) or an area")
    period: str = Field(
        default="", description="YYYY-MM: a closed month (default: the current reporting period)"
    )


class TileOut(Schema):
    key: str
    label: str
    url: str
    figures: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    more: int
    chart: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    note: str


class CockpitOut(Schema):
    unit: str
    unit_name: str
    period: str
    period_label: str
    closed: bool
    tiles: list[TileOut]
    alerts: list[dict[str, Any]]


@router.get("/cockpit", response=CockpitOut, summary="The leaders' cockpit: every module's tile")
def cockpit(request: AuthedRequest, query: Query[CockpitQuery]) -> Any:
    ensure_business(request.user)
    scope = selectors.scope_for(query.dict())
    shown = selectors.tiles(request.user, scope)
    return {
        "unit": scope.unit.code,
        "unit_name": scope.unit.name,
        "period": f"{scope.month:%Y-%m}",
        "period_label": scope.label,
        "closed": scope.closed,
        "tiles": [
            {
                "key": s.tile.key,
                "label": str(s.tile.label),
                "url": reverse(s.tile.url_name),
                **s.data.as_json(),
            }
            for s in shown
        ],
        "alerts": [a.as_json() for a in selectors.alerts(shown)],
    }
