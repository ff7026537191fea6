from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import DepartmentOwned, Named, OrgUnit
from xinqu.core.validators import validate_phone
from xinqu.enterprises.codes import validate_credit_code, validate_industry_code


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class IndustryNode(models.Model):
    """The zone's industry system, one tree: cluster (产业集群) → chain (产业链) → chain node (链环节)."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("产业集群")
        CHAIN = "chain", _("产业链")
        NODE = "node", _("链环节")

    class Segment(models.TextChoices):
        UPSTREAM = "up", _("上游")
        MIDSTREAM = "mid", _("中游")
        DOWNSTREAM = "down", _("下游")

    PARENT_KIND: ClassVar[dict[str, str | None]] = {"cluster": None, "chain": "cluster", "node": "chain"}

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    segment = models.CharField(_("链位置"), max_length=4, choices=Segment.choices, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("产业体系节点")
        verbose_name_plural = _("产业体系节点")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cluster") & Q(parent__isnull=True))
                | (~Q(kind="cluster") & Q(parent__isnull=False)),
                name="industrynode_only_cluster_is_root",
            ),
            models.CheckConstraint(
                condition=(Q(kind="node") & ~Q(segment="")) | (~Q(kind="node") & Q(segment="")),
                name="industrynode_segment_only_on_nodes",
                violation_error_message=_("链环节必须标明上游、中游或下游；集群和产业链不标。"),
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="industrynode_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(DepartmentOwned):
    """An enterprise in the registry, kept by a steward department (usually 经济发展局)."""

    # What a linked page shows instead of the name to a viewer who may not see the enterprise.
    masked_name = _("保密企业")

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("企业名称"), max_length=120, db_index=True)
    former_names = models.CharField(_("曾用名"), max_length=400, blank=True, help_text=_("多个用“；”分隔"))
    area = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "area"},
        verbose_name=_("功能区"),
    )
    park = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "park"},
        verbose_name=_("园区"),
    )
    industry_code = models.CharField(
        _("行业代码"),
        max_length=5,
        blank=True,
        validators=[validate_industry_code],
        help_text=_("GB/T 4754-2017，如 C3670"),
    )
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    above_scale_year = models.PositiveSmallIntegerField(
        _("入规年份"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    is_quiet = models.BooleanField(_("无事不扰企业"), default=False, help_text=_("只接受事先告知的走访"))
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    service_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_enterprises",
        verbose_name=_("企业服务专员"),
    )
    tier = models.ForeignKey(
        "Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("培育梯次")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.CheckConstraint(
                condition=Q(above_scale=True) | Q(above_scale_year__isnull=True),
                name="enterprise_scale_year_needs_above_scale",
                violation_error_message=_("只有规上企业才有入规年份。"),
            )
        ]
        # The statistics count by these without reading the table.
        indexes = [
            models.Index(fields=["area", "above_scale"], name="enterprise_area_scale"),
            models.Index(fields=["park", "above_scale"], name="enterprise_park_scale"),
            models.Index(fields=["tier", "above_scale"], name="enterprise_tier_scale"),
            # The year's new above-scale enterprises (入规), which 入规入统 counts.
            models.Index(fields=["above_scale_year"], name="enterprise_scale_year"),
        ]

    def __str__(self) -> str:
        return self.name


class YearlyFigure(models.Model):
    """One enterprise's figures for one year. A year's row is corrected, never replaced by another year's."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    revenue = models.DecimalField(
        _("营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rd_spend = models.DecimalField(
        _("研发投入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    tax = models.DecimalField(_("税收（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度经营数据")
        verbose_name_plural = _("年度经营数据")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="yearlyfigure_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class QualificationKind(Named):
    """A kind of qualification (高企, 科技型中小企业, 专精特新 levels, listed …). Extensible."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    group = models.CharField(
        _("统计口径"),
        max_length=30,
        blank=True,
        help_text=_("同一口径的资质合并计数，如各级专精特新计为“专精特新”"),
    )
    group_name = models.CharField(_("口径名称"), max_length=60, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("有效期（月）"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    review_months = models.PositiveSmallIntegerField(_("复核周期（月）"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        _("层级"), default=0, help_text=_("同一口径内的高低，数值越大越高")
    )

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("资质类型")
        verbose_name_plural = _("资质类型")

    def __str__(self) -> str:
        return self.name


class Qualification(DepartmentOwned):
    """One qualification an enterprise holds, recorded by the department that manages that kind."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.ForeignKey(
        QualificationKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("资质类型")
    )
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    granted_on = models.DateField(_("认定日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    review_due = models.DateField(_("复核日期"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    exchange = models.CharField(_("上市交易所"), max_length=30, blank=True)
    ticker = models.CharField(_("股票代码"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-granted_on", "id"]
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "granted_on"], name="qualification_unique_grant"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("granted_on")),
                name="qualification_expires_after_grant",
                violation_error_message=_("有效期至不能早于认定日期。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "granted_on", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.kind}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.granted_on <= day
            and (self.expires_on is None or self.expires_on >= day)
            and (self.revoked_on is None or self.revoked_on > day)
        )


class Tier(models.Model):
    """A cultivation tier (梯次): 昂首 / 强基 / 挖潜 by default. Rules are thresholds; an
    enterprise takes the highest tier whose every set threshold it meets."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    rank = models.PositiveSmallIntegerField(
        _("级别"), help_text=_("数值越大级别越高，按规则评定时从高到低匹配")
    )
    min_revenue = models.DecimalField(
        _("营业收入不低于（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    min_growth_pct = models.DecimalField(
        _("营收增速不低于（%）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    qualification_kinds = models.ManyToManyField(
        QualificationKind, blank=True, related_name="+", verbose_name=_("须持有其中一项资质")
    )

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("培育梯次")
        verbose_name_plural = _("培育梯次")

    def __str__(self) -> str:
        return self.name


class TierChange(models.Model):
    """The history of an enterprise's tier: every assignment, by rule or by hand with a reason."""

    class Method(models.TextChoices):
        RULE = "rule", _("按规则")
        MANUAL = "manual", _("人工")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tier_changes")
    previous = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("梯次变更")
        verbose_name_plural = _("梯次变更")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="manual") | ~Q(reason=""),
                name="tierchange_manual_needs_reason",
                violation_error_message=_("人工调整梯次必须写明理由。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.previous} → {self.tier}"


class ChainPosition(models.Model):
    """An enterprise's place on a chain node; chain leaders (链主企业) are marked."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="chain_positions")
    node = models.ForeignKey(
        IndustryNode,
        on_delete=models.PROTECT,
        related_name="positions",
        limit_choices_to={"kind": "node"},
        verbose_name=_("链环节"),
    )
    is_leader = models.BooleanField(_("链主企业"), default=False)

    class Meta:
        verbose_name = _("产业链位置")
        verbose_name_plural = _("产业链位置")
        constraints = [models.UniqueConstraint(fields=["enterprise", "node"], name="chainposition_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.node}"


class ReferenceTotal(models.Model):
    """A total users enter for comparison: e.g. the province's number of high-tech enterprises."""

    class Scope(models.TextChoices):
        PROVINCE = "province", _("全省")
        CITY = "city", _("全市")

    group = models.CharField(_("统计口径"), max_length=30)
    year = models.PositiveSmallIntegerField(_("年度"))
    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices)
    total = models.PositiveIntegerField(_("总数"))
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        ordering = ["group", "-year", "scope"]
        verbose_name = _("对比总数")
        verbose_name_plural = _("对比总数")
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "scope"], name="referencetotal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.year} {self.scope}: {self.total}"


class VisitRule(models.Model):
    """The zone's "无事不扰" rules. One row; a blank limit means no limit."""

    max_inspections_per_year = models.PositiveSmallIntegerField(
        _("每家企业每年检查次数上限（全区各部门合计）"), null=True, blank=True
    )
    max_visits_per_month = models.PositiveSmallIntegerField(
        _("每家企业每月走访次数上限"), null=True, blank=True
    )
    quiet_requires_announcement = models.BooleanField(_("无事不扰企业只接受事先告知的走访"), default=True)

    class Meta:
        verbose_name = _("走访规则")
        verbose_name_plural = _("走访规则")

    def __str__(self) -> str:
        return "visit rules"


class Visit(DepartmentOwned):
    """A government visit to an enterprise, logged by the visiting department."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务走访")
        INSPECTION = "inspection", _("执法检查")
        SURVEY = "survey", _("调研")
        OTHER = "other", _("其他")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="visits", verbose_name=_("企业")
    )
    visited_on = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    purpose = models.CharField(_("事由"), max_length=300)
    announced = models.BooleanField(_("事先告知"), default=False)
    breaches = models.CharField(_("触犯的规则"), max_length=300, blank=True)
    override_reason = models.CharField(_("超规则理由"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [models.Index(fields=["enterprise", "visited_on"]), models.Index(fields=["visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(breaches="") | ~Q(override_reason=""),
                name="visit_breach_needs_reason",
                violation_error_message=_("超出走访规则的记录必须写明理由。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise}"
