"""What waits in the indicators for a person: the month's return to fill, returns to approve."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import head_of, is_department_member
from xinqu.core.models import ClosedMonth
from xinqu.core.modules import Waiting
from xinqu.core.periods import current_period, last_finished_month
from xinqu.indicators.models import Indicator, Submission


def waiting(user: Any) -> list[Waiting]:
    if (
        not is_department_member(user)
        or not Indicator.objects.filter(
            department_id=user.department_id, is_active=True, feed="", formula=""
        ).exists()
    ):
        return []
    # The month to report: the first one after the closed reporting period, once it has ended
    # (before any month is closed, the last one ended).
    period = current_period()
    following = (period.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    month = following if following <= last_finished_month() and ClosedMonth.objects.exists() else period
    mine = Submission.objects.filter(department_id=user.department_id)
    done = mine.filter(period=month, status__in=["submitted", "approved"]).exists()
    found = [
        Waiting(
            _("%(month)s 经济指标待填报") % {"month": f"{month:%Y-%m}"},
            0 if done else 1,
            reverse("indicators:entry", args=[f"{month:%Y-%m}"]),
        )
    ]
    if head_of(user, user.department_id):
        submitted = list(mine.filter(status="submitted").values_list("pk", flat=True)[:2])
        url = (
            reverse("indicators:return", args=[submitted[0]])
            if len(submitted) == 1
            else reverse("indicators:returns")
        )
        found.append(Waiting(_("经济指标填报待审核"), mine.filter(status="submitted").count(), url))
    return found
