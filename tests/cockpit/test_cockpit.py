"""The cockpit: a leader's home, its scope (zone or area, a reporting month), and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from xinqu.core import services as core_services
from xinqu.core.models import ClosedMonth
from xinqu.core.periods import last_finished_month
from xinqu.core.roles import Role

pytestmark = pytest.mark.django_db


def test_a_leaders_home_is_the_cockpit_and_every_business_role_reaches_it(as_user, leader, econ_staff, zone):
    assert as_user(leader).get("/")["Location"] == "/cockpit/"
    assert as_user(econ_staff).get("/").status_code == 200
    page = as_user(econ_staff).get("/cockpit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-tile="safety"' in body and 'data-tile="enterprises"' in body


def test_administrators_do_not_see_the_cockpit(as_user, sysadmin, zone):
    assert as_user(sysadmin).get("/cockpit/").status_code == 403
    assert as_user(sysadmin).get("/api/v1/cockpit").status_code == 403


def test_it_shows_the_current_reporting_period_and_says_so(as_user, leader, zone):
    answer = as_user(leader).get("/api/v1/cockpit").json()
    stand_in = last_finished_month()
    assert (answer["period"], answer["closed"]) == (f"{stand_in:%Y-%m}", False)
    earlier = (stand_in - dt.timedelta(days=1)).replace(day=1)
    ClosedMonth.objects.create(month=earlier, closed_by=leader)
    answer = as_user(leader).get("/api/v1/cockpit").json()
    assert (answer["period"], answer["closed"]) == (f"{earlier:%Y-%m}", True), "the latest closed month"
    refused = as_user(leader).get(f"/api/v1/cockpit?period={stand_in:%Y-%m}")
    assert refused.status_code == 400 and "尚未结束统计" in refused.json()["detail"]
    page = as_user(leader).get(f"/cockpit/?period={earlier:%Y-%m}").content.decode()
    assert f"{earlier.year}年{earlier.month}月末" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2099-01", "尚未结束统计"),
        ("period=2001-01", "不是已关账的统计月份"),
        ("period=June", "YYYY-MM"),
        ("unit=nowhere", "没有这个区域"),
    ],
)
def test_a_month_or_area_it_cannot_show_is_refused_with_a_reason(as_user, leader, zone, query, message):
    answer = as_user(leader).get(f"/api/v1/cockpit?{query}")
    assert answer.status_code == 400 and message in answer.json()["detail"]
    assert as_user(leader).get(f"/cockpit/?{query}").status_code == 400


def test_an_areas_cockpit_shows_only_the_tiles_that_split_by_area(as_user, leader, zone):
    keys = {t["key"] for t in as_user(leader).get("/api/v1/cockpit?unit=gaoxin").json()["tiles"]}
    assert "safety" not in keys and "investment" not in keys
    zone_keys = {t["key"] for t in as_user(leader).get("/api/v1/cockpit").json()["tiles"]}
    assert {"safety", "investment", "projects", "service_requests", "enterprises"} <= zone_keys


def test_the_cockpit_reads_in_english(as_user, leader, zone):
    client = as_user(leader)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/cockpit/").content.decode()
    for word in ("驾驶舱", "统计期", "预警", "招商引资", "安全生产", "企业诉求", "进入"):
        assert word not in body, word


def test_closing_a_month_moves_the_default(as_user, leader, make_user, zone):
    from xinqu.core.models import Department

    stats = Department.objects.create(code="stats", name="统计局")
    head = make_user("stats-head", Role.HEAD, stats)
    month = last_finished_month()
    core_services.period_close(actor=head, month=month)
    answer = as_user(leader).get("/api/v1/cockpit").json()
    assert (answer["period"], answer["closed"]) == (f"{month:%Y-%m}", True)
