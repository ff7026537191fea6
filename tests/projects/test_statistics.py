"""Statistics, the scheduling meeting and problems escalated by their rules."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.projects.helpers import TODAY, _months_ago, _project, _started
from xinqu.core.models import Notification
from xinqu.core.periods import current_period
from xinqu.projects import selectors, services
from xinqu.projects.models import (
    Problem,
)


def test_statistics_count_starts_resumptions_and_the_industrial_share(clerk, places):
    year = TODAY.year
    new = _started(clerk, places, code="N1", total=30_000, months_ago=min(TODAY.month - 1, 2))
    old = _project(clerk, places, code="C1", total=10_000, kind="social")
    day = dt.date(year - 1, 3, 1)
    for stage in ("signed", "landed", "started"):
        services.project_move(actor=clerk, project=old, stage=stage, on=day)
    _project(clerk, places, code="S1", total=800)  # small, never started
    for project in (new, old):
        services.year_plan_save(actor=clerk, project=project, year=year, planned_investment=Decimal(100))
    planned_only = _project(clerk, places, code="P1", total=9_000)
    services.year_plan_save(actor=clerk, project=planned_only, year=year, planned_investment=Decimal(50))
    # A 续建 project is not 复工 until a report or a resumption date in the year says so.
    assert selectors.statistics(year, "band", min_total=Decimal(5_000), as_of=TODAY).started_or_resumed == 1
    services.year_plan_save(
        actor=clerk, project=old, year=year, planned_investment=Decimal(100), resumed_on=dt.date(year, 1, 1)
    )
    result = selectors.statistics(year, "band", min_total=Decimal(5_000), as_of=TODAY)
    assert (result.started_or_resumed, result.planned_to_start) == (2, 3)
    assert result.start_rate == Decimal("66.7")
    assert result.industrial_share == Decimal("75.0")  # 30,000 of 40,000
    assert [r.key for r in result.rows] == ["100m", "50m"]
    assert (result.total.new_starts, result.total.resumed) == (1, 1)
    # The small project never started nor planned for the year is not among the year's projects.
    assert selectors.statistics(year, "stage", as_of=TODAY).total.projects == 3
    # A project finished before the year is not among the year's projects.
    done = _project(clerk, places, code="D1", total=20_000)
    for stage in ("signed", "landed", "started", "completed"):
        services.project_move(actor=clerk, project=done, stage=stage, on=dt.date(year - 2, 5, 1))
    assert selectors.statistics(year, "stage", as_of=TODAY).total.projects == 3
    assert selectors.statistics(year - 2, "stage", as_of=dt.date(year - 2, 12, 31)).total.projects >= 1


def test_the_meeting_lists_what_is_behind_late_or_blocked(clerk, places, leader, econ, econ_staff, as_user):
    from docx import Document

    quiet = _started(clerk, places, code="Q", months_ago=1)
    month = current_period()
    services.report_save(actor=clerk, project=quiet, month=month, investment=Decimal(100))
    silent = _started(clerk, places, code="M", months_ago=1)  # owes the period's report
    late = _started(clerk, places, code="L", months_ago=1, leader=leader)
    services.milestone_save(
        actor=clerk, project=late, kind="topping", planned_on=TODAY - dt.timedelta(days=5), actual_on=None
    )
    blocked = _started(clerk, places, code="B", months_ago=1)
    services.report_save(actor=clerk, project=blocked, month=month, investment=Decimal(50))
    problem = services.problem_open(
        actor=clerk, project=blocked, department=econ, description="用电增容迟迟未批"
    )
    red = _project(clerk, places, code="R", planned_start_on=_months_ago(5))
    groups = selectors.meeting()
    listed = {row.project.code: row for rows in groups.values() for row in rows}
    assert set(listed) == {"L", "B", "R", "M"} and "Q" not in listed and quiet
    assert listed["M"].missing_report and not listed["B"].missing_report
    assert selectors.report_missing(silent) == month and selectors.report_missing(quiet) is None
    assert (
        listed["L"].overdue_milestones == 1 and listed["B"].open_problems == 1 and listed["R"].project == red
    )
    assert ("高新区", leader.display_name) in groups
    bulletin = Document(io.BytesIO(as_user(econ_staff).get("/projects/meeting/?format=docx").content))
    text = "\n".join(cell.text for table in bulletin.tables for row in table.rows for cell in row.cells)
    assert "项目B" in text and "项目Q" not in text
    # The problem goes round the engine: signed for and solved by the department, confirmed by the centre.
    assert Notification.objects.filter(user=econ_staff, title__contains="项目问题").exists()
    services.problem_act(actor=econ_staff, problem=problem, action="sign_for")
    services.problem_act(actor=econ_staff, problem=problem, action="resolve", comment="已批复增容")
    with pytest.raises(PermissionDenied):  # the department cannot close its own problem
        services.problem_act(actor=econ_staff, problem=problem, action="confirm")
    services.problem_act(actor=clerk, problem=problem, action="confirm")
    assert Problem.objects.get(pk=problem.pk).item.state == "closed"
    assert "B" not in {row.project.code for rows in selectors.meeting().values() for row in rows}


def test_an_overdue_problem_is_escalated_by_its_rules(clerk, places, econ, leader):
    from django.core.management import call_command

    from xinqu.workflow.models import Item

    project = _started(clerk, places, months_ago=1)
    problem = services.problem_open(actor=clerk, project=project, department=econ, description="规划许可卡住")
    Item.objects.filter(pk=problem.pk).update(due_on=TODAY - dt.timedelta(days=20))
    call_command("remind")
    assert Item.objects.get(pk=problem.pk).supervision_level == 3
    assert Notification.objects.filter(user=leader, title__contains="督办").exists()


def test_a_year_is_counted_at_each_project_stage_and_investment_as_of_its_day(clerk, places):
    """A project completed in March of one year was 在建 at the end of the year before; the
    completed investment shown for a month is the reports' up to it, not the year's."""
    year = TODAY.year - 1
    project = _project(clerk, places, code="A1", total=20_000)
    for stage, day in (
        ("signed", (year - 1, 2, 1)),
        ("landed", (year - 1, 3, 1)),
        ("started", (year - 1, 4, 1)),
    ):
        services.project_move(actor=clerk, project=project, stage=stage, on=dt.date(*day))
    for month in (1, 2, 3):
        services.report_save(
            actor=clerk, project=project, month=dt.date(year, month, 1), investment=Decimal(100)
        )
    services.project_move(actor=clerk, project=project, stage="completed", on=dt.date(year, 3, 20))

    def stages(as_of: dt.date) -> dict[str, tuple[int, Decimal]]:
        result = selectors.statistics(year, "stage", as_of=as_of)
        return {r.key: (r.projects, r.completed) for r in result.rows}

    assert stages(dt.date(year, 2, 29 if year % 4 == 0 else 28)) == {"building": (1, Decimal(200))}
    assert stages(dt.date(year, 12, 31)) == {"completed": (1, Decimal(300))}
    # With the year's plan row (which keeps the year's total so far), the same figures.
    services.year_plan_save(actor=clerk, project=project, year=year, planned_investment=Decimal(1000))
    assert stages(dt.date(year, 2, 29 if year % 4 == 0 else 28)) == {"building": (1, Decimal(200))}
    assert stages(dt.date(year, 12, 31)) == {"completed": (1, Decimal(300))}
    assert selectors.statistics(year - 1, "stage", as_of=dt.date(year - 1, 3, 15)).rows[0].key == "landed"
