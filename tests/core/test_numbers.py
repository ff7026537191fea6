from decimal import Decimal

import pytest

from xinqu.core.numbers import amount, growth, parse_number, parse_percent, points


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,234.5亿元", "亿元", Decimal("1234.5")),
        ("1,234.5", "亿元", Decimal("1234.5")),
        ("１，２３４．５", "亿元", Decimal("1234.5")),  # full-width, as WPS on a Chinese IME types it
        ("12,345万元", "亿元", Decimal("1.2345")),  # converts exactly within the yuan family
        ("119万平方米", "万平方米", Decimal("119")),
        ("−3.2", "亿元", Decimal("-3.2")),
        (" 913 ", "亿元", Decimal("913")),
        (905.4, "亿元", Decimal("905.4")),
        (10366, "套", Decimal("10366")),
        ("—", "亿元", None),
        ("", "亿元", None),
        (None, "亿元", None),
    ],
)
def test_numbers_are_read_as_statistics_tables_write_them(text, unit, expected):
    assert parse_number(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1,23", "亿元", "千位分隔符"),
        ("1.234,5", "亿元", "不是数字"),
        ("12个", "亿元", "不一致"),
        ("12万美元", "亿元", "不一致"),
        ("约100", "亿元", "不是数字"),
        ("亿元", "亿元", "没有数字"),
        ("7.2%", "亿元", "不一致"),
    ],
)
def test_ambiguous_numbers_are_refused_with_a_reason(text, unit, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text, unit)


def test_percentages_accept_the_sign_or_not():
    assert parse_percent("7.2%") == Decimal("7.2")
    assert parse_percent("-3.1") == Decimal("-3.1")
    assert parse_percent(None) is None
    with pytest.raises(ValueError):
        parse_percent("7.2亿元")


def test_formatting_speaks_like_a_briefing():
    assert amount(Decimal("1234567.891"), 1) == "1,234,567.9"
    assert amount(None) == "–"
    assert growth(Decimal("7.2")) == "增长 7.2%"
    assert growth(Decimal("-3.14")) == "下降 3.1%"
    assert growth(Decimal("0.04")) == "持平"
    assert points(Decimal("-2.35")) == "落后 2.4 个百分点"
    assert points(Decimal("1")) == "超 1.0 个百分点"
