"""Lights by the rule, size bands, new starts and registration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.projects.helpers import TODAY, _months_ago, _project, _started
from xinqu.projects import lights, selectors, services
from xinqu.projects.models import (
    LightChange,
    LightRule,
    Project,
)


def test_lights_follow_the_rule_and_red_waits_for_catching_up(clerk, places):
    rule = lights.rule()
    assert (rule.yellow_pp, rule.red_pp, rule.late_start_months) == (Decimal(10), Decimal(30), 3)
    month = dt.date(TODAY.year, 6, 1) if TODAY.month >= 6 else dt.date(TODAY.year - 1, 6, 1)
    project = _project(clerk, places, total=100_000)
    start = month.replace(month=1)
    for stage in ("signed", "landed", "started"):
        services.project_move(actor=clerk, project=project, stage=stage, on=start)
    services.year_plan_save(actor=clerk, project=project, year=month.year, planned_investment=Decimal(1_200))

    # Six months elapsed (50 %): 45 % done is green, 30 % yellow, 10 % red (June's report alone).
    def june(amount: int) -> str:
        services.report_save(actor=clerk, project=project, month=month, investment=Decimal(amount))
        return Project.objects.get(pk=project.pk).light

    assert june(540) == "green"
    assert june(360) == "yellow"
    assert june(120) == "red"
    # Better, but still behind: stays red; caught up: yellow first, then green.
    assert june(540) == "red"
    assert june(600) == "yellow"
    assert june(600) == "green"
    changes = list(
        LightChange.objects.filter(project=project).order_by("at", "id").values_list("after", flat=True)
    )
    assert changes[-5:] == ["green", "yellow", "red", "yellow", "green"]
    assert "红灯转为黄灯" in LightChange.objects.get(project=project, before="red", after="yellow").reason
    # A rule change applies to every project (the page re-lights them all).
    LightRule.objects.update(yellow_pp=Decimal(0))
    assert june(590) == "yellow"


def test_a_project_not_started_months_after_its_planned_date_is_red(clerk, places):
    late = _project(clerk, places, code="XM-LATE", planned_start_on=_months_ago(4))
    assert Project.objects.get(pk=late.pk).light == "red"
    soon = _project(clerk, places, code="XM-SOON", planned_start_on=_months_ago(1))
    assert Project.objects.get(pk=soon.pk).light == ""
    assert "未开工" in LightChange.objects.get(project=late).reason


def test_bands_new_starts_and_registration(clerk, places):
    assert selectors.band_of(Decimal(100_000)) == "1b"
    assert selectors.band_of(Decimal(99_999)) == "100m"
    assert selectors.band_of(Decimal(5_000)) == "50m"
    assert selectors.band_of(Decimal(4_999)) == "small"
    project = _started(clerk, places, months_ago=3)
    assert selectors.registration_overdue(project)
    services.project_save(actor=clerk, project=project, registered_on=TODAY)
    # Registered, late: the badge was for the missing registration, and clears with it.
    assert not selectors.registration_overdue(Project.objects.get(pk=project.pk))
    services.project_save(actor=clerk, project=project, registered_on=None)
    assert selectors.registration_overdue(Project.objects.get(pk=project.pk))
