"""The ledger's figures other modules show: projects started, started or resumed, landed, and
the industrial projects' share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import Fed, Feed, Record, once, records_of
from xinqu.projects.models import Project
from xinqu.projects.selectors import STATISTICS_FLOOR, started_figures, started_or_resumed


def _count(condition: Callable[[int, dt.date], Q]) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        found = Project.objects.filter(condition(year, as_of)).order_by("code")
        count = found.count()
        return Fed(Decimal(count), records_of(found, _record), count)

    return compute


def _record(p: Project) -> Record:
    return Record(f"{p.code} {p.name}", reverse("projects:detail", args=[p.pk]), f"{p.total_investment:,.0f}")


def _started_or_resumed(year: int, as_of: dt.date) -> Q:
    return started_or_resumed(year, as_of) & Q(total_investment__gte=STATISTICS_FLOOR)


def _started(year: int, as_of: dt.date) -> tuple[int, Decimal | None]:
    # The count and the share come from one query, run once for a page that shows both.
    return once(("projects.started", year, as_of), lambda: started_figures(year, as_of))


def _started_count(year: int, as_of: dt.date) -> Fed:
    count = _started(year, as_of)[0]
    found = Project.objects.filter(_started_or_resumed(year, as_of)).order_by("code")
    return Fed(Decimal(count), records_of(found, _record), count)


def _industrial_share(year: int, as_of: dt.date) -> Fed:
    url = f"{reverse('projects:statistics')}?year={year}&by=kind"
    label = _("%(year)s 年开复工 5000 万元以上项目，按项目类型") % {"year": year}
    return Fed(_started(year, as_of)[1], [Record(str(label), url)])


FEEDS = [
    Feed(
        "projects.started_1bn",
        _("当年开工十亿元以上项目（个，项目建设）"),
        "个",
        _count(
            lambda year, as_of: Q(started_on__year=year, started_on__lte=as_of, total_investment__gte=100_000)
        ),
        measure="quantity",
    ),
    Feed(
        "projects.started_or_resumed",
        _("开复工 5000 万元以上项目（个，项目建设）"),
        "个",
        _started_count,
        measure="quantity",
    ),
    Feed(
        "projects.industrial_share",
        _("产业项目占比（%，项目建设）"),
        "%",
        _industrial_share,
        measure="rate",
    ),
    Feed(
        "projects.landed",
        _("当年落地项目（个，项目建设）"),
        "个",
        _count(lambda year, as_of: Q(landed_on__year=year, landed_on__lte=as_of)),
        measure="quantity",
    ),
]
