"""Returns: draft → submitted → approved by the head; derivation of year-to-date and single-month
values; revisions; the refusals that leave everything as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinqu.core.models import AuditEntry, User
from xinqu.core.roles import Role
from xinqu.indicators import services
from xinqu.indicators.models import Observation, ObservationRevision, Submission, SubmissionValue
from xinqu.indicators.services import ValueInput

from .conftest import make_indicator

D = Decimal
FEB, MAR, APR = dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)


def _obs(indicator, unit, period):
    return Observation.objects.get(indicator=indicator, org_unit=unit, period=period)


def test_single_month_values_are_derived_from_year_to_date_and_marked(
    db, units, output, econ_staff, econ_head, approve
):
    zone = units["zone"]
    approve(econ_staff, econ_head, FEB, [ValueInput(output, zone, ytd_value=D("120"))])
    approve(econ_staff, econ_head, MAR, [ValueInput(output, zone, ytd_value=D("185.5"))])
    feb, mar = _obs(output, zone, FEB), _obs(output, zone, MAR)
    # 1-2月 is one combined release: its single-period value is the whole of it.
    assert (feb.period_value, feb.period_derived, feb.ytd_derived) == (D("120"), True, False)
    assert (mar.period_value, mar.period_derived) == (D("65.5"), True)


def test_year_to_date_is_derived_from_single_months(db, units, output, econ_staff, econ_head, approve):
    zone = units["zone"]
    approve(econ_staff, econ_head, FEB, [ValueInput(output, zone, period_value=D("100"))])
    approve(econ_staff, econ_head, MAR, [ValueInput(output, zone, period_value=D("60"))])
    mar = _obs(output, zone, MAR)
    assert (mar.ytd_value, mar.ytd_derived, mar.period_derived) == (D("160"), True, False)


def test_a_revision_keeps_history_and_rederives_the_following_month(
    db, units, output, econ_staff, econ_head, approve
):
    zone = units["zone"]
    approve(econ_staff, econ_head, FEB, [ValueInput(output, zone, ytd_value=D("120"))])
    approve(econ_staff, econ_head, MAR, [ValueInput(output, zone, ytd_value=D("185"))])
    approve(econ_staff, econ_head, FEB, [ValueInput(output, zone, ytd_value=D("125"), growth=D("8.1"))])
    feb, mar = _obs(output, zone, FEB), _obs(output, zone, MAR)
    assert (feb.ytd_value, feb.revision, feb.growth) == (D("125"), 1, D("8.1"))
    assert mar.period_value == D("60")  # 185 − 125, re-derived
    old = ObservationRevision.objects.get(observation=feb)
    assert (old.revision, old.ytd_value, old.replaced_by) == (0, D("120"), econ_head)
    assert AuditEntry.objects.filter(object_type="indicators.Observation", object_id=str(feb.pk)).count() == 2


def test_only_approved_values_become_observations(db, units, output, econ_staff, econ_head):
    submission = services.submission_for(actor=econ_staff, period=FEB)
    services.submission_values_save(
        actor=econ_staff, submission=submission, values=[ValueInput(output, units["zone"], ytd_value=D("1"))]
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    assert not Observation.objects.exists()
    services.submission_approve(actor=econ_head, submission=submission)
    assert Observation.objects.count() == 1


def test_head_of_another_department_or_the_clerk_cannot_approve(
    db, units, output, econ_staff, econ_head, make_user, invest
):
    other_head = make_user("invest-head", Role.HEAD, invest)
    submission = services.submission_for(actor=econ_staff, period=FEB)
    services.submission_values_save(
        actor=econ_staff, submission=submission, values=[ValueInput(output, units["zone"], ytd_value=D("1"))]
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    for user in (econ_staff, other_head):
        with pytest.raises(PermissionDenied):
            services.submission_approve(actor=user, submission=submission)
    assert Submission.objects.get().status == "submitted"
    assert not Observation.objects.exists()


def test_returning_needs_a_reason_and_reopens_the_draft(db, units, output, econ_staff, econ_head):
    submission = services.submission_for(actor=econ_staff, period=FEB)
    services.submission_values_save(
        actor=econ_staff, submission=submission, values=[ValueInput(output, units["zone"], ytd_value=D("1"))]
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    with pytest.raises(ValidationError):
        services.submission_return(actor=econ_head, submission=submission, reason="  ")
    services.submission_return(actor=econ_head, submission=submission, reason="累计值与统计局口径不符")
    submission.refresh_from_db()
    assert submission.status == "returned" and submission.is_editable


def test_work_arriving_is_told_a_submitted_return_to_the_head_a_returned_one_to_its_clerk(
    db, units, output, econ_staff, econ_head
):
    from xinqu.core.models import Notification

    submission = services.submission_for(actor=econ_staff, period=FEB)
    services.submission_values_save(
        actor=econ_staff, submission=submission, values=[ValueInput(output, units["zone"], ytd_value=D("1"))]
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    to_head = Notification.objects.get(user=econ_head)
    assert (
        "2024-02 经济指标填报待审核" in to_head.title
        and to_head.url == f"/indicators/returns/{submission.pk}/"
    )
    assert not Notification.objects.filter(user=econ_staff).exists()
    services.submission_return(actor=econ_head, submission=submission, reason="累计值与统计局口径不符")
    to_clerk = Notification.objects.get(user=econ_staff)
    assert "被退回" in to_clerk.title and to_clerk.body == "累计值与统计局口径不符"


@pytest.mark.parametrize(
    ("period", "setup", "message"),
    [
        (dt.date(2024, 1, 1), {}, "1-2月合并发布"),
        (dt.date(2024, 5, 1), {"frequency": "quarterly"}, "5月不发布"),
        (dt.date(2024, 5, 1), {"lowest_level": "area"}, "只填报到"),
        (dt.date(2024, 5, 1), {"formula": "a + b"}, "由公式计算"),
        (dt.date(2024, 5, 1), {"is_active": False}, "已停用"),
    ],
)
def test_values_the_catalog_does_not_expect_are_refused(db, units, econ, econ_staff, period, setup, message):
    indicator = make_indicator(econ, "x", **setup)
    submission = services.submission_for(actor=econ_staff, period=period)
    with pytest.raises(ValidationError, match=message):
        services.submission_values_save(
            actor=econ_staff,
            submission=submission,
            values=[ValueInput(indicator, units["optics"], ytd_value=D("1"))],
        )
    assert not SubmissionValue.objects.exists()


def test_a_value_for_another_departments_indicator_is_refused_and_nothing_is_written(
    db, units, output, invest_staff
):
    submission = services.submission_for(actor=invest_staff, period=FEB)
    mine = make_indicator(invest_staff.department, "capital")
    with pytest.raises(ValidationError, match="经济发展局填报"):
        services.submission_values_save(
            actor=invest_staff,
            submission=submission,
            values=[
                ValueInput(mine, units["zone"], ytd_value=D("5")),
                ValueInput(output, units["zone"], ytd_value=D("5")),
            ],
        )
    assert not SubmissionValue.objects.exists()


def test_a_period_that_has_not_ended_is_refused(db, econ_staff):
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.submission_for(actor=econ_staff, period=this_month)
    assert not Submission.objects.exists()


def test_a_submitted_return_cannot_be_edited(db, units, output, econ_staff):
    submission = services.submission_for(actor=econ_staff, period=FEB)
    services.submission_values_save(
        actor=econ_staff, submission=submission, values=[ValueInput(output, units["zone"], ytd_value=D("1"))]
    )
    services.submission_submit(actor=econ_staff, submission=submission)
    with pytest.raises(ValidationError, match="待审核"):
        services.submission_values_save(
            actor=econ_staff,
            submission=submission,
            values=[ValueInput(output, units["zone"], ytd_value=D("2"))],
        )
    assert SubmissionValue.objects.get().ytd_value == D("1")


def test_admins_and_leaders_do_not_enter_figures(db, leader: User, sysadmin: User):
    for user in (leader, sysadmin):
        with pytest.raises(PermissionDenied):
            services.submission_for(actor=user, period=FEB)
