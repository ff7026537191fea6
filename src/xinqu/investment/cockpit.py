"""The cockpit's investment tile: signings, their amount, paid-in capital and two of the "三个五"
from the register, and the year's funnel (leads reaching each stage) as the funnel page counts it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.cockpit import Scope, TileData, feed_figure
from xinqu.investment import selectors
from xinqu.investment.models import Lead
from xinqu.investment.rules import ORDER


def tile(user: Any, scope: Scope) -> TileData | None:
    funnel_url = f"{reverse('investment:funnel')}?year={scope.year}"
    listed = reverse("investment:list")
    result = selectors.funnel(user, scope.year, medians=False)
    counts = [sum(g["cells"][i]["n"] for g in result["groups"]) for i in range(len(ORDER))]
    return TileData(
        figures=[
            feed_figure("investment.signed", scope, f"{listed}?stage=signed"),
            feed_figure("investment.signed_amount", scope, funnel_url),
            feed_figure("investment.paid_in_domestic", scope, funnel_url),
            feed_figure("investment.paid_in_foreign", scope, funnel_url),
            feed_figure("investment.registered", scope, listed),
            feed_figure("investment.talent_projects", scope, listed),
        ],
        chart={
            "categories": [str(Lead.Stage(s).label) for s in ORDER],
            "unit": str(_("条")),
            "series": [{"name": str(_("%(y)s 年到达本阶段的线索") % {"y": scope.year}), "data": counts}],
        },
        note=_("漏斗按全年计（至今日）；其余数字截至所选月末。"),
        # The year's funnel counts to today: as of the month only once its year is over.
        live=not (scope.month.month == 12 and scope.year < timezone.localdate().year),
    )
