from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from xinqu.updates.models import WorkUpdate


def work_updates_for(
    user: Any, *, department: int | None = None, status: str | None = None
) -> QuerySet[WorkUpdate]:
    """The updates ``user`` may read, newest first, with the related rows the list shows."""
    qs = WorkUpdate.objects.visible_to(user).select_related("department", "author", "reviewed_by")
    if department:
        qs = qs.filter(department_id=department)
    if status:
        qs = qs.filter(status=status)
    return qs


def work_update_counts(user: Any) -> dict[str, int]:
    """For the home page: the user's department's drafts, those awaiting review, and published ones."""
    if not getattr(user, "department_id", None):
        return {"draft": 0, "submitted": 0, "approved": 0}
    own = WorkUpdate.objects.filter(department_id=user.department_id)
    return own.aggregate(
        draft=Count("id", filter=Q(status__in=[WorkUpdate.Status.DRAFT, WorkUpdate.Status.RETURNED])),
        submitted=Count("id", filter=Q(status=WorkUpdate.Status.SUBMITTED)),
        approved=Count("id", filter=Q(status=WorkUpdate.Status.APPROVED)),
    )


def home_tile(user: Any) -> dict[str, Any]:
    """The home page's work-update tile: the department's counts and the latest published."""
    return {"counts": work_update_counts(user), "latest": work_updates_for(user, status="approved")[:8]}
