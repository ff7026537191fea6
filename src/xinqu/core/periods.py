"""The zone's reporting period (当前统计期): the latest month the statistics office has closed.
Every page and API answer defaults to it and says which period it shows; nothing defaults to
today unless the user asks. Until a first month is closed, the last finished month stands in,
marked as not yet closed."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.models import ClosedMonth


@dataclass(frozen=True)
class ReportingPeriod:
    month: dt.date  # the first of the month
    closed: bool  # closed by the statistics office (False: the last finished month stands in)

    @property
    def end(self) -> dt.date:
        return month_end(self.month)

    @property
    def label(self) -> str:
        return month_label(self.month)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_label(month: dt.date) -> str:
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


def last_finished_month(today: dt.date | None = None) -> dt.date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def reporting_period(today: dt.date | None = None) -> ReportingPeriod:
    """The current reporting period: one indexed read."""
    latest = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is not None:
        return ReportingPeriod(latest, True)
    return ReportingPeriod(last_finished_month(today), False)


def current_period(today: dt.date | None = None) -> dt.date:
    """The first day of the current reporting period's month."""
    return reporting_period(today).month


def month_in(year: int, today: dt.date | None = None) -> int:
    """The month of ``year`` a year-long page shows by default: the reporting period's month in
    its own year, December for a year before it, January for a year after it."""
    month = current_period(today)
    if year == month.year:
        return month.month
    return 12 if year < month.year else 1


def as_of_in(year: int, today: dt.date | None = None) -> dt.date:
    """The last day of that month: the day a year's figures are shown as of by default."""
    return month_end(dt.date(year, month_in(year, today), 1))
