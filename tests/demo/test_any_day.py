"""The demo follows the day it is built on: built with the clock set to a day in 2025, one in
2026 and one in January 2028, nothing in it is absurd. Its reporting period is the month before
last, every year has its plan, returns, projects, qualifications and requests, open work falls
due around the day with only a few items late and none long overdue, growth stays in a plausible
band, no rate exceeds 100 %, and the figure register agrees with itself every month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.demo.figures import figures_agree_every_month
from xinqu.core.models import ClosedMonth, Notification, OrgUnit, User
from xinqu.core.periods import last_finished_month, reporting_period
from xinqu.core.workdays import calendar
from xinqu.demo.zone import load_demo_zone
from xinqu.enterprises.selectors import registry_statistics
from xinqu.indicators.models import Indicator, Observation, Submission
from xinqu.plans.models import Plan, Report
from xinqu.projects.models import MonthlyReport
from xinqu.projects.selectors import statistics
from xinqu.service_requests import metrics
from xinqu.workflow.models import Item

pytestmark = pytest.mark.django_db

MOST_OVERDUE = 15  # working days: no open item of the demo is later than this
LATE_SHARE = 0.05  # of all the demo's requests and hazards, at most this many are open and late
MOST_UNREAD = 30  # notifications waiting for any one account


@pytest.mark.parametrize("day", [dt.date(2025, 5, 20), dt.date(2026, 9, 7), dt.date(2028, 1, 12)])
def test_the_demo_built_on_any_day_is_a_plausible_month_of_work(day, client, settings):
    settings.DEMO_REQUESTS = 150  # enough settled requests for the share of late ones to mean something
    with time_machine.travel(
        dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    ):
        load_demo_zone()
        last = last_finished_month(day)
        closed = last_finished_month(last)
        period = reporting_period()
        assert (period.month, period.closed) == (closed, True)
        assert ClosedMonth.objects.filter(month__gte=dt.date(2023, 1, 1)).count() == (
            (closed.year - 2023) * 12 + closed.month
        )
        _plans_and_returns(day, last)
        _figures_plausible(closed)
        _work_due_around_today(day)
        _modules_alive(day, last)
        leader = User.objects.get(username="demo-leader")
        client.force_login(leader)
        assert figures_agree_every_month(client, leader, OrgUnit.objects.get(kind="zone")) >= 12
        for user in User.objects.filter(username__in=["demo-leader", "demo-econ-head", "demo-service-clerk"]):
            client.force_login(user)
            assert client.get("/", follow=True).status_code == 200


def _plans_and_returns(day: dt.date, last: dt.date) -> None:
    # A plan for every year to this one, each copied from the year before.
    assert list(Plan.objects.order_by("year").values_list("year", flat=True)) == list(
        range(2024, day.year + 1)
    )
    # Last month's plan reports are coming in: some await the head, one is a draft.
    states = Counter(Report.objects.filter(period__month=last).values_list("status", flat=True))
    assert states["submitted"] >= 3 and states["draft"] >= 1 and not states["approved"]
    earlier = Report.objects.filter(period__month__lt=last)
    assert earlier.exists() and not earlier.exclude(status="approved").exists()
    # Last month's return is submitted, and waits for 经济发展局's head.
    assert Submission.objects.get(period=last).status == "submitted"
    assert not Observation.objects.filter(period__gt=last_finished_month(last)).exists()


def _figures_plausible(closed: dt.date) -> None:
    """No growth outside a plausible band for the zone and its areas, no park leaping from year to
    year, and no rate or share above 100 %."""
    kinds = dict(Indicator.objects.values_list("pk", "kind"))
    values = {
        (o.indicator_id, o.org_unit_id, o.period): o
        for o in Observation.objects.filter(period__lte=closed).select_related("org_unit")
    }
    for (indicator_id, unit_id, period), obs in values.items():
        if kinds[indicator_id] in {"rate", "ratio"}:
            assert Decimal(0) <= obs.ytd_value <= 100, (obs.indicator_id, period, obs.ytd_value)
            continue
        if obs.growth is not None:
            assert Decimal(-25) < obs.growth < Decimal(40), (obs.indicator_id, period, obs.growth)
        before = values.get((indicator_id, unit_id, period.replace(year=period.year - 1)))
        if before is None or not before.ytd_value or period.month != 12:
            continue
        change = (obs.ytd_value / before.ytd_value - 1) * 100
        bound = 60 if obs.org_unit.kind == "zone" and kinds[indicator_id] == "flow" else 40
        assert abs(change) < bound, (indicator_id, unit_id, period, change)
    for year in range(2023, closed.year + 1):
        result = statistics(year, "kind", min_total=Decimal(5000))
        assert result.start_rate is not None and result.start_rate <= 100, year
        assert result.industrial_share is not None and 60 <= result.industrial_share <= 85, year
        rates = metrics.metrics(year=year, by="month")["total"].rates
        assert all(r is None or 0 <= r <= 100 for r in rates.values()), (year, rates)


def _work_due_around_today(day: dt.date) -> None:
    cal = calendar()
    kinds = ["service_request", "hazard"]
    items = Item.objects.filter(kind__in=kinds)
    late = list(items.filter(closed_at__isnull=True, due_on__lt=day))
    worst = max((cal.between(i.due_on, day) for i in late), default=0)
    assert worst <= MOST_OVERDUE, [(i.title, i.due_on) for i in late]
    assert len(late) <= max(LATE_SHARE * items.count(), 3), [(i.title, i.due_on) for i in late]
    assert items.filter(closed_at__isnull=True).exists()
    unread = Counter(Notification.objects.filter(read_at__isnull=True).values_list("user_id", flat=True))
    assert unread and max(unread.values()) <= MOST_UNREAD, unread


def _modules_alive(day: dt.date, last: dt.date) -> None:
    """This year's and last month's work exists in every module."""
    assert MonthlyReport.objects.filter(month=last).count() > 50
    assert not MonthlyReport.objects.filter(month__gt=last).exists()
    held = registry_statistics(day=day, year=day.year).totals
    assert held["high_tech"]["held"] > 845 and held["srdi"]["held"] > 300
    assert metrics.metrics(year=last.year, by="month")["total"].counts["total"] >= 5
