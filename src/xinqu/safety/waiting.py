"""What waits in work safety for a person: hazards to assign and to verify (the safety
department), hazards to rectify (the department they are assigned to)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import is_department_member, member_of
from xinqu.core.modules import Waiting
from xinqu.safety.flow import KIND
from xinqu.workflow.models import Item


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user):
        return []
    listed = reverse("safety:list")
    items = Item.objects.filter(kind=KIND.key)
    found = []
    if member_of(user, settings.SAFETY_DEPARTMENT):
        found.append(
            Waiting(_("隐患待安排整改"), items.filter(state="reported").count(), f"{listed}?state=reported")
        )
        found.append(
            Waiting(_("隐患整改待验收"), items.filter(state="submitted").count(), f"{listed}?state=submitted")
        )
    mine = items.filter(state="rectifying", department_id=user.department_id)
    found.append(Waiting(_("隐患待整改"), mine.count(), f"{listed}?state=rectifying"))
    late = mine.filter(due_on__lt=timezone.localdate()).count()
    if late:
        found.append(Waiting(_("隐患已超过整改期限"), late, f"{listed}?state=rectifying", urgent=True))
    return found
