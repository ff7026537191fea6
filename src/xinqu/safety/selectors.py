"""Reading hazards: through the access rule, with what their pages show."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xinqu.core.access import get_visible_or_404
from xinqu.core.tokens import by_secret_link
from xinqu.core.workdays import WorkCalendar
from xinqu.safety.models import Hazard
from xinqu.workflow import engine


def hazards_for(user: Any) -> QuerySet[Hazard]:
    """The hazards ``user`` may read, with what a list shows."""
    return Hazard.objects.visible_to(user).select_related(
        "item", "item__department", "enterprise", "reporter"
    )


def hazard_for(user: Any, number: str) -> Hazard:
    """One hazard by its item number, or 404."""
    return get_visible_or_404(user, hazards_for(user), item__number=number)


def light(hazard: Hazard, cal: WorkCalendar | None = None) -> str:
    """Red for an overdue major hazard until it is closed; otherwise the deadline state."""
    state = engine.deadline_state(hazard.item, cal=cal)
    if hazard.level == Hazard.Level.MAJOR and state == "overdue":
        return "red"
    return state


def hazard_by_link(number: str, token: str) -> Hazard | None:
    """The hazard an enterprise's secret link points to, or None (wrong number or token alike)."""
    return by_secret_link(Hazard.objects.select_related("item", "enterprise"), number=number, token=token)
