"""The statistics-bureau workbook: title row, 本月/累计/同比增长% columns, units in cells, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinqu.indicators.imports import indicator_values_import
from xinqu.indicators.models import Submission, SubmissionValue

from .conftest import make_indicator

D = Decimal
HEADER = ["指标名称", "计量单位", "本月", "1-N月累计", "同比增长（%）"]


def _run(actor, file, dry_run=False, **options):
    return indicator_values_import(actor=actor, file=file, dry_run=dry_run, **options)


def test_a_published_table_imports_into_the_draft(db, units, output, gdp, econ_staff, xlsx):
    file = xlsx(
        [
            HEADER,
            ["规上工业总产值", "亿元", "65.5", "1,234.5亿元", "8.7%"],
            ["地区生产总值", "亿元", None, "913", 7.2],
        ],
        title="2024年1-3月长春新区主要经济指标",
    )
    dry = _run(econ_staff, file, dry_run=True, period="2024-03", org_unit=units["zone"].pk)
    assert dry.ok and dry.created == 2 and not SubmissionValue.objects.exists()
    assert not Submission.objects.exists()
    file.seek(0)
    report = _run(econ_staff, file, period="2024-03", org_unit=units["zone"].pk)
    assert report.ok and report.created == 2
    submission = Submission.objects.get()
    assert (submission.period, submission.status) == (dt.date(2024, 3, 1), "draft")
    values = {v.indicator.code: v for v in submission.values.select_related("indicator")}
    assert values["industrial_output"].ytd_value == D("1234.5")
    assert values["industrial_output"].period_value == D("65.5")
    assert values["industrial_output"].growth == D("8.7")
    assert values["gdp"].growth == D("7.2")
    file.seek(0)
    again = _run(econ_staff, file, period="2024-03", org_unit=units["zone"].pk)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_place_and_period_columns_and_unit_conversion(db, units, output, econ_staff, xlsx):
    file = xlsx(
        [
            ["指标", "单位", "地区", "期间", "累计"],
            ["规上工业总产值", "万元", "高新区", "2024年1-5月", "1,200,000"],
            ["规上工业总产值", "亿元", "北湖区", "2024-04", "80"],
        ]
    )
    report = _run(econ_staff, file)
    assert report.ok, report.errors
    assert {
        (s.period.month, format(v.ytd_value.normalize(), "f"))
        for s in Submission.objects.all()
        for v in s.values.all()
    } == {
        (5, "120"),
        (4, "80"),
    }


def test_every_bad_row_is_reported_and_nothing_is_written(db, units, output, gdp, econ_staff, invest, xlsx):
    make_indicator(invest, "capital", name="实际利用内资")
    file = xlsx(
        [
            [*HEADER, "地区", "期间"],
            ["规上工业产值", "亿元", None, "100", None, "新区", "2024-03"],  # unknown name
            ["规上工业总产值", "亿元", None, "1,23", None, "长春新区", "2024-03"],  # ambiguous separator
            ["规上工业总产值", "亿元", None, "100", None, "长春新区", "2999-01"],  # future
            ["实际利用内资", "亿元", None, "100", None, "长春新区", "2024-03"],  # another department's
            ["规上工业总产值", "个", None, "100", None, "长春新区", "2024-03"],  # wrong unit
            ["地区生产总值", "亿元", None, "100", None, "长智光谷", "2024-03"],  # GDP stops at areas
            ["规上工业总产值", "亿元", None, "100", "7.2%", "长春新区", "2024-03"],  # fine
            ["规上工业总产值", "亿元", None, "101", None, "长春新区", "2024-03"],  # duplicate of the above
            ["规上工业总产值", "亿元", None, "abc", None, "长春新区", "2024-03"],  # text
        ]
    )
    report = _run(econ_staff, file)
    assert not report.ok and report.error_count == 8
    reasons = [e.reason for e in report.errors]
    assert "您是不是要找：规上工业总产值" in reasons[0]
    assert "千位分隔符" in reasons[1]
    assert "尚未结束" in reasons[2]
    assert "经济发展局" not in reasons[3] and "招商局填报" in reasons[3]
    assert "计量单位" in reasons[4] or "不一致" in reasons[4]
    assert "只填报到" in reasons[5]
    assert "重复" in reasons[6]
    assert "不是数字" in reasons[7]
    assert report.errors[7].row == 10  # row numbers are the sheet's, header included
    assert not Submission.objects.exists() and not SubmissionValue.objects.exists()


def test_a_submitted_return_is_not_overwritten_by_an_import(db, units, output, econ_staff, xlsx):
    from xinqu.indicators import services

    submission = services.submission_for(actor=econ_staff, period=dt.date(2024, 3, 1))
    services.submission_values_save(
        actor=econ_staff,
        submission=submission,
        values=[services.ValueInput(output, units["zone"], ytd_value=D("1"))],
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    file = xlsx([HEADER, ["规上工业总产值", "亿元", None, "2", None]])
    report = _run(econ_staff, file, period="2024-03", org_unit=units["zone"].pk)
    assert not report.ok and "待审核" in report.errors[0].reason
    assert SubmissionValue.objects.get().ytd_value == D("1")


def test_missing_place_is_asked_for(db, units, output, econ_staff, xlsx):
    report = _run(econ_staff, xlsx([HEADER, ["规上工业总产值", "亿元", None, "2", None]]), period="2024-03")
    assert not report.ok and "地区" in report.errors[0].reason
