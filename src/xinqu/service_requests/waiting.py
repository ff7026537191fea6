"""What waits in the service requests for a person: the centre's new filings and dispatches, a
department's requests to sign for and to answer, those past their deadline apart."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import is_department_member
from xinqu.core.modules import Waiting
from xinqu.service_requests.flow import KIND, is_centre_member
from xinqu.workflow.models import Item


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user):
        return []
    queue = reverse("service_requests:queue")
    items = Item.objects.filter(kind=KIND.key)
    found = []
    if is_centre_member(user):
        found.append(
            Waiting(_("新诉求待受理"), items.filter(state="submitted").count(), f"{queue}?state=submitted")
        )
        found.append(
            Waiting(
                _("诉求待派单"),
                items.filter(state__in=["accepted", "returned"]).count(),
                f"{queue}?state=accepted",
            )
        )
    mine = items.filter(department_id=user.department_id)
    found.append(
        Waiting(_("诉求待签收"), mine.filter(state="dispatched").count(), f"{queue}?state=dispatched")
    )
    answering = mine.filter(state="in_progress")
    found.append(Waiting(_("诉求办理中待答复"), answering.count(), f"{queue}?state=in_progress"))
    late = answering.filter(due_on__lt=timezone.localdate(), paused_since__isnull=True).count()
    if late:
        found.append(Waiting(_("诉求已超过办理期限"), late, f"{queue}?state=in_progress", urgent=True))
    return found
