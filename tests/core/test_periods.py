"""The zone's reporting period: the statistics office closes months in order; every page
defaults to the latest closed month and says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinqu.core import periods, services
from xinqu.core.models import AuditEntry, ClosedMonth, Department
from xinqu.core.roles import Role


@pytest.fixture
def stats(db):
    return Department.objects.create(code="stats", name="统计局")


@pytest.fixture
def stats_staff(make_user, stats):
    return make_user("stats-staff", Role.STAFF, stats)


@pytest.fixture
def stats_head(make_user, stats):
    return make_user("stats-head", Role.HEAD, stats)


def test_months_close_in_order_and_set_the_period(stats_staff, stats_head, econ_staff):
    today = dt.date(2026, 12, 2)
    # Nothing closed yet: the last finished month stands in, marked as not closed.
    assert periods.reporting_period(today) == periods.ReportingPeriod(dt.date(2026, 11, 1), False)
    with pytest.raises(PermissionDenied):
        services.period_close(actor=econ_staff, month=dt.date(2026, 10, 1), today=today)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.period_close(actor=stats_staff, month=dt.date(2026, 12, 1), today=today)
    services.period_close(actor=stats_staff, month=dt.date(2026, 9, 1), today=today)
    with pytest.raises(ValidationError, match="下一个应关账的是 2026-10"):
        services.period_close(actor=stats_staff, month=dt.date(2026, 11, 1), today=today)
    services.period_close(actor=stats_staff, month=dt.date(2026, 10, 1), today=today)
    current = periods.reporting_period(today)
    assert (current.month, current.closed, current.label, current.end) == (
        dt.date(2026, 10, 1),
        True,
        "2026年10月",
        dt.date(2026, 10, 31),
    )
    assert periods.month_in(2026, today) == 10
    assert (periods.month_in(2025, today), periods.month_in(2027, today)) == (12, 1)
    # Only the head reopens, the latest month only; every step is audited.
    with pytest.raises(PermissionDenied):
        services.period_reopen(actor=stats_staff)
    services.period_reopen(actor=stats_head)
    assert periods.current_period(today) == dt.date(2026, 9, 1)
    assert AuditEntry.objects.filter(object_type="core.ClosedMonth").count() == 3


def test_every_page_shows_the_period_and_defaults_to_it(stats_staff, leader, as_user, zone):
    services.period_close(actor=stats_staff, month=dt.date(2024, 4, 1))
    client = as_user(leader)
    home = client.get("/", follow=True).content.decode()  # a leader's home is the cockpit
    assert 'id="reporting-period"' in home and "2024年4月" in home
    assert "2024-04" in client.get("/indicators/").content.decode()
    statistics = client.get("/enterprises/statistics/").content.decode()
    assert 'value="2024-04-30"' in statistics  # the end of the period, not today
    metrics = client.get("/service-requests/metrics/").content.decode()
    assert 'id="m-year" value="2024"' in metrics and "2024年1—4月" in metrics
    body = client.get("/api/v1/reporting-period").json()
    assert (body["month"], body["closed"], body["closed_months"]) == ("2024-04", True, ["2024-04"])
    assert client.get("/api/v1/indicators-overview").json()["period"] == "2024-04-01"


def test_the_statistics_office_closes_through_the_page_and_the_api(stats_staff, stats_head, leader, as_user):
    page = as_user(stats_staff).get("/periods/").content.decode()
    assert 'id="close-month"' in page and 'id="reopen-month"' not in page
    last = periods.last_finished_month()
    as_user(stats_staff).post("/periods/", {"month": f"{last:%Y-%m}"})
    assert ClosedMonth.objects.get().month == last
    # A leader reads the period but may not close one: the answer says why, nothing changes.
    refused = as_user(leader).post(
        "/api/v1/reporting-period/close", {"month": "2020-01"}, content_type="application/json"
    )
    assert refused.status_code == 403 and ClosedMonth.objects.count() == 1
    bad = as_user(stats_staff).post(
        "/api/v1/reporting-period/close", {"month": "2020-13"}, content_type="application/json"
    )
    assert bad.status_code in (400, 422) and ClosedMonth.objects.count() == 1
    assert 'id="reopen-month"' in as_user(stats_head).get("/periods/").content.decode()
    reopened = as_user(stats_head).post(
        "/api/v1/reporting-period/reopen", {}, content_type="application/json"
    )
    assert reopened.status_code == 200 and reopened.json()["closed"] is False
