"""What waits in investment attraction for an officer: leads gone stale, and signed or landed
leads past their agreed day."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import is_department_member
from xinqu.core.modules import Waiting
from xinqu.investment.models import Lead
from xinqu.investment.selectors import officer_work


def waiting(user: Any) -> list[Waiting]:
    if not is_department_member(user) or not Lead.objects.filter(officer=user).exists():
        return []
    work = officer_work(user)
    url = reverse("investment:list")
    labels = {
        "stale": _("我的线索久未跟进"),
        "late_landing": _("我的线索未按期落地"),
        "late_start": _("我的线索未按期开工"),
    }
    return [
        Waiting(labels[name], count, f"{url}?mine=1&flag={name}", urgent=name != "stale")
        for name, count in work.items()
        if count
    ]
