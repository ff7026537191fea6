"""Writes for the project ledger. The projects centre (XINQU_PROJECTS_CENTRE) keeps every project;
a project's responsible department keeps its own. Every write is atomic, checked and audited, and
ends with the project's light brought up to date (`lights.refresh`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xinqu.core.access import is_department_member
from xinqu.core.audit import audit_create, audit_record, audit_update, describe, snapshot
from xinqu.core.models import AuditEntry, Department, OrgUnit, User
from xinqu.core.phrases import Phrase
from xinqu.core.services import UNCHANGED, given, notify_departments, save_audited
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.projects import lights
from xinqu.projects.flow import KIND
from xinqu.projects.models import Milestone, MonthlyReport, Problem, Project, ProjectYear, ReportPhoto
from xinqu.projects.rules import is_centre
from xinqu.workflow import engine
from xinqu.workflow.models import Item

# How the details this module writes into the audit log read (core.audit).
describe(r"cumulative over total confirmed", gettext_lazy("确认累计完成投资超过总投资"))

PROJECT_FIELDS = [
    "code",
    "name",
    "enterprise",
    "area",
    "park",
    "chain_node",
    "kind",
    "total_investment",
    "planned_signed_on",
    "planned_landed_on",
    "planned_start_on",
    "registered_on",
    "leader",
    "department",
]
# The stages in order, each with the date it needs (the stage moves on only with its date).
ORDER = ["planned", "signed", "landed", "started", "building", "completed", "operating"]
STAGE_DATE = {
    "signed": "signed_on",
    "landed": "landed_on",
    "started": "started_on",
    "building": "started_on",
    "suspended": "suspended_on",
    "completed": "completed_on",
    "operating": "operating_on",
    "terminated": "terminated_on",
}
STAGE_MILESTONE = {"started_on": "start", "completed_on": "completion", "operating_on": "production"}


def next_stage(stage: str) -> str:
    """The stage a project usually moves to next (a suspended one: back to building)."""
    if stage == Project.Stage.SUSPENDED:
        return Project.Stage.BUILDING
    if stage in ORDER and stage != ORDER[-1]:
        return ORDER[ORDER.index(stage) + 1]
    return stage


def ensure_can_edit(user: User, project: Project | None) -> None:
    """The projects centre edits every project; a department, the projects it is responsible for."""
    if not is_department_member(user):
        raise PermissionDenied(_("只有部门工作人员可以维护项目台账。"))
    if is_centre(user) or project is None:  # a new project: its department is checked on saving
        return
    if project.department_id != user.department_id:
        raise PermissionDenied(_("只有重点项目服务中心或项目的责任部门可以维护该项目。"))


def _check_place(area: OrgUnit | None, park: OrgUnit | None) -> None:
    if area is None or area.kind != OrgUnit.Kind.AREA:
        raise ValidationError({"area": _("请选择功能区。")})
    if park is not None and (park.kind != OrgUnit.Kind.PARK or park.parent_id != area.pk):
        raise ValidationError(
            {"park": _("园区“%(park)s”不属于%(area)s。") % {"park": park.name, "area": area.name}}
        )


@transaction.atomic
def project_save(
    *,
    actor: User,
    project: Project | None = None,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    enterprise: Enterprise | None = UNCHANGED,
    area: OrgUnit = UNCHANGED,
    park: OrgUnit | None = UNCHANGED,
    chain_node: IndustryNode | None = UNCHANGED,
    kind: str = UNCHANGED,
    total_investment: Decimal = UNCHANGED,
    planned_signed_on: dt.date | None = UNCHANGED,
    planned_landed_on: dt.date | None = UNCHANGED,
    planned_start_on: dt.date | None = UNCHANGED,
    registered_on: dt.date | None = UNCHANGED,
    leader: User | None = UNCHANGED,
    department: Department = UNCHANGED,
) -> Project:
    """Create or change a project's record (not its stage: see `project_move`). Refused: a park of
    another area, a negative amount, a taken code."""
    fields = given(
        code=code,
        name=name,
        enterprise=enterprise,
        area=area,
        park=park,
        chain_node=chain_node,
        kind=kind,
        total_investment=total_investment,
        planned_signed_on=planned_signed_on,
        planned_landed_on=planned_landed_on,
        planned_start_on=planned_start_on,
        registered_on=registered_on,
        leader=leader,
        department=department,
    )
    ensure_can_edit(actor, project)
    new_department = fields.get("department")
    if not is_centre(actor) and new_department is not None and new_department.pk != actor.department_id:
        raise PermissionDenied(_("只能登记本部门负责的项目。"))
    instance = project or Project()
    merged = {name: fields.get(name, getattr(instance, name, None)) for name in ("area", "park")}
    _check_place(merged["area"], merged["park"])
    code = str(fields.get("code", instance.code or "")).strip()
    if Project.objects.filter(code=code).exclude(pk=instance.pk).exists():
        raise ValidationError({"code": _("项目编号 %(code)s 已被使用。") % {"code": code}})
    if project is None:
        fields.setdefault("department", Department.objects.get(pk=int(actor.department_id or 0)))
    saved = save_audited(actor=actor, instance=instance, audited=PROJECT_FIELDS, fields=fields)
    lights.refresh(saved, reason=_("项目信息变更"))
    return saved


@transaction.atomic
def project_move(
    *, actor: User, project: Project, stage: str, on: dt.date | None, reason: str = ""
) -> Project:
    """Move a project to ``stage`` on the date ``on``. Moving forward may skip stages only when the
    dates they need are already there; dates never run backwards; 停缓建 and back to 在建 need a
    date and a reason; termination needs a reason."""
    ensure_can_edit(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if stage not in Project.Stage.values:
        raise ValidationError({"stage": _("没有这个阶段。")})
    current = project.stage
    if current in {Project.Stage.TERMINATED, Project.Stage.OPERATING} and stage != current:
        raise ValidationError(
            _("项目已%(stage)s，不能再变更阶段。") % {"stage": Project.Stage(current).label}
        )
    today = timezone.localdate()
    if on is not None and on > today:
        raise ValidationError({"on": _("日期不能晚于今天。")})
    before = snapshot(project, ["stage", *STAGE_DATE.values(), "termination_reason"])
    if stage == Project.Stage.TERMINATED:
        if not reason.strip():
            raise ValidationError({"reason": _("请写明终止原因。")})
        project.terminated_on, project.termination_reason = on or today, reason.strip()
    elif stage == Project.Stage.SUSPENDED:
        if current not in {Project.Stage.STARTED, Project.Stage.BUILDING}:
            raise ValidationError(_("只有已开工、在建的项目可以停缓建。"))
        if on is None or not reason.strip():
            raise ValidationError(_("停缓建须填写日期和原因。"))
        project.suspended_on = on
    elif current == Project.Stage.SUSPENDED and stage == Project.Stage.BUILDING:
        if on is None:
            raise ValidationError({"on": _("请填写复工日期。")})
    else:
        target = ORDER.index(stage)
        if current != Project.Stage.SUSPENDED and target <= ORDER.index(current) and stage != current:
            raise ValidationError(_("阶段只能向前推进（停缓建与复工除外）。"))
        field = STAGE_DATE.get(stage)
        if field and on is not None:
            setattr(project, field, on)
        # Every stage up to the target needs its date.
        missing = [
            str(Project.Stage(s).label)
            for s in ORDER[1 : target + 1]
            if STAGE_DATE.get(s) and getattr(project, STAGE_DATE[s]) is None
        ]
        if missing:
            raise ValidationError(
                {
                    "on": _("推进到“%(stage)s”须先有这些日期：%(missing)s。")
                    % {"stage": Project.Stage(stage).label, "missing": "、".join(missing)}
                }
            )
        dates = [getattr(project, STAGE_DATE[s]) for s in ORDER[1 : target + 1] if STAGE_DATE.get(s)]
        if any(a > b for a, b in itertools.pairwise(dates)):
            raise ValidationError({"on": _("各阶段日期须依次不早于前一阶段。")})
        for name, milestone in STAGE_MILESTONE.items():
            value = getattr(project, name)
            if value is not None:
                Milestone.objects.update_or_create(
                    project=project, kind=milestone, defaults={"actual_on": value}
                )
    project.stage = stage
    project.save()
    audit_update(actor=actor, obj=project, before=before, detail=reason.strip()[:200])
    lights.refresh(project, reason=_("阶段变为%(stage)s") % {"stage": Project.Stage(stage).label})
    return project


@transaction.atomic
def year_plan_save(
    *,
    actor: User,
    project: Project,
    year: int,
    planned_investment: Decimal,
    planned_to_start: bool = True,
    resumed_on: dt.date | None = None,
) -> ProjectYear:
    ensure_can_edit(actor, project)
    if planned_investment < 0:
        raise ValidationError({"planned_investment": _("计划投资不能为负数。")})
    if resumed_on is not None and resumed_on.year != year:
        raise ValidationError({"resumed_on": _("复工日期须在 %(y)d 年内。") % {"y": year}})
    found = ProjectYear.objects.filter(project=project, year=year).first() or ProjectYear(
        project=project,
        year=year,
        completed_investment=MonthlyReport.objects.filter(project=project, month__year=year).aggregate(
            s=Sum("investment")
        )["s"]
        or 0,
    )
    saved = save_audited(
        actor=actor,
        instance=found,
        audited=["year", "planned_investment", "planned_to_start", "resumed_on"],
        fields={
            "planned_investment": planned_investment,
            "planned_to_start": planned_to_start,
            "resumed_on": resumed_on,
        },
    )
    lights.refresh(project, reason=_("年度计划投资变更"))
    return saved


@transaction.atomic
def milestone_save(
    *, actor: User, project: Project, kind: str, planned_on: dt.date | None, actual_on: dt.date | None
) -> Milestone:
    ensure_can_edit(actor, project)
    if kind not in Milestone.Kind.values:
        raise ValidationError({"kind": _("没有这个节点。")})
    if actual_on is not None and actual_on > timezone.localdate():
        raise ValidationError({"actual_on": _("实际日期不能晚于今天。")})
    found = Milestone.objects.filter(project=project, kind=kind).first() or Milestone(
        project=project, kind=kind
    )
    return save_audited(
        actor=actor,
        instance=found,
        audited=["kind", "planned_on", "actual_on"],
        fields={"planned_on": planned_on, "actual_on": actual_on},
    )


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def report_save(
    *,
    actor: User,
    project: Project,
    month: dt.date,
    investment: Decimal,
    workers: int = 0,
    progress: str = "",
    photos: Iterable[UploadedFile] = (),
    confirm_over_total: bool = False,
) -> MonthlyReport:
    """The month's report: investment completed in the month (万元), workers on site, progress and
    photos. The year-to-date and since-start totals follow from the months before; later months are
    recomputed. Refused: a future month, a negative amount, a month before the project started, and
    a total beyond the project's total investment unless ``confirm_over_total``."""
    ensure_can_edit(actor, project)
    month = _month_start(month)
    if month > _month_start(timezone.localdate()):
        raise ValidationError({"month": _("不能填报未来月份。")})
    if investment < 0:
        raise ValidationError({"investment": _("完成投资不能为负数。")})
    if project.started_on is not None and month < _month_start(project.started_on):
        raise ValidationError(
            {"month": _("项目 %(day)s 开工，不能填报开工前的月份。") % {"day": project.started_on}}
        )
    files = engine.checked_files(photos)
    others = MonthlyReport.objects.filter(project=project).exclude(month=month)
    total = (others.aggregate(s=Sum("investment"))["s"] or Decimal(0)) + investment
    if total > project.total_investment and not confirm_over_total:
        raise ValidationError(
            {
                "investment": _(
                    "累计完成投资将达到 %(total)s 万元，超过项目总投资 %(limit)s 万元；如确属实际情况，请勾选确认后再保存。"
                )
                % {"total": f"{total:,.2f}", "limit": f"{project.total_investment:,.2f}"}
            }
        )
    found = MonthlyReport.objects.filter(project=project, month=month).first()
    before = snapshot(found, ["investment", "workers", "progress"]) if found else None
    report = found or MonthlyReport(project=project, month=month, investment_ytd=0, investment_total=0)
    report.investment, report.workers, report.progress, report.reported_by = (
        investment,
        workers,
        progress.strip(),
        actor,
    )
    report.save()
    _recount(project, from_month=month)
    for upload, kind in files:
        ReportPhoto.objects.create(
            report=report, file=upload, name=(upload.name or "photo")[-200:], content_type=kind
        )
    if before is None:
        audit_create(actor=actor, obj=report, fields=["month", "investment", "workers", "progress"])
    else:
        audit_update(actor=actor, obj=report, before=before)
    if total > project.total_investment:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=project,
            detail="cumulative over total confirmed",
        )
    lights.refresh(project, reason=_("%(month)s 月报") % {"month": f"{month:%Y-%m}"}, month=month)
    report.refresh_from_db()
    return report


