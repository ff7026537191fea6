"""The cockpit's registry tile: the high-tech enterprises from the register, and the
qualifications that lapse within the warning days (as the expiring list shows them)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.cockpit import Figure, Line, Scope, TileData, feed_figure, first_rows
from xinqu.enterprises.selectors import EXPIRY_WARNING_DAYS as WARNING_DAYS
from xinqu.enterprises.selectors import expiring_qualifications

SHOWN = 5


def tile(user: Any, scope: Scope) -> TileData | None:
    expiring = expiring_qualifications(user, within_days=WARNING_DAYS)
    count = expiring.count()
    listed = f"{reverse('enterprises:expiring')}?days={WARNING_DAYS}"
    statistics = reverse("enterprises:statistics")
    return TileData(
        figures=[
            feed_figure("enterprises.high_tech_total", scope, statistics),
            feed_figure("enterprises.high_tech_new", scope, statistics),
            Figure(
                _("90 天内到期的资质"),
                count,
                "项",
                shown=str(count),
                light="yellow" if count else "",
                url=listed,
                live=True,
            ),
        ],
        lines=[
            Line(
                f"{q.enterprise.name} · {q.kind.name}",
                _("%(d)s 到期") % {"d": q.expires_on},
                reverse("enterprises:detail", args=[q.enterprise_id]),
                "yellow",
            )
            for q in first_rows(expiring, SHOWN, "enterprise", "kind")
        ],
        lines_title=_("即将到期的资质"),
        live=True,
        more=max(count - SHOWN, 0),
    )
