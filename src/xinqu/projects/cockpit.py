"""The cockpit's project tile: the ledger's figures from the register (started or resumed, landed,
≥ 1 bn started, the industrial share), and the problems open at the month's end for the briefing's
closing list."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from xinqu.core.cockpit import Line, Scope, TileData, feed_figure
from xinqu.projects.selectors import problems_open_at

ISSUES = 20  # open problems the briefing lists; the rest are counted


def tile(user: Any, scope: Scope) -> TileData | None:
    statistics = f"{reverse('projects:statistics')}?year={scope.year}"
    listed = reverse("projects:list")
    issues = [
        Line(
            label=f"{p.project.name}：{p.description}",
            detail=" · ".join(
                part
                for part in (
                    p.item.department.name if p.item.department else "",
                    f"{p.item.due_on:%Y-%m-%d}" if p.item.due_on else "",
                )
                if part
            ),
            url=reverse("projects:problem", args=[p.item.number]),
        )
        for p in problems_open_at(scope.as_of).visible_to(user)[:ISSUES]
    ]
    return TileData(
        figures=[
            feed_figure("projects.started_or_resumed", scope, statistics),
            feed_figure("projects.started_1bn", scope, listed),
            feed_figure("projects.landed", scope, listed),
            feed_figure("projects.industrial_share", scope, f"{statistics}&by=kind"),
        ],
        issues=issues,
    )
