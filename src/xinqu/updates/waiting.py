"""What waits in the work updates for a person: the department's drafts and returned ones, and
for its head, those submitted for approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import head_of, is_department_member
from xinqu.core.modules import Waiting
from xinqu.updates.selectors import work_update_counts


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user):
        return []
    counts = work_update_counts(user)
    listed = reverse("updates:list")
    department = user.department_id
    found = [
        Waiting(
            _("工作动态草稿和退回待处理"), counts["draft"], f"{listed}?status=draft&department={department}"
        )
    ]
    if head_of(user, department):
        found.append(
            Waiting(
                _("工作动态待审核"), counts["submitted"], f"{listed}?status=submitted&department={department}"
            )
        )
    return found
