"""Monthly department reports: the approval, closed and future periods, late departments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.plans.helpers import YEAR, _lines, _node, _status
from xinqu.core.models import AuditEntry, Notification
from xinqu.plans import selectors, services
from xinqu.plans.models import Report, ReportLine


def test_a_report_from_draft_to_approval(plan, invest, invest_staff, invest_head, econ_head, leader):
    period = plan.periods.get(month=dt.date(YEAR, 3, 1))
    # Bad values: every one is named, nothing is saved.
    with pytest.raises(ValidationError) as refused:
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="十一个"))
    assert "3.1 入规入统项目" in str(refused.value)
    assert not ReportLine.objects.exists()
    # Submitting needs the progress text and the KPI value.
    with pytest.raises(ValidationError, match="进展情况"):
        services.report_save(
            actor=invest_staff,
            period=period,
            lines=_lines(plan, invest, value="11", progress=""),
            submit=True,
        )
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="1１"), submit=False
    )
    assert report.status == "draft" and report.lines.get(node__code="3.1").value == Decimal(11)
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="11"), submit=True
    )
    assert report.status == "submitted"
    assert Notification.objects.filter(user=invest_head, title__contains="计划月报待审核").exists()
    with pytest.raises(ValidationError, match="已报送"):
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="12"))
    # Only the department's own head approves.
    for outsider in (invest_staff, econ_head, leader):
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=outsider, report=report)
    assert Report.objects.get(pk=report.pk).status == "submitted"
    # Leaders do not see it before approval; the tree does not count it either.
    assert not selectors.visible_report(leader, report)
    assert _status(plan, 3, "3.1").value is None
    with pytest.raises(ValidationError):
        services.report_return(actor=invest_head, report=report, reason="  ")
    services.report_return(actor=invest_head, report=report, reason="请核实数据")
    services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="13"), submit=True
    )
    report = services.report_approve(actor=invest_head, report=Report.objects.get(pk=report.pk))
    assert selectors.visible_report(leader, report)
    status = _status(plan, 3, "3.1")
    assert (status.value, status.value_month) == (Decimal(13), dt.date(YEAR, 3, 1))
    assert AuditEntry.objects.filter(object_type__icontains="report").exists()


def test_reports_for_closed_or_future_periods_and_others_nodes_are_refused(
    plan, clerk, invest, invest_staff, econ
):
    period = plan.periods.get(month=dt.date(YEAR, 1, 1))
    services.period_update(actor=clerk, period=period, deadline=period.deadline, closed=True)
    with pytest.raises(ValidationError, match="已关闭"):
        services.report_save(actor=invest_staff, period=period, lines=_lines(plan, invest, value="1"))
    future = services.plan_save(actor=clerk, year=timezone.localdate().year + 1, title="明年")
    services.node_save(
        actor=clerk, plan=future, kind="measure", code="1", title="明年的举措", lead_department=invest,
        parent=services.node_save(actor=clerk, plan=future, kind="programme", code="0", title="工程"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="未来月份"):
        services.report_save(actor=invest_staff, period=future.periods.first(), lines={})
    econ_kpi = _node(plan, "3.2")
    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=invest_staff,
            period=plan.periods.get(month=dt.date(YEAR, 2, 1)),
            lines={econ_kpi.pk: {"value": "5"}},
        )
    assert not Report.objects.exists()


def test_late_departments_are_listed(plan, invest, invest_staff, econ):
    period = plan.periods.get(month=dt.date(YEAR, 3, 1))
    report = services.report_save(
        actor=invest_staff, period=period, lines=_lines(plan, invest, value="5"), submit=True
    )
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=timezone.make_aware(
            dt.datetime.combine(period.deadline + dt.timedelta(days=1), dt.time(9))
        )
    )
    rows = {r.department.code: r.late for r in selectors.period_rows(period)}
    assert rows == {"invest": True, "econ": True}  # one late, one never reported
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=timezone.make_aware(dt.datetime.combine(period.deadline, dt.time(17)))
    )
    assert {r.department.code: r.late for r in selectors.period_rows(period)}["invest"] is False
    assert selectors.late_counts(plan, 3)[econ.pk] == 3
