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


def test_briefing_phrases_follow_the_settled_wording():
    from xinqu.core.numbers import (
        Growth,
        growth_phrase,
        pull,
        pull_phrase,
        rank_phrase,
        reference_phrase,
        trend_phrase,
        two_year_phrase,
        year_on_year,
        yuan,
    )

    # 亿元 from one 亿 up, two decimals, half up.
    assert yuan(Decimal("9130000"), "万元") == "913.00亿元"
    assert yuan(Decimal("2615"), "万元") == "2,615.00万元"
    assert yuan(Decimal("913"), "亿元") == "913.00亿元"
    assert yuan(Decimal("0.005"), "亿元") == "50.00万元"
    assert yuan(Decimal("12345.675"), "万元") == "1.23亿元"
    assert yuan(Decimal("1234567.5"), "元") == "123.46万元"  # 123.45675万元, half up
    assert yuan(None) == "–"
    # Growth, and 扭亏 on a negative base instead of a percentage.
    assert growth_phrase(year_on_year(Decimal(10), Decimal(-5))) == "扭亏"
    assert growth_phrase(Growth(Decimal("7.25"))) == "增长 7.3%"
    assert growth_phrase(year_on_year(Decimal(5), Decimal(0))) == ""
    assert rank_phrase(3, 10) == "排名第3（共10个）" and rank_phrase(None, 10) == ""
    assert reference_phrase(Decimal("1.25"), "全市") == "高于全市平均 1.3 个百分点"
    assert reference_phrase(Decimal("-0.4"), "全省") == "低于全省平均 0.4 个百分点"
    assert reference_phrase(Decimal("0.04"), "全市") == "与全市平均持平"
    assert trend_phrase(Decimal("0.3"), "上半年") == "较上半年回升 0.3 个百分点"
    assert trend_phrase(Decimal("-0.25"), "1—8月") == "较1—8月回落 0.3 个百分点"
    # 拉动: a part grew by 18 on a whole of 1,000 a year ago → 1.8 百分点 of its growth.
    assert pull_phrase(pull(Decimal(18), Decimal(1000))) == "拉动增长 1.8 个百分点"
    assert pull_phrase(pull(Decimal(-6), Decimal(1000))) == "下拉 0.6 个百分点"
    assert pull(Decimal(1), Decimal(0)) is None
    assert two_year_phrase(Decimal("5.05")) == "两年平均增长 5.1%"
    assert two_year_phrase(Decimal("-0.8")) == "两年平均下降 0.8%"
