"""Helpers shared by the projects tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from xinqu.projects import services
from xinqu.projects.models import (
    Project,
)

TODAY = timezone.localdate()


THIS_MONTH = TODAY.replace(day=1)


def _project(clerk, places, code="XM-1", total=20_000, **extra):
    return services.project_save(
        actor=clerk,
        code=code,
        name=f"项目{code}",
        kind=extra.pop("kind", "industrial"),
        area=places["area"],
        park=places["park"],
        total_investment=Decimal(total),
        **extra,
    )


def _months_ago(n: int) -> dt.date:
    index = THIS_MONTH.year * 12 + THIS_MONTH.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _started(clerk, places, code="XM-1", total=20_000, months_ago=6, **extra):
    project = _project(clerk, places, code=code, total=total, **extra)
    start = _months_ago(months_ago)
    for stage, day in (("signed", start), ("landed", start), ("started", start)):
        services.project_move(actor=clerk, project=project, stage=stage, on=day)
    return Project.objects.get(pk=project.pk)
