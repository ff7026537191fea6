"""The figures the innovation registry gives the register: platforms valid at the period's end,
in all and by the highest level each holds then (a stock: 期末数)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import RECORDS_SHOWN, Fed, Feed, Record
from xinqu.innovation.models import Level, Platform
from xinqu.innovation.selectors import counted

MASKED = _("内部平台")


def _fed(found: QuerySet[Platform]) -> Fed:
    platforms = found.order_by("code")
    count = platforms.count()
    records = [
        Record(str(MASKED), "")
        if p.confidential
        else Record(f"{p.code} {p.name}", reverse("innovation:detail", args=[p.pk]))
        for p in platforms[:RECORDS_SHOWN]
    ]
    return Fed(Decimal(count), records, count)


def _at(year: int, as_of: dt.date) -> dt.date:
    return min(as_of, dt.date(year, 12, 31))


def platforms(year: int, as_of: dt.date) -> Fed:
    day = _at(year, as_of)
    return _fed(counted(day))


def _by_level(level: str) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        day = _at(year, as_of)
        return _fed(counted(day, level))

    return compute


FEEDS = [
    Feed("innovation.platforms", _("创新平台（个，期末数）"), "个", platforms, measure="stock"),
    Feed(
        "innovation.platforms_national",
        _("国家级创新平台（个，期末数）"),
        "个",
        _by_level(Level.NATIONAL),
        measure="stock",
    ),
    Feed(
        "innovation.platforms_provincial",
        _("省级创新平台（个，期末数）"),
        "个",
        _by_level(Level.PROVINCIAL),
        measure="stock",
    ),
    Feed(
        "innovation.platforms_city",
        _("市级创新平台（个，期末数）"),
        "个",
        _by_level(Level.CITY),
        measure="stock",
    ),
]
