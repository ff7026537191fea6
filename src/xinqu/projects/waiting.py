"""What waits in the ledger for a person: their department's projects under construction with no
report for the reporting period."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import is_department_member
from xinqu.core.modules import Waiting
from xinqu.core.periods import current_period
from xinqu.projects.models import Project
from xinqu.projects.selectors import missing_reports


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user):
        return []
    month = current_period()
    missing = missing_reports(month, Project.objects.filter(department_id=user.department_id)).count()
    return [
        Waiting(
            _("%(month)s 项目月报未报") % {"month": f"{month:%Y-%m}"},
            missing,
            reverse("projects:meeting"),
            urgent=bool(missing),
        )
    ]
