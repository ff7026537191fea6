"""What waits in the plan for a person: the department's monthly reports due, reports to approve,
supervision items to answer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import head_of, is_department_member
from xinqu.core.modules import Waiting
from xinqu.plans.models import Period, Plan, Report, Supervision
from xinqu.plans.rules import REPORTED_KINDS


def waiting(user: Any) -> list[Waiting]:
    today = timezone.localdate()
    plan = Plan.objects.filter(year=today.year).first() or Plan.objects.order_by("-year").first()
    if plan is None or not is_department_member(user):
        return []
    department = user.department_id
    found = []
    if plan.nodes.filter(kind__in=REPORTED_KINDS, lead_department_id=department).exists():
        reported = Report.objects.filter(department_id=department, status__in=["submitted", "approved"])
        due = Period.objects.filter(plan=plan, month__lte=today, closed=False).exclude(
            pk__in=reported.values("period")
        )
        latest = due.order_by("-month").first()
        url = (
            reverse("plans:report", args=[plan.year, f"{latest.month:%Y-%m}"])
            if latest
            else reverse("plans:my", args=[plan.year])
        )
        late = due.filter(deadline__lt=today).count()
        found.append(Waiting(_("计划月报待报送"), due.count(), url, urgent=bool(late)))
        if head_of(user, department):
            found.append(
                Waiting(
                    _("计划月报待审核"),
                    Report.objects.filter(department_id=department, status="submitted").count(),
                    reverse("plans:my", args=[plan.year]),
                )
            )
    open_items = Supervision.objects.filter(item__department_id=department, item__closed_at__isnull=True)
    found.append(Waiting(_("督办事项待反馈"), open_items.count(), reverse("plans:my", args=[plan.year])))
    return found
