"""The cockpit's service-request tile: the year's rates from the register (12345 practice, as the
metrics page defines them) and the requests now past their deadline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.cockpit import Figure, Line, Scope, TileData, feed_figure, first_rows
from xinqu.service_requests.selectors import queue_items

SHOWN = 5


def tile(user: Any, scope: Scope) -> TileData | None:
    metrics = f"{reverse('service_requests:metrics')}?year={scope.year}&by=month"
    queue = f"{reverse('service_requests:queue')}?state=open"
    late = queue_items(user, "open").filter(due_on__lt=timezone.localdate(), paused_since__isnull=True)
    count = late.count()
    return TileData(
        figures=[
            feed_figure("service_requests.on_time", scope, metrics),
            feed_figure("service_requests.satisfaction", scope, metrics),
            Figure(
                _("当前超期未办结"),
                count,
                "件",
                shown=str(count),
                light="red" if count else "",
                url=queue,
                live=True,
            ),
        ],
        lines=[
            Line(
                f"{item.number} {item.title}",
                _("期限 %(d)s · %(dept)s")
                % {"d": item.due_on, "dept": item.department.name if item.department else "–"},
                reverse("service_requests:detail", args=[item.number]),
                "red",
            )
            for item in first_rows(late.order_by("due_on", "id"), SHOWN, "department")
        ],
        lines_title=_("超期诉求"),
        live=True,
        more=max(count - SHOWN, 0),
    )
