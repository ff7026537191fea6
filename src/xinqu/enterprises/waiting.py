"""What waits in the registry for a person: qualifications of their department's enterprises
that lapse within 90 days and have not been renewed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import is_department_member
from xinqu.core.modules import Waiting
from xinqu.enterprises.selectors import expiring_qualifications

WITHIN_DAYS = 90


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user):
        return []
    expiring = expiring_qualifications(user, within_days=WITHIN_DAYS).filter(department_id=user.department_id)
    return [Waiting(_("资质 90 天内到期待续"), expiring.count(), reverse("enterprises:expiring"))]
