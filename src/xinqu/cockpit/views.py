from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from xinqu.cockpit import selectors
from xinqu.core.access import AuthedRequest, ensure_business, is_leader
from xinqu.core.modules import waiting_for
from xinqu.core.periods import month_label


@login_required
def page(request: AuthedRequest) -> HttpResponse:
    """The cockpit for the zone or one area at a reporting month: every module's tile, each
    linking to its page, and the alerts of every figure whose light turned worse."""
    ensure_business(request.user)
    scope = selectors.scope_for(request.GET)
    shown = selectors.tiles(request.user, scope)
    charts = []
    for index, s in enumerate(shown):
        if s.data.chart:
            charts.append((f"cockpit-chart-{index}", s.data.chart))
            s.chart_id = f"cockpit-chart-{index}"  # type: ignore[attr-defined]
        s.url = reverse(s.tile.url_name)  # type: ignore[attr-defined]
    language = get_language()
    context = {
        "scope": scope,
        "tiles": shown,
        "charts": charts,
        "alerts": selectors.alerts(shown),
        "units": [(u, u.display_name(language)) for u in selectors.units()],
        "months": [(m, month_label(m), closed) for m, closed in selectors.months()],
        "unit_name": scope.unit.display_name(language),
        "waiting": [w for w in waiting_for(request.user) if w.count] if is_leader(request.user) else [],
    }
    return render(request, "cockpit/cockpit.html", context)
