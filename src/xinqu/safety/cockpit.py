"""The cockpit's safety tile: major hazards not yet closed, those past their deadline, and the
first few, each enterprise named only as the reader may see it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import attach_shown
from xinqu.core.cockpit import Figure, Line, Scope, TileData
from xinqu.safety.flow import KIND
from xinqu.safety.models import Hazard
from xinqu.safety.selectors import hazards_for

SHOWN = 5


def tile(user: Any, scope: Scope) -> TileData | None:
    major = hazards_for(user).filter(level=Hazard.Level.MAJOR).exclude(item__state__in=KIND.closed)
    today = timezone.localdate()
    count = major.count()
    late = major.filter(item__due_on__lt=today).count()
    listed = f"{reverse('safety:list')}?level=major"
    rows = attach_shown(user, major.order_by("item__due_on", "item__number")[:SHOWN], "enterprise")
    return TileData(
        figures=[
            Figure(
                _("未销号重大隐患"),
                count,
                "项",
                shown=str(count),
                light="red" if count else "",
                url=listed,
                live=True,
            ),
            Figure(
                _("其中超过整改期限"),
                late,
                "项",
                shown=str(late),
                light="red" if late else "",
                url=listed,
                live=True,
            ),
        ],
        lines=[
            Line(
                f"{h.item.number} {h.enterprise_shown.name}",
                _("%(loc)s · 期限 %(d)s") % {"loc": h.location, "d": h.item.due_on or "–"},
                reverse("safety:detail", args=[h.item.number]),
                "red" if h.item.due_on and h.item.due_on < today else "yellow",
            )
            for h in rows
        ],
        lines_title=_("重大隐患"),
        live=True,
        more=max(count - SHOWN, 0),
    )
