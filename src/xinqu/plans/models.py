"""The year's plan as a tree ("2+5+10": strategy → principles and programmes → measures → KPIs),
the departments' monthly reports on it, and supervision items (督办) raised on its nodes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_department_member, is_leader, member_of
from xinqu.core.models import AccessQuerySet, Approvable, Department
from xinqu.workflow.models import Item


class Plan(models.Model):
    class Basis(models.TextChoices):
        PROGRESS = "progress", _("完成率与序时进度之比")
        COMPLETION = "completion", _("全年目标完成率")

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("名称"), max_length=200)
    # Lights: completion behind time-elapsed progress by more than … points (as the indicators).
    yellow_pp = models.DecimalField(
        _("黄灯：落后序时进度超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    red_pp = models.DecimalField(
        _("红灯：落后序时进度超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("15")
    )
    # Scoring (考核).
    scoring_basis = models.CharField(
        _("指标得分口径"), max_length=12, choices=Basis.choices, default=Basis.PROGRESS
    )
    completion_cap = models.DecimalField(
        _("单项得分上限（%）"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("120"),
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("200"))],
    )
    late_deduction = models.DecimalField(
        _("迟报一次扣分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    supervision_deduction = models.DecimalField(
        _("督办未按要求办结一次扣分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(0)],
    )
    rate_points_per_pp = models.DecimalField(
        _("比率类指标：每相差 1 个百分点加减分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0)],
    )
    rate_red_pp = models.DecimalField(
        _("比率类指标红灯：低于目标超过（百分点）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_pp__gte=models.F("yellow_pp")), name="plan_red_after_yellow"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Node(models.Model):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("总策略")
        PRINCIPLE = "principle", _("原则")
        PROGRAMME = "programme", _("工程")
        MEASURE = "measure", _("举措")
        KPI = "kpi", _("指标")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    class Measure(models.TextChoices):
        """What a KPI measures decides how it is scored (plans.scoring)."""

        QUANTITY = "quantity", _("累计量：完成率对照序时进度")
        STOCK = "stock", _("存量（期末数）：对照时限目标或分月路径")
        RATE = "rate", _("比率/增速：与目标相差的百分点")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("编号"), max_length=20, help_text=_("如 3、3.2、3.2.1"))
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("牵头单位"),
    )
    partner_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("配合单位")
    )
    target_value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    weight = models.DecimalField(
        _("权重"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("数据来源"), max_length=60, blank=True, help_text=_("空：部门填报"))
    direction = models.CharField(_("方向"), max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    measure = models.CharField(
        _("指标类型"), max_length=10, choices=Measure.choices, default=Measure.QUANTITY
    )
    path = models.JSONField(
        _("分月目标路径"),
        default=list,
        blank=True,
        help_text=_("存量指标可填 12 个月末应达到的数值；不填则对照时限目标"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("计划节点")
        verbose_name_plural = _("计划节点")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="node_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Period(models.Model):
    """A reporting month: reports on it are due by ``deadline``; a closed period takes none."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField(_("月份"))  # the first of the month
    deadline = models.DateField(_("报送截止日"))
    closed = models.BooleanField(_("已关闭"), default=False)

    class Meta:
        ordering = ["month"]
        verbose_name = _("报送期")
        verbose_name_plural = _("报送期")
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="period_unique_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ReportQuerySet(AccessQuerySet["Report"]):
    """A department sees its own reports in every state; leaders and the plan office see them
    once approved. A department's staff and head change its own."""

    def visible_to(self, user: Any) -> Self:
        approved = Q(status=Report.Status.APPROVED)
        if is_leader(user):
            return self.filter(approved)
        if not is_department_member(user):
            return self.none()
        own = Q(department_id=user.department_id)
        if member_of(user, settings.PLAN_OFFICE_DEPARTMENT):
            return self.filter(own | approved)
        return self.filter(own)


class SupervisionQuerySet(AccessQuerySet["Supervision"]):
    """Every business role reads supervision items; the department it is raised on responds."""

    department_field = "item__department"


class Report(Approvable):
    """A department's monthly report on the nodes it leads: draft → submitted → approved by its
    head (or returned with a reason). Leaders see approved reports only."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["period__month", "department__sort_order"]
        verbose_name = _("部门月报")
        verbose_name_plural = _("部门月报")
        constraints = [
            models.UniqueConstraint(fields=["period", "department"], name="report_unique_department")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.department}"


class ReportLine(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="report_lines")
    value = models.DecimalField(_("累计完成值"), max_digits=16, decimal_places=4, null=True, blank=True)
    progress = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)

    class Meta:
        verbose_name = _("月报内容")
        verbose_name_plural = _("月报内容")
        constraints = [models.UniqueConstraint(fields=["report", "node"], name="reportline_unique_node")]

    def __str__(self) -> str:
        return f"{self.report} {self.node.code}"


class Supervision(models.Model):
    """A supervision item (督办事项) a leader raised on a lagging node, on the workflow engine."""

    class Outcome(models.TextChoices):
        DONE = "done", _("按要求办结")
        FAILED = "failed", _("未按要求办结")

    item = models.OneToOneField(Item, on_delete=models.PROTECT, primary_key=True, related_name="supervision")
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="supervisions", verbose_name=_("计划节点")
    )
    requirement = models.TextField(_("督办要求"))
    outcome = models.CharField(_("督办结果"), max_length=8, choices=Outcome.choices, blank=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")

    def __str__(self) -> str:
        return f"{self.item.number} {self.node}"
