"""Working days on the zone's calendar: Monday to Friday, minus the holidays, plus the weekend
days worked in exchange (调休). Deadlines ("1 working day to sign for", "5 to reply") count these.

`calendar()` loads the arrangements once and is reused until someone changes them (the number of
rows and the latest change are checked, one cheap query per call)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Count, Max

from xinqu.core.models import CalendarDay

ONE_DAY = dt.timedelta(days=1)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def last_year(self) -> int | None:
        """The last year whose holiday arrangements have been entered."""
        days = self.holidays | self.workdays
        return max(d.year for d in days) if days else None

    def knows(self, day: dt.date | None) -> bool:
        """Whether ``day`` falls in a year whose arrangements are entered. A deadline beyond it
        is still computed (Monday to Friday) but is an estimate, and pages say so."""
        last = self.last_year
        return day is None or (last is not None and day.year <= last)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself does not count: a
        request received on Friday with 1 working day is due on Monday). 0 gives ``start``."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += ONE_DAY
            if self.is_working_day(day):
                days -= 1
        if not self.knows(day):
            logger.warning(
                "deadline %s lies past %s, the last year of holiday arrangements entered; counted Monday to Friday",
                day,
                self.last_year,
            )
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
        earlier): how late a due date is, or how long an item took."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day


_cached: tuple[tuple[int, object], WorkCalendar] | None = None


def calendar() -> WorkCalendar:
    """The calendar as it stands in the database."""
    global _cached
    stamp = CalendarDay.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    key = (stamp["n"], stamp["changed"])
    if _cached is None or _cached[0] != key:
        rows = list(CalendarDay.objects.values_list("date", "kind"))
        _cached = (
            key,
            WorkCalendar(
                holidays=frozenset(d for d, k in rows if k == CalendarDay.Kind.HOLIDAY),
                workdays=frozenset(d for d, k in rows if k == CalendarDay.Kind.WORKDAY),
            ),
        )
    return _cached[1]
