"""Warnings the submitter must confirm: out of the historical band, a falling year-to-date, a growth
rate that does not match the values, parts that do not add up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xinqu.indicators import services
from xinqu.indicators.checks import warning_text
from xinqu.indicators.services import ValueInput

D = Decimal
MAY = dt.date(2024, 5, 1)


def _enter(clerk, values, period=MAY):
    submission = services.submission_for(actor=clerk, period=period)
    services.submission_values_save(actor=clerk, submission=submission, values=values)
    return submission


def _codes(submission):
    return {code for v in submission.values.all() for code in [w["code"] for w in v.warnings]}


def test_a_value_far_outside_the_same_month_of_past_years_is_flagged(db, units, output, econ_staff, observe):
    zone = units["zone"]
    for year, value in ((2021, 300), (2022, 320), (2023, 350)):
        observe(output, zone, dt.date(year, 5, 1), value)
    fine = _enter(econ_staff, [ValueInput(output, zone, ytd_value=D("380"))])
    assert _codes(fine) == set()
    services.submission_values_save(
        actor=econ_staff, submission=fine, values=[ValueInput(output, zone, ytd_value=D("3800"))]
    )
    value = fine.values.get()
    assert [w["code"] for w in value.warnings] == ["band"]
    assert "超出往年同期" in warning_text(value.warnings[0])


def test_a_year_to_date_below_last_month_is_flagged(db, units, output, econ_staff, observe):
    observe(output, units["zone"], dt.date(2024, 4, 1), 300)
    submission = _enter(econ_staff, [ValueInput(output, units["zone"], ytd_value=D("290"))])
    assert _codes(submission) == {"ytd_decreased"}


def test_a_growth_rate_that_the_values_do_not_give_is_flagged(db, units, output, econ_staff, observe):
    observe(output, units["zone"], dt.date(2023, 5, 1), 100)
    good = _enter(econ_staff, [ValueInput(output, units["zone"], ytd_value=D("107.2"), growth=D("7.2"))])
    assert _codes(good) == set()
    services.submission_values_save(
        actor=econ_staff,
        submission=good,
        values=[ValueInput(output, units["zone"], ytd_value=D("107.2"), growth=D("12"))],
    )
    assert _codes(good) == {"growth_mismatch"}


def test_reported_real_growth_is_not_checked_against_nominal_values(db, units, gdp, econ_staff, observe):
    observe(gdp, units["zone"], dt.date(2023, 3, 1), 100)
    submission = _enter(
        econ_staff,
        [ValueInput(gdp, units["zone"], ytd_value=D("110"), growth=D("5.1"))],
        period=dt.date(2024, 3, 1),
    )
    assert _codes(submission) == set()


def test_areas_that_do_not_add_up_to_the_zone_are_flagged(db, units, output, econ_staff):
    values = [
        ValueInput(output, units["zone"], ytd_value=D("100")),
        ValueInput(output, units["gaoxin"], ytd_value=D("60")),
        ValueInput(output, units["beihu"], ytd_value=D("30")),
    ]
    submission = _enter(econ_staff, values)
    assert _codes(submission) == {"parts_sum"}
    services.submission_values_save(
        actor=econ_staff,
        submission=submission,
        values=[ValueInput(output, units["beihu"], ytd_value=D("40"))],
    )
    assert _codes(submission) == set()
    services.submission_values_save(
        actor=econ_staff,
        submission=submission,
        values=[ValueInput(output, units["optics"], ytd_value=D("70"))],  # a park above its area
    )
    assert _codes(submission) == {"parts_exceed"}


def test_warnings_must_be_confirmed_before_submitting(db, units, output, econ_staff, observe):
    observe(output, units["zone"], dt.date(2024, 4, 1), 300)
    submission = _enter(econ_staff, [ValueInput(output, units["zone"], ytd_value=D("290"))])
    with pytest.raises(ValidationError, match="需要核实"):
        services.submission_submit(actor=econ_staff, submission=submission)
    submission.refresh_from_db()
    assert submission.status == "draft"
    services.submission_submit(actor=econ_staff, submission=submission, confirm_warnings=True)
    assert submission.values.get().confirmed_by == econ_staff


def test_the_confirmation_counts_the_warnings_it_confirms(db, units, output, econ_staff, observe, as_user):
    """One value with two warnings: the box says 1 value and 2 warnings, not "以上 1 条提示"."""
    observe(output, units["zone"], dt.date(2024, 4, 1), 300)
    observe(output, units["zone"], dt.date(2023, 5, 1), 100)
    submission = _enter(econ_staff, [ValueInput(output, units["zone"], ytd_value=D("290"), growth=D("12"))])
    assert _codes(submission) >= {"ytd_decreased", "growth_mismatch"}
    shown = len(submission.values.get().warnings)
    page = as_user(econ_staff).get(f"/indicators/returns/{submission.pk}/").content.decode()
    assert f"以上 1 个数值的 {shown} 条提示我已逐条核实" in page
    assert page.count('class="text-warning warning"') == shown
