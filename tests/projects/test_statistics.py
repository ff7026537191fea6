"""Statistics, the scheduling meeting and problems escalated by their rules."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.projects.helpers import TODAY, _months_ago, _project, _started
from xinqu.core.models import Notification
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
    result = selectors.statistics(year, "band", min_total=Decimal(5_000))
    assert (result.started_or_resumed, result.planned_to_start) == (2, 3)
    assert result.start_rate == Decimal("66.7")
    assert result.industrial_share == Decimal("75.0")  # 30,000 of 40,000
    assert [r.key for r in result.rows] == ["100m", "50m"]
    assert (result.total.new_starts, result.total.resumed) == (1, 1)
    assert selectors.statistics(year, "stage").total.projects == 4


def test_the_meeting_lists_what_is_behind_late_or_blocked(clerk, places, leader, econ, econ_staff, as_user):
    from docx import Document

    quiet = _started(clerk, places, code="Q", months_ago=1)
    late = _started(clerk, places, code="L", months_ago=1, leader=leader)
    services.milestone_save(
        actor=clerk, project=late, kind="topping", planned_on=TODAY - dt.timedelta(days=5), actual_on=None
    )
    blocked = _started(clerk, places, code="B", months_ago=1)
    problem = services.problem_open(
        actor=clerk, project=blocked, department=econ, description="用电增容迟迟未批"
    )
    red = _project(clerk, places, code="R", planned_start_on=_months_ago(5))
    groups = selectors.meeting()
    listed = {row.project.code: row for rows in groups.values() for row in rows}
    assert set(listed) == {"L", "B", "R"} and "Q" not in listed and quiet
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
