"""One approval lifecycle for work updates, indicator returns and plan reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinqu.core.approval import approval_approve, approval_return, approval_submit, ensure_editable
from xinqu.core.models import Approvable, AuditEntry
from xinqu.core.roles import Role
from xinqu.indicators.models import Submission
from xinqu.plans.models import Period, Plan, Report
from xinqu.updates.models import WorkUpdate

pytestmark = pytest.mark.django_db

FIELDS = {
    "status",
    "submitted_by",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
}


@pytest.fixture(params=["update", "submission", "report"])
def record(request, econ, econ_staff):
    if request.param == "update":
        return WorkUpdate.objects.create(
            department=econ, author=econ_staff, title="动态", body="正文", happened_on=dt.date(2026, 3, 1)
        )
    if request.param == "submission":
        return Submission.objects.create(department=econ, period=dt.date(2026, 2, 1), created_by=econ_staff)
    plan = Plan.objects.create(year=2026, title="计划")
    period = Period.objects.create(plan=plan, month=dt.date(2026, 2, 1), deadline=dt.date(2026, 3, 5))
    return Report.objects.create(period=period, department=econ)


def test_the_three_approvals_share_one_model_and_its_field_names():
    for model in (WorkUpdate, Submission, Report):
        assert issubclass(model, Approvable)
        assert {f.name for f in model._meta.get_fields()} >= FIELDS, model


def test_submit_approve_and_the_record_is_locked(record, econ_staff, econ_head):
    submitted = approval_submit(actor=econ_staff, record=record)
    assert (submitted.status, submitted.submitted_by, submitted.first_submitted_at is not None) == (
        "submitted",
        econ_staff,
        True,
    )
    approved = approval_approve(actor=econ_head, record=submitted, note="同意")
    assert (approved.status, approved.reviewed_by, approved.review_note) == ("approved", econ_head, "同意")
    with pytest.raises(ValidationError, match="不能进行此操作"):
        ensure_editable(actor=econ_staff, record=approved)
    with pytest.raises(ValidationError):
        approval_return(actor=econ_head, record=approved, reason="再看看")
    assert AuditEntry.objects.filter(object_id=str(record.pk), action="update").count() == 2


def test_return_needs_a_reason_and_resubmission_keeps_the_first_time(record, econ_staff, econ_head):
    first = approval_submit(actor=econ_staff, record=record).first_submitted_at
    with pytest.raises(ValidationError, match="理由"):
        approval_return(actor=econ_head, record=record, reason="  ")
    returned = approval_return(actor=econ_head, record=record, reason="口径不对")
    assert (returned.status, returned.review_note) == ("returned", "口径不对")
    again = approval_submit(actor=econ_staff, record=returned)
    assert again.first_submitted_at == first and again.review_note == ""


def test_only_the_departments_own_head_reviews(record, econ_staff, make_user, invest, leader):
    other_head = make_user("invest-head", Role.HEAD, invest)
    approval_submit(actor=econ_staff, record=record)
    for actor in (econ_staff, other_head, leader):
        with pytest.raises(PermissionDenied):
            approval_approve(actor=actor, record=record)
    record.refresh_from_db()
    assert record.status == "submitted"


def test_another_department_cannot_submit(record, invest_staff):
    with pytest.raises(PermissionDenied):
        approval_submit(actor=invest_staff, record=record)
    record.refresh_from_db()
    assert record.status == "draft"
