"""Fed figures: an indicator whose values come from another module's feed is never typed; closing
a month writes its value; a month not yet closed shows it computed live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xinqu.core import services as core_services
from xinqu.core.feeds import FEEDS, Fed, Feed, Record
from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.indicators import services
from xinqu.indicators.models import Indicator, Observation
from xinqu.indicators.selectors import overview

from .conftest import make_indicator

D = Decimal


@pytest.fixture
def counted(monkeypatch):
    """A module's feed whose count a test moves: ``counted["n"]``."""
    state = {"n": D(40), "asked": []}

    def compute(year, as_of):
        state["asked"].append(as_of)
        return Fed(state["n"], [Record("甲企业", "/enterprises/1/", "2026-03-01")], 1)

    monkeypatch.setitem(FEEDS, "test.enterprises", Feed("test.enterprises", "测试企业数", "户", compute))
    return state


@pytest.fixture
def fed(db, econ, counted):
    return make_indicator(
        econ,
        "held",
        name="测试企业数",
        unit="户",
        feed="test.enterprises",
        lowest_level="zone",
        kind="stock",
        cumulative=False,
    )


@pytest.fixture
def stats_staff(make_user):
    return make_user("stats-staff", Role.STAFF, Department.objects.create(code="stats", name="统计局"))


def test_a_fed_figure_is_written_when_its_month_closes_and_live_before(
    fed, counted, units, leader, stats_staff
):
    zone = units["zone"]
    today = dt.date(2026, 12, 2)
    core_services.period_close(actor=stats_staff, month=dt.date(2026, 10, 1), today=today)
    written = Observation.objects.get(indicator=fed, org_unit=zone, period=dt.date(2026, 10, 1))
    assert written.ytd_value == D(40) and counted["asked"][-1] == dt.date(2026, 10, 31)
    counted["n"] = D(44)
    # The closed month keeps what was written; the open month shows the feed's value now.
    october = next(
        r for r in overview(user=leader, unit=zone, period=dt.date(2026, 10, 1)) if r.indicator == fed
    )
    november = next(
        r for r in overview(user=leader, unit=zone, period=dt.date(2026, 11, 1)) if r.indicator == fed
    )
    assert (october.value, october.live) == (D(40), False)
    assert (november.value, november.live) == (D(44), True)
    # Closing November writes 44; a correction to October comes in when it is reopened and closed again.
    core_services.period_close(actor=stats_staff, month=dt.date(2026, 11, 1), today=today)
    assert Observation.objects.get(indicator=fed, period=dt.date(2026, 11, 1)).ytd_value == D(44)


def test_a_fed_figure_is_never_typed(fed, units, econ_staff):
    submission = services.submission_for(actor=econ_staff, period=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as caught:
        services.submission_values_save(
            actor=econ_staff,
            submission=submission,
            values=[services.ValueInput(indicator=fed, org_unit=units["zone"], ytd_value=D(50))],
        )
    assert "自动取数，不填报" in str(caught.value)
    assert not submission.values.exists()


def test_a_feed_must_match_the_figure(db, econ, econ_head, counted):
    with pytest.raises(ValidationError, match="计量单位应与数据来源一致"):
        services.indicator_save(
            actor=econ_head,
            code="bad",
            name="错单位",
            unit="个",
            feed="test.enterprises",
            lowest_level="zone",
        )
    with pytest.raises(ValidationError, match="只到新区一级"):
        services.indicator_save(
            actor=econ_head,
            code="bad",
            name="错层级",
            unit="户",
            feed="test.enterprises",
            lowest_level="area",
        )
    with pytest.raises(ValidationError, match="没有这个数据来源"):
        services.indicator_save(
            actor=econ_head, code="bad", name="无来源", unit="户", feed="nowhere.count", lowest_level="zone"
        )
    assert not Indicator.objects.filter(code="bad").exists()


def test_a_fed_figure_names_its_source_and_the_records_behind_it(fed, units, leader, as_user):
    page = as_user(leader).get(f"/indicators/{fed.code}/?unit={units['zone'].pk}&period=2026-11")
    body = page.content.decode()
    assert page.status_code == 200
    assert "数据来源：测试企业数" in body and 'href="/enterprises/1/"' in body and "甲企业" in body
