"""A page that shows many figures reads each once (core.feeds.each_figure_once), and a feed's
records are listed only when a reader asks for them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xinqu.core import feeds
from xinqu.core.feeds import Fed, Feed, Record, each_figure_once, feed, once

DAY = dt.date(2026, 11, 30)


@pytest.fixture
def counting():
    calls: list[tuple[int, dt.date]] = []

    def compute(year: int, as_of: dt.date) -> Fed:
        calls.append((year, as_of))
        return Fed(Decimal(len(calls)))

    feeds.register_feed(Feed("test.counted", "test", "个", compute))
    yield calls
    feeds.FEEDS.pop("test.counted")


def test_outside_a_page_each_read_computes(counting):
    assert feed("test.counted").compute(2026, DAY).value == 1
    assert feed("test.counted").compute(2026, DAY).value == 2
    assert len(counting) == 2


def test_within_a_page_a_figure_is_computed_once_per_year_and_day(counting):
    with each_figure_once():
        first = feed("test.counted").compute(2026, DAY)
        again = feed("test.counted").compute(2026, DAY)
        other_day = feed("test.counted").compute(2026, DAY - dt.timedelta(days=30))
        with each_figure_once():  # a nested block shares the outer one's figures
            nested = feed("test.counted").compute(2026, DAY)
    assert first is again is nested
    assert other_day.value == 2
    assert counting == [(2026, DAY), (2026, DAY - dt.timedelta(days=30))]
    # The block is over: the next page computes afresh.
    assert feed("test.counted").compute(2026, DAY).value == 3


def test_once_shares_a_count_within_the_block_only():
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        return len(calls)

    with each_figure_once():
        assert once(("k", 1), count) == 1
        assert once(("k", 1), count) == 1
        assert once(("k", 2), count) == 2
    assert once(("k", 1), count) == 3


def test_records_are_listed_when_first_read():
    listed: list[int] = []

    def records() -> list[Record]:
        listed.append(1)
        return [Record("一", "/a/")]

    fed = Fed(Decimal(1), records, 1)
    assert listed == []
    assert [r.label for r in fed.records] == ["一"]
    assert [r.label for r in fed.records] == ["一"]
    assert listed == [1]
    assert Fed(Decimal(0)).records == []
