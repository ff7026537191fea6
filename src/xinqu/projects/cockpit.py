"""The cockpit's project tile: the ledger's figures from the register (started or resumed, landed,
≥ 1 bn started, the industrial share) and the year's started projects by stage as a chart."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from xinqu.core.cockpit import Scope, TileData, feed_figure


def tile(user: Any, scope: Scope) -> TileData | None:
    statistics = f"{reverse('projects:statistics')}?year={scope.year}"
    listed = reverse("projects:list")
    return TileData(
        figures=[
            feed_figure("projects.started_or_resumed", scope, statistics),
            feed_figure("projects.started_1bn", scope, listed),
            feed_figure("projects.landed", scope, listed),
            feed_figure("projects.industrial_share", scope, f"{statistics}&by=kind"),
        ]
    )
