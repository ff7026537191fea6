"""A project's light, by the zone's rule (`LightRule`, one row; defaults 10 / 30 points and 3 months):

- red when it has not started `late_start_months` after its planned start date;
- otherwise, for a started project with investment planned for the year, its year-to-date
  investment against the plan compared with the months elapsed (序时进度), with the indicators'
  own classification (`indicators.selectors.classify`): more than `yellow_pp` points behind is
  yellow, more than `red_pp` red;
- a red project turns yellow only once it has caught up (no longer behind at all); until then it
  stays red.

Every change is kept in `LightChange` with its reason. `refresh` runs after every write to a
project, and `xinqu remind` runs `refresh_all` daily for the date-driven rule."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.indicators.selectors import classify
from xinqu.projects.models import LightChange, LightRule, MonthlyReport, Project, ProjectYear

HUNDRED = Decimal(100)
DONE = {Project.Stage.COMPLETED, Project.Stage.OPERATING, Project.Stage.TERMINATED}
NOT_STARTED = {Project.Stage.PLANNED, Project.Stage.SIGNED, Project.Stage.LANDED}


def rule() -> LightRule:
    found = LightRule.objects.order_by("pk").first()
    return found or LightRule.objects.create()


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass
class Progress:
    month: dt.date
    planned: Decimal
    done: Decimal
    completion: Decimal
    time_progress: Decimal

    @property
    def behind(self) -> Decimal:
        return self.time_progress - self.completion


def progress(project: Project, month: dt.date | None = None) -> Progress | None:
    """The year's investment completion as of ``month`` (default: the project's latest report)."""
    reports = MonthlyReport.objects.filter(project=project)
    if month is not None:
        reports = reports.filter(month__lte=month)
    latest = reports.order_by("-month").first()
    if latest is None:
        return None
    month = month or latest.month
    plan = ProjectYear.objects.filter(project=project, year=month.year).first()
    if plan is None or not plan.planned_investment:
        return None
    done = latest.investment_ytd if latest.month.year == month.year else Decimal(0)
    completion = (done / plan.planned_investment * HUNDRED).quantize(Decimal("0.1"))
    elapsed = (Decimal(month.month) / 12 * HUNDRED).quantize(Decimal("0.1"))
    return Progress(month, plan.planned_investment, done, completion, elapsed)


def evaluate(
    project: Project,
    today: dt.date,
    current: str,
    month: dt.date | None = None,
    the_rule: LightRule | None = None,
) -> tuple[str, str]:
    """The light ``project`` should have now, and why."""
    if project.stage in DONE:
        return "", str(Project.Stage(project.stage).label)
    the_rule = the_rule or rule()
    if project.stage in NOT_STARTED and project.planned_start_on:
        deadline = add_months(project.planned_start_on, the_rule.late_start_months)
        if today > deadline:
            return "red", _("计划 %(day)s 开工，超过 %(n)s 个月仍未开工") % {
                "day": project.planned_start_on,
                "n": the_rule.late_start_months,
            }
    found = progress(project, month) if project.stage not in NOT_STARTED else None
    if found is None:
        return "", _("没有年度计划投资或月报，不亮灯")
    light = classify(found.behind, the_rule.yellow_pp, the_rule.red_pp)
    reason = _("%(month)s 年度投资完成 %(c)s%%，序时进度 %(t)s%%") % {
        "month": f"{found.month:%Y-%m}",
        "c": found.completion,
        "t": found.time_progress,
    }
    if current == "red" and light != "red":
        if found.behind > 0:
            return "red", reason + _("；红灯须追上序时进度才转为黄灯")
        return "yellow", reason + _("；已追上序时进度，红灯转为黄灯")
    return light, reason


def refresh(
    project: Project,
    *,
    reason: str,
    month: dt.date | None = None,
    today: dt.date | None = None,
    the_rule: LightRule | None = None,
) -> str:
    """Bring the stored light up to date; record the change, if any, with its reason."""
    today = today or timezone.localdate()
    stored = Project.objects.get(pk=project.pk)  # as saved: the caller's copy may be older
    current = stored.light
    light, why = evaluate(stored, today, current, month, the_rule)
    if light != current:
        Project.objects.filter(pk=project.pk).update(light=light)
        LightChange.objects.create(
            project=project,
            at=timezone.now(),
            month=month,
            before=current,
            after=light,
            reason=f"{reason}：{why}"[:300],
        )
    project.light = light
    return light


def refresh_all(dry_run: bool = False) -> int:
    """The daily pass (`xinqu remind`): projects whose light the calendar alone may change."""
    changed = 0
    today = timezone.localdate()
    the_rule = rule()
    for project in Project.objects.exclude(stage__in=DONE).iterator(chunk_size=2000):
        before = project.light
        if dry_run:
            changed += evaluate(project, today, before, the_rule=the_rule)[0] != before
        else:
            changed += refresh(project, reason=_("每日检查"), today=today, the_rule=the_rule) != before
    return changed
