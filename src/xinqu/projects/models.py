"""The construction project ledger (项目建设调度): each project with its stage and dates, its money,
milestones, monthly reports and the history of its light."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_department_member, member_of
from xinqu.core.models import AccessQuerySet, Department, OrgUnit

# Money is in 万元 (ten thousand yuan), as the ledgers keep it.


class ProjectQuerySet(AccessQuerySet["Project"]):
    """The ledger is the zone's: every business role reads it. The projects centre changes every
    project; a department, the projects it is responsible for."""

    def editable_by(self, user: Any) -> Self:
        if is_department_member(user) and member_of(user, settings.PROJECTS_CENTRE_DEPARTMENT):
            return self.all()
        return super().editable_by(user)


class ProblemQuerySet(AccessQuerySet["Problem"]):
    """Every business role reads a project's problems; the department it is sent to works on it."""

    department_field = "item__department"


class Project(models.Model):
    class Kind(models.TextChoices):
        INDUSTRIAL = "industrial", _("产业项目")
        INFRASTRUCTURE = "infrastructure", _("基础设施项目")
        SOCIAL = "social", _("社会事业项目")
        SERVICE = "service", _("服务业项目")

    class Stage(models.TextChoices):
        PLANNED = "planned", _("谋划")
        SIGNED = "signed", _("签约")
        LANDED = "landed", _("落地")
        STARTED = "started", _("开工")
        BUILDING = "building", _("在建")
        SUSPENDED = "suspended", _("停缓建")
        COMPLETED = "completed", _("竣工")
        OPERATING = "operating", _("投产")
        TERMINATED = "terminated", _("终止")

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("建设单位"),
    )
    area = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("功能区"))
    park = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("园区")
    )
    chain_node = models.ForeignKey(
        "enterprises.IndustryNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("产业链环节"),
    )
    kind = models.CharField(_("项目类型"), max_length=16, choices=Kind.choices)
    total_investment = models.DecimalField(
        _("总投资（万元）"), validators=[MinValueValidator(0)], max_digits=14, decimal_places=2
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.PLANNED)
    planned_signed_on = models.DateField(_("计划签约日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    planned_landed_on = models.DateField(_("计划落地日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    planned_start_on = models.DateField(_("计划开工日期"), null=True, blank=True)
    started_on = models.DateField(_("实际开工日期"), null=True, blank=True)
    suspended_on = models.DateField(_("停缓建日期"), null=True, blank=True)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    operating_on = models.DateField(_("投产日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    termination_reason = models.TextField(_("终止原因"), blank=True)
    registered_on = models.DateField(_("入库（入统）日期"), null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("包保领导"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    light = models.CharField(_("灯"), max_length=6, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [
            models.Index(fields=["stage", "area"], name="project_stage_area"),
            models.Index(fields=["light", "area"], name="project_light_area"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectYear(models.Model):
    """A project's place in one year's plan: the investment planned for the year and whether it is
    planned to start or resume (计划开复工)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    planned_investment = models.DecimalField(
        _("年度计划投资（万元）"), validators=[MinValueValidator(0)], max_digits=14, decimal_places=2
    )
    planned_to_start = models.BooleanField(_("计划开复工"), default=True)
    # 续建 projects count as 复工 in a year only once they resume: this date, or a monthly report
    # with investment in the year (projects.selectors.started_or_resumed).
    resumed_on = models.DateField(_("复工日期"), null=True, blank=True)
    # The year-to-date investment of the year's latest report, kept as reports are saved.
    completed_investment = models.DecimalField(
        _("年度完成投资（万元）"), default=Decimal(0), max_digits=14, decimal_places=2
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="projectyear_unique")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        LAND = "land", _("土地摘牌")
        PLANNING = "planning", _("规划许可")
        CONSTRUCTION = "construction", _("施工许可")
        START = "start", _("开工")
        TOPPING = "topping", _("主体封顶")
        COMPLETION = "completion", _("竣工")
        PRODUCTION = "production", _("投产")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("节点"), max_length=14, choices=Kind.choices)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="milestone_unique_kind")]
        indexes = [models.Index(fields=["actual_on", "planned_on"], name="milestone_late")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.kind}"


class MonthlyReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # the first of the month
    investment = models.DecimalField(
        _("当月完成投资（万元）"), validators=[MinValueValidator(0)], max_digits=14, decimal_places=2
    )
    investment_ytd = models.DecimalField(_("年度累计完成投资（万元）"), max_digits=14, decimal_places=2)
    investment_total = models.DecimalField(_("开工以来累计完成投资（万元）"), max_digits=14, decimal_places=2)
    workers = models.PositiveIntegerField(_("在岗人数"), default=0)
    progress = models.TextField(_("形象进度"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        ordering = ["project", "month"]
        verbose_name = _("项目月报")
        verbose_name_plural = _("项目月报")
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="projectreport_unique_month")
        ]
        indexes = [models.Index(fields=["month", "project"], name="projectreport_month")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.month:%Y-%m}"


def photo_path(instance: ReportPhoto, filename: str) -> str:
    import uuid

    return f"projects/{instance.report.month:%Y/%m}/{instance.report.project_id}-{uuid.uuid4().hex}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.name


class LightRule(models.Model):
    """The zone's rule for projects' lights (one row): behind time-elapsed progress by more than
    ``yellow_pp`` points is yellow, by more than ``red_pp`` red; not started ``late_start_months``
    after the planned date is red too."""

    yellow_pp = models.DecimalField(
        _("黄灯：落后序时进度超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    red_pp = models.DecimalField(
        _("红灯：落后序时进度超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("30")
    )
    late_start_months = models.PositiveSmallIntegerField(_("红灯：超过计划开工日期未开工（月）"), default=3)

    class Meta:
        verbose_name = _("项目亮灯规则")
        verbose_name_plural = _("项目亮灯规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_pp__gte=models.F("yellow_pp")), name="lightrule_red_after_yellow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.yellow_pp}/{self.red_pp}/{self.late_start_months}"


class LightChange(models.Model):
    """Every change of a project's light, with why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="light_changes")
    at = models.DateTimeField(_("时间"))
    month = models.DateField(_("依据月份"), null=True, blank=True)
    before = models.CharField(_("原来"), max_length=6, blank=True)
    after = models.CharField(_("变为"), max_length=6, blank=True)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("亮灯记录")
        verbose_name_plural = _("亮灯记录")

    def __str__(self) -> str:
        return f"{self.project_id} {self.before}→{self.after}"


class Problem(models.Model):
    """A project's problem (问题清单/堵点), handled on the workflow engine by the department it is
    sent to, with deadline and escalation."""

    item = models.OneToOneField(
        "workflow.Item", on_delete=models.PROTECT, primary_key=True, related_name="project_problem"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="problems", verbose_name=_("项目")
    )
    description = models.TextField(_("问题描述"))

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目问题")
        verbose_name_plural = _("项目问题")

    def __str__(self) -> str:
        return f"{self.item.number} {self.project.code}"
