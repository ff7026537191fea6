"""The overview: completion, time-elapsed progress (months, phasing or the seasonal profile), gap,
direction-aware lights, growth targets, rankings and derived indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xinqu.indicators import services
from xinqu.indicators.models import Indicator, Observation, Target
from xinqu.indicators.selectors import benchmark, breakdown, light_rule, overview

from .conftest import make_indicator

D = Decimal
MAY = dt.date(2024, 5, 1)


def _target(indicator, unit, user, **fields):
    return Target.objects.create(indicator=indicator, org_unit=unit, year=2024, updated_by=user, **fields)


def _row(user, unit, code, period=MAY):
    return next(r for r in overview(user=user, unit=unit, period=period) if r.indicator.code == code)


def test_completion_against_months_elapsed(db, units, output, leader, econ_head, observe):
    zone = units["zone"]
    observe(output, zone, MAY, 380)
    observe(output, zone, dt.date(2023, 5, 1), 350)
    _target(output, zone, econ_head, value=D("1000"))
    row = _row(leader, zone, "industrial_output")
    assert row.completion == D("38.0")
    assert (row.time_progress, row.progress_basis) == (D("41.7"), "months")
    assert row.gap == D("-3.7")
    assert row.light == "yellow"  # 3.7 points behind: more than 0, not more than 5
    assert row.growth == D("8.6") and row.growth_computed
    assert "落后序时进度不超过" in row.rule


def test_phasing_overrides_months_elapsed(db, units, output, leader, econ_head, observe):
    observe(output, units["zone"], MAY, 380)
    phasing = [0, 10, 18, 27, 36, 45, 54, 63, 72, 81, 90, 100]
    _target(output, units["zone"], econ_head, value=D("1000"), phasing=phasing)
    row = _row(leader, units["zone"], "industrial_output")
    assert (row.time_progress, row.progress_basis, row.light) == (D("36.0"), "phasing", "green")


def test_seasonal_profile_from_three_years(db, units, output, leader, econ_head, observe):
    zone = units["zone"]
    for year, may, december in ((2021, 30, 100), (2022, 33, 110), (2023, 36, 120)):
        observe(output, zone, dt.date(year, 5, 1), may)
        observe(output, zone, dt.date(year, 12, 1), december)
    observe(output, zone, MAY, 100)
    _target(output, zone, econ_head, value=D("400"))
    row = _row(leader, zone, "industrial_output")
    # The usual convention unless the statistics office turns the profile on: 5 ÷ 12 = 41.7.
    assert (row.time_progress, row.progress_basis, row.gap) == (D("41.7"), "months", D("-16.7"))
    output.seasonal_progress = True
    output.save()
    row = _row(leader, zone, "industrial_output")
    # (30 + 33 + 36) / (100 + 110 + 120) = 30 %: completion 25 % is 5 points behind → yellow.
    assert (row.time_progress, row.progress_basis) == (D("30.0"), "seasonal")
    assert (row.gap, row.light) == (D("-5.0"), "yellow")


def test_two_years_of_history_are_not_enough_for_a_profile(db, units, output, leader, econ_head, observe):
    output.seasonal_progress = True
    output.save()
    zone = units["zone"]
    for year in (2022, 2023):
        observe(output, zone, dt.date(year, 5, 1), 30)
        observe(output, zone, dt.date(year, 12, 1), 100)
    observe(output, zone, MAY, 100)
    _target(output, zone, econ_head, value=D("400"))
    assert _row(leader, zone, "industrial_output").progress_basis == "months"


def test_lower_is_better_reverses_the_light(db, units, econ, leader, econ_head, observe):
    energy = make_indicator(econ, "energy", name="综合能耗", unit="万吨标准煤", direction="lower")
    observe(energy, units["zone"], MAY, 60)
    _target(energy, units["zone"], econ_head, value=D("100"))
    row = _row(leader, units["zone"], "energy")
    assert row.gap == D("18.3") and row.light == "red"  # using energy far ahead of the calendar


def test_growth_target_compares_rate_with_rate_and_reported_growth_is_kept(
    db, units, gdp, leader, econ_head, observe
):
    zone = units["zone"]
    observe(gdp, zone, dt.date(2024, 3, 1), 200, growth=D("6.6"))
    observe(gdp, zone, dt.date(2023, 3, 1), 180)  # nominal +11.1 %: must not replace the reported 6.6
    _target(gdp, zone, econ_head, growth=D("7.5"))
    row = _row(leader, zone, "gdp")  # a quarterly indicator in May shows 1-3月
    assert row.period == dt.date(2024, 3, 1)
    assert (row.growth, row.growth_computed) == (D("6.60"), False)
    assert row.growth_gap == D("-0.9") and row.light == "yellow"
    assert row.completion is None


def test_the_worse_of_two_lights_wins(db, units, output, leader, econ_head, observe):
    zone = units["zone"]
    observe(output, zone, MAY, 450)
    observe(output, zone, dt.date(2023, 5, 1), 440)
    _target(output, zone, econ_head, value=D("1000"), growth=D("10"))
    row = _row(leader, zone, "industrial_output")
    assert row.gap > 0 and row.growth_gap < D("-2")
    assert row.light == "red"


def test_a_gap_shown_as_flat_is_green(db, units, output, leader, econ_head, observe):
    observe(output, units["zone"], MAY, D("416.6"))  # 41.66 % of the target against 41.67 % of the year
    _target(output, units["zone"], econ_head, value=D("1000"))
    row = _row(leader, units["zone"], "industrial_output")
    assert (row.completion, row.time_progress, row.gap, row.light) == (
        D("41.7"),
        D("41.7"),
        D("0.0"),
        "green",
    )


def test_without_a_target_there_is_no_light(db, units, output, leader, observe):
    observe(output, units["zone"], MAY, 380)
    row = _row(leader, units["zone"], "industrial_output")
    assert row.value == D("380") and row.light is None and row.completion is None


def test_units_are_ranked_and_those_without_a_target_are_not(
    db, units, output, econ_head, observe, make_user
):
    from xinqu.core.models import OrgUnit

    linkong = OrgUnit.objects.create(
        kind="area", code="linkong", name="临空区", parent=units["zone"], sort_order=3
    )
    for unit, value, last in ((units["gaoxin"], 200, 180), (units["beihu"], 200, 150), (linkong, 300, 200)):
        observe(output, unit, MAY, value)
        observe(output, unit, dt.date(2023, 5, 1), last)
    _target(output, units["gaoxin"], econ_head, value=D("500"))
    _target(output, units["beihu"], econ_head, value=D("500"))
    _total, rows = breakdown(indicator=output, parent=units["zone"], period=MAY)
    by_code = {r.unit.code: r for r in rows}
    assert (by_code["gaoxin"].value_rank, by_code["beihu"].value_rank) == (1, 1)  # a tie shares the place
    assert (by_code["gaoxin"].growth_rank, by_code["beihu"].growth_rank) == (2, 1)
    assert by_code["linkong"].value_rank is None and by_code["linkong"].light is None


def test_a_derived_indicator_is_computed_from_its_operands(db, units, econ, leader, observe):
    started = make_indicator(econ, "projects", name="开复工项目投资")
    industrial = make_indicator(econ, "industrial", name="产业项目投资")
    make_indicator(
        econ,
        "share",
        name="产业项目占比",
        unit="%",
        kind="ratio",
        formula="industrial / projects * 100",
        additive=False,
    )
    observe(started, units["zone"], MAY, D("98.6"))
    observe(industrial, units["zone"], MAY, D("75.23"))
    row = _row(leader, units["zone"], "share")
    assert row.value.quantize(D("0.1")) == D("76.3")
    assert row.growth is None  # the growth of a share means nothing
    _total, rows = breakdown(indicator=row.indicator, parent=units["zone"], period=MAY)
    assert [r.value for r in rows] == [None, None]


def test_confidential_indicators_are_hidden_from_other_departments(db, units, econ, invest_staff, econ_staff):
    make_indicator(econ, "secret", confidential=True)
    assert [r.indicator.code for r in overview(user=invest_staff, unit=units["zone"], period=MAY)] == []
    assert [r.indicator.code for r in overview(user=econ_staff, unit=units["zone"], period=MAY)] == ["secret"]


def test_benchmark_ranks_only_what_is_known_and_lists_the_rest(db, units, gdp, observe):
    from xinqu.indicators.models import PeerFigure, PeerZone

    figures = {
        "上海浦东新区": (16715, 4.8),
        "福州新区": (3127, None),
        "重庆两江新区": (None, 6.5),
        "哈尔滨新区": (None, None),
    }
    for name, (value, growth) in figures.items():
        peer = PeerZone.objects.create(name=name)
        PeerFigure.objects.create(peer=peer, indicator=gdp, year=2023, value=value, growth=growth)
    PeerZone.objects.create(name="长春新区", is_self=True)
    observe(gdp, units["zone"], dt.date(2023, 12, 1), 913, growth=D("7.2"))
    result = benchmark(indicator=gdp, year=2023, zone=units["zone"])
    me = result["self"]
    assert (me.value, me.value_rank, me.growth_rank) == (D("913"), 3, 1)
    assert (result["known_values"], result["known_growth"]) == (3, 3)
    assert result["missing"] == ["哈尔滨新区"]


def test_published_growth_stays_as_published(db, units, output, leader, observe):
    """经发局 published 9.1 % for 1-2月; the values alone would give 20.7 %: 9.1 is shown, unmarked."""
    zone = units["zone"]
    observe(output, zone, dt.date(2025, 2, 1), D("131.6"), growth=D("9.1"))
    observe(output, zone, dt.date(2024, 2, 1), D("109.0"))
    row = _row(leader, zone, "industrial_output", period=dt.date(2025, 2, 1))
    assert (row.growth, row.growth_computed) == (D("9.1"), False)
    # Where nothing was published, growth is computed and marked: 131.6 ÷ 109.0 − 1 = 20.7 %.
    observe(output, zone, dt.date(2025, 3, 1), D("200.0"))
    observe(output, zone, dt.date(2024, 3, 1), D("160.0"))
    row = _row(leader, zone, "industrial_output", period=dt.date(2025, 3, 1))
    assert (row.growth, row.growth_computed) == (D("25.0"), True)


def test_rounding_is_half_up(db, units, output, leader, econ_head, observe):
    observe(output, units["zone"], MAY, D("325"))
    _target(output, units["zone"], econ_head, value=D("400"))
    assert _row(leader, units["zone"], "industrial_output").completion == D("81.3")  # 81.25, not 81.2


def test_a_negative_base_gives_words_not_a_percentage(db, units, econ, leader, observe):
    profit = make_indicator(econ, "profit", name="规上工业利润", unit="亿元")
    zone = units["zone"]
    last = observe(profit, zone, dt.date(2023, 5, 1), D("-100"))
    this = observe(profit, zone, MAY, D("50"))
    for now, words in ((D("50"), "扭亏"), (D("-40"), "减亏"), (D("-130"), "增亏")):
        Observation.objects.filter(pk=this.pk).update(ytd_value=now)
        row = _row(leader, zone, "profit")
        assert (row.growth, row.growth_note) == (None, words), now
    Observation.objects.filter(pk=last.pk).update(ytd_value=D("0"))
    assert _row(leader, zone, "profit").growth_note == "—"


def test_a_rate_changes_in_points(db, units, econ, leader, observe):
    rate = make_indicator(econ, "rd_share", name="研发投入强度", unit="%", kind="rate", cumulative=False)
    observe(rate, units["zone"], MAY, D("3.3"))
    observe(rate, units["zone"], dt.date(2023, 5, 1), D("3.05"))
    row = _row(leader, units["zone"], "rd_share")
    assert (row.growth, row.change_pp) == (None, D("0.3"))  # 0.25 points, half up


def test_a_quarter_is_named_and_carried_forward(db, units, gdp, leader, observe):
    zone = units["zone"]
    observe(gdp, zone, dt.date(2024, 3, 1), 200, growth=D("6.6"))
    observe(gdp, zone, dt.date(2023, 3, 1), 188, growth=D("6.3"))
    row = _row(leader, zone, "gdp")  # asked for May
    assert (row.period_label, row.carried_label) == ("2024年一季度", "一季度数据")
    march = _row(leader, zone, "gdp", period=dt.date(2024, 3, 1))
    assert march.carried_label == ""
    # 两年平均增速 from the two published rates: √(1.066 × 1.063) − 1 = 6.4 %.
    assert row.two_year_growth == D("6.4")


def test_exports_round_as_the_page_does(db, units, output, leader, econ_head, observe):
    import io

    from openpyxl import load_workbook

    from xinqu.indicators.exports import overview_workbook

    observe(output, units["zone"], MAY, D("78.2577"))
    observe(output, units["zone"], dt.date(2023, 5, 1), D("70"))
    _target(output, units["zone"], econ_head, value=D("300"))
    rows = overview(user=leader, unit=units["zone"], period=MAY)
    sheet = load_workbook(io.BytesIO(overview_workbook(rows, units["zone"], MAY))).active
    cells = [c.value for c in sheet[2]]
    assert cells[3] == 78.3  # the value at the indicator's one decimal, not 78.2577
    assert cells[5] == 11.8 and "未公布增速" in cells[6]  # 78.2577 ÷ 70 − 1, computed and said so
    assert cells[9] == 26.1  # completion 26.09 %, half up


def test_a_rate_is_held_against_its_target_by_the_gap_in_points(db, units, econ, econ_head, leader, observe):
    """满意率 93.3 against 95 is 1.7 points short: not "98.2 % complete" and green."""
    rate = make_indicator(
        econ,
        "satisfaction",
        name="企业诉求满意率",
        unit="%",
        kind="rate",
        additive=False,
        jan_feb_combined=False,
    )
    observe(rate, units["zone"], MAY, D("93.3"))
    Target.objects.create(
        indicator=rate, org_unit=units["zone"], year=2024, value=D("95"), updated_by=econ_head
    )
    row = _row(leader, units["zone"], "satisfaction")
    assert (row.completion, row.time_progress, row.gap, row.progress_basis) == (None, None, D("-1.7"), "rate")
    assert row.light == "yellow"  # beyond 0 points short, within 2
    assert "百分点" in light_rule(rate) and "完成率" not in light_rule(rate).split("（")[0]


def test_a_figure_declares_its_kind_and_the_catalog_refuses_a_contradiction(db, econ, econ_head):
    base = {"code": "x_rate", "name": "某比率", "unit": "%", "additive": False}
    with pytest.raises(ValidationError, match="比率或比重"):
        services.indicator_save(actor=econ_head, **base, kind="flow")
    with pytest.raises(ValidationError, match="期末数"):
        services.indicator_save(actor=econ_head, code="x_stock", name="某存量", unit="户", kind="stock")
    with pytest.raises(ValidationError, match="单位应为"):
        services.indicator_save(
            actor=econ_head, code="x_r", name="某率", unit="户", kind="rate", additive=False
        )
    assert not Indicator.objects.filter(code__startswith="x_").exists()
    saved = services.indicator_save(actor=econ_head, **base, kind="rate")
    assert saved.is_rate and saved.measure == "rate"


def test_light_names_follow_the_language_of_the_reader() -> None:
    """The cockpit's alerts and the exports name lights in the page's language, not the import's."""
    from django.utils.translation import override

    from xinqu.indicators.selectors import LIGHTS

    with override("en"):
        assert [str(LIGHTS[k]) for k in ("green", "yellow", "red")] == ["Green", "Yellow", "Red"]
    with override("zh-hans"):
        assert str(LIGHTS["green"]) == "绿灯"
