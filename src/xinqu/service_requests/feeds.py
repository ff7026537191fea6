"""The service-request rates other modules show, from the metrics' tallies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import Fed, Feed, Record, once
from xinqu.service_requests.metrics import metrics


def _rate(rate: str) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        # Both rates come from the same tallies: counted once for a page that shows both.
        total = once(
            ("service_requests.metrics", year, as_of),
            lambda: metrics(year=year, by="month", through=as_of)["total"],
        )
        url = f"{reverse('service_requests:metrics')}?year={year}&by=month"
        label = _("%(year)s 年 1–%(m)s 月企业诉求：%(n)s 件") % {
            "year": year,
            "m": as_of.month,
            "n": total.counts["total"],
        }
        return Fed(total.rates[rate], [Record(str(label), url)], total.counts["total"])

    return compute


FEEDS = [
    Feed(
        "service_requests.satisfaction",
        _("企业诉求满意率（%，企业诉求）"),
        "%",
        _rate("satisfaction"),
        measure="rate",
    ),
    Feed(
        "service_requests.on_time",
        _("企业诉求按时办结率（%，企业诉求）"),
        "%",
        _rate("on_time"),
        measure="rate",
    ),
]