def _recount(project: Project, from_month: dt.date) -> None:
    """Year-to-date and since-start totals of ``from_month`` and every later month, and each
    touched year's completed investment on its plan row."""
    before = MonthlyReport.objects.filter(project=project, month__lt=from_month)
    running = before.aggregate(s=Sum("investment"))["s"] or Decimal(0)
    ytd = before.filter(month__year=from_month.year).aggregate(s=Sum("investment"))["s"] or Decimal(0)
    year = from_month.year
    years: dict[int, Decimal] = {year: ytd}
    for report in MonthlyReport.objects.filter(project=project, month__gte=from_month).order_by("month"):
        if report.month.year != year:
            year, ytd = report.month.year, Decimal(0)
        running += report.investment
        ytd += report.investment
        years[year] = ytd
        MonthlyReport.objects.filter(pk=report.pk).update(investment_ytd=ytd, investment_total=running)
    for touched, done in years.items():
        ProjectYear.objects.filter(project=project, year=touched).update(completed_investment=done)


# --- Problems (堵点) on the workflow engine ---------------------------------------------------


@transaction.atomic
def problem_open(
    *,
    actor: User,
    project: Project,
    department: Department,
    description: str,
    attachments: Iterable[UploadedFile] = (),
) -> Problem:
    """Send a project's problem to the department that must solve it."""
    ensure_can_edit(actor, project)
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("请写明问题。")})
    item = engine.item_open(
        kind=KIND,
        title=f"{project.name}：{description.splitlines()[0]}"[:200],
        actor=actor,
        department=department,
        org_unit_id=project.area_id,
        comment=description,
        attachments=attachments,
    )
    problem = Problem.objects.create(item=item, project=project, description=description)
    notify_departments(
        [department.pk],
        key=f"project-problem-{item.pk}",
        title=Phrase(gettext_noop("项目问题待办理：%(title)s"), title=item.title),
        body=description[:300],
        url=reverse("projects:problem", args=[item.number]),
    )
    return problem


def problem_act(
    *,
    actor: User,
    problem: Problem,
    action: str,
    version: int | None = None,
    comment: str = "",
    department: Department | None = None,
    days: int | None = None,
) -> Item:
    if action == "redirect" and department is None:
        raise ValidationError({"department": _("请选择改派的部门。")})
    return engine.item_act(
        item=problem.item,
        action=action,
        actor=actor,
        version=version,
        comment=comment,
        department=department if action == "redirect" else None,
        data={"days": days} if action == "ask_extension" else None,
    )
