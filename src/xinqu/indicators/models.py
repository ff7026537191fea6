"""Economic indicators: the catalog, approved observations with their revision history, the
department returns (填报) that carry values from draft to approval, annual targets, and peer zones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import Approvable, DepartmentOwned, Named, OrgUnit

UNITS = [
    "亿元",
    "万元",
    "元",
    "万美元",
    "%",
    "个",
    "家",
    "户",
    "项",
    "套",
    "万平方米",
    "平方米",
    "人",
    "万人",
]
LEVELS = ["zone", "area", "park"]

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$", _("编码只能用小写字母、数字和下划线，并以字母开头（公式中按编码引用指标）。")
)


class Indicator(DepartmentOwned, Named):
    """A measured quantity (指标). The owning department enters and approves its values."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("月度")
        QUARTERLY = "quarterly", _("季度")
        YEARLY = "yearly", _("年度")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    class PriceBasis(models.TextChoices):
        """What the published growth measures. Growth is always the published one where the source
        gives it; computed from last year's value only where it gives none (and then marked)."""

        COMPARABLE = "comparable", _("可比价（剔除价格因素）")
        CURRENT = "current", _("现价，可比口径")

    class Level(models.TextChoices):
        ZONE = "zone", _("新区")
        AREA = "area", _("功能区")
        PARK = "park", _("园区")

    class Kind(models.TextChoices):
        """What a figure measures. The kind drives how it is shown, compared and scored: a flow
        is a year-to-date total compared with time elapsed; a stock is the figure at the month's
        end (期末数) compared with the target itself; a rate or a ratio is a percentage that
        changes in 百分点 and is held against its target by the gap in points."""

        FLOW = "flow", _("流量（累计）")
        STOCK = "stock", _("存量（期末数）")
        RATE = "rate", _("比率（如增速、满意率）")
        RATIO = "ratio", _("比重（占比）")

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(
        _("指标类别"),
        max_length=8,
        choices=Kind.choices,
        default=Kind.FLOW,
        help_text=_("流量按序时进度比较；存量按期末数与目标比较；比率、比重按与目标相差的百分点比较"),
    )
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    unit = models.CharField(_("计量单位"), max_length=16)
    decimals = models.PositiveSmallIntegerField(_("显示小数位"), default=1, validators=[MaxValueValidator(4)])
    frequency = models.CharField(
        _("频度"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    cumulative = models.BooleanField(
        _("累计发布"), default=True, help_text=_("按1-N月累计值发布的流量指标；存量和比率类指标不勾选")
    )
    jan_feb_combined = models.BooleanField(
        _("1-2月合并发布"), default=True, help_text=_("统计部门不单独发布1月数据，2月发布1-2月累计")
    )
    additive = models.BooleanField(_("可按区域加总"), default=True, help_text=_("功能区之和等于新区"))
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    price_basis = models.CharField(
        _("增速口径"), max_length=10, choices=PriceBasis.choices, default=PriceBasis.CURRENT
    )
    seasonal_progress = models.BooleanField(
        _("序时进度按季节比重"),
        default=False,
        help_text=_(
            "不勾选时序时进度为已过月数 ÷ 12（或目标的分月进度）；勾选后按近三年同期累计占全年的比重"
        ),
    )
    lowest_level = models.CharField(
        _("填报到"), max_length=8, choices=Level.choices, default=Level.PARK, help_text=_("最细填报到哪一级")
    )
    formula = models.CharField(
        _("计算公式"),
        max_length=200,
        blank=True,
        help_text=_("派生指标由其他填报指标计算，写指标名称即可，如“产业项目投资 / 项目投资 * 100”；不填报"),
    )
    feed = models.CharField(
        _("数据来源（自动取数）"),
        max_length=60,
        blank=True,
        help_text=_(
            "由其他模块自动取数的指标（如企业名录的高企户数、项目台账的开复工项目数）：不填报，"
            "关账时写入该月数值，未关账的月份实时计算"
        ),
    )
    yellow_pp = models.DecimalField(
        _("黄灯：落后超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    red_pp = models.DecimalField(
        _("红灯：落后超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    growth_yellow_pp = models.DecimalField(
        _("增速黄灯：低于目标超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    growth_red_pp = models.DecimalField(
        _("增速红灯：低于目标超过（百分点）"), max_digits=6, decimal_places=2, default=Decimal("2")
    )
    band_pct = models.PositiveSmallIntegerField(
        _("历史区间容差（%）"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("数值超出往年同月最小值至最大值再放宽该比例时提示核实"),
    )
    growth_tolerance_pp = models.DecimalField(
        _("增速核对容差（百分点）"), max_digits=6, decimal_places=2, default=Decimal("1")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.CheckConstraint(
                condition=Q(red_pp__gte=models.F("yellow_pp")), name="indicator_red_after_yellow"
            ),
            models.CheckConstraint(
                condition=Q(growth_red_pp__gte=models.F("growth_yellow_pp")),
                name="indicator_growth_red_after_yellow",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def zone_visible_q(cls) -> Q:
        return Q(confidential=False)

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)

    @property
    def is_fed(self) -> bool:
        """Its values come from another module's feed, never from a return."""
        return bool(self.feed)

    def level_allows(self, kind: str) -> bool:
        return LEVELS.index(kind) <= LEVELS.index(self.lowest_level)

    @property
    def measure(self) -> str:
        """How a plan scores a KPI that reads this figure (plans.Node.Measure values)."""
        measures: dict[str, str] = {"stock": "stock", "rate": "rate", "ratio": "rate"}
        return measures.get(self.kind, "quantity")

    @property
    def is_rate(self) -> bool:
        """A rate or ratio: it changes in 百分点 and has no growth of its own."""
        return self.kind in (self.Kind.RATE, self.Kind.RATIO)

    def is_due(self, month: int) -> bool:
        """Whether a value is published for this month."""
        if self.frequency == self.Frequency.QUARTERLY:
            return month % 3 == 0
        if self.frequency == self.Frequency.YEARLY:
            return month == 12
        return not (month == 1 and self.cumulative and self.jan_feb_combined)

    def due_month(self, month: int) -> int | None:
        """The latest month at or before ``month`` with a published value in the same year."""
        if self.frequency == self.Frequency.QUARTERLY:
            return month - month % 3 or None
        if self.frequency == self.Frequency.YEARLY:
            return 12 if month == 12 else None
        if month == 1 and self.cumulative and self.jan_feb_combined:
            return None
        return month

    def previous_month(self, month: int) -> int | None:
        """The month of the previous value in the same year, for deriving single-period values."""
        step = (
            3
            if self.frequency == self.Frequency.QUARTERLY
            else 12
            if self.frequency == self.Frequency.YEARLY
            else 1
        )
        previous = month - step
        if previous < 1 or (previous == 1 and self.cumulative and self.jan_feb_combined and step == 1):
            return None
        return previous

    def period_label(self, period: dt.date) -> str:
        return period_label(period, self)


def quarter_name(month: int, cumulative: bool = True) -> str:
    """A quarter as bureaus name it: 一季度 / 上半年 / 前三季度 / 全年 for a year-to-date flow,
    一季度末 … 四季度末 for a stock."""
    if cumulative:
        names = {3: _("一季度"), 6: _("上半年"), 9: _("前三季度"), 12: _("全年")}
    else:
        names = {3: _("一季度末"), 6: _("二季度末"), 9: _("三季度末"), 12: _("四季度末")}
    return str(names.get(month - month % 3 if month % 3 else month, ""))


def period_label(period: dt.date, indicator: Indicator | None = None) -> str:
    """How statistics bureaus name a period: 2024年1-5月 for year-to-date, 2024年5月末 for a stock,
    2024年一季度 / 上半年 for a quarterly figure."""
    values = {"year": period.year, "month": period.month}
    if (
        indicator is not None
        and indicator.frequency == Indicator.Frequency.QUARTERLY
        and period.month % 3 == 0
    ):
        return gettext("%(year)d年%(quarter)s") % {
            "year": period.year,
            "quarter": quarter_name(period.month, indicator.cumulative),
        }
    if indicator is not None and not indicator.cumulative:
        return gettext("%(year)d年%(month)d月末") % values
    if period.month == 1:
        return gettext("%(year)d年1月") % values
    return gettext("%(year)d年1-%(month)d月") % values


class Observation(models.Model):
    """One approved value of one indicator for one org unit and period (the first day of its month;
    a quarter is filed under its last month). Only approved values live here, so every reader sees
    exactly what dashboards may show."""

    # The unique (indicator, org_unit, period) index serves lookups by indicator: no second index.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("期间"))
    ytd_value = models.DecimalField(_("累计值"), max_digits=20, decimal_places=4, null=True)
    ytd_derived = models.BooleanField(_("累计值为推算"), default=False)
    period_value = models.DecimalField(_("当期值"), max_digits=20, decimal_places=4, null=True)
    period_derived = models.BooleanField(_("当期值为推算"), default=False)
    growth = models.DecimalField(_("公布增速（%）"), max_digits=9, decimal_places=2, null=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    submission = models.ForeignKey(
        "Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True)

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="observation_unique"),
        ]
        # The checks read one period's year-to-date values for many series: a covering index
        # answers that without touching the table (the series' rows lie far apart in it).
        indexes = [
            models.Index(fields=["period", "indicator", "org_unit", "ytd_value"], name="observation_period")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period:%Y-%m}"


class ObservationRevision(models.Model):
    """The values an approved observation held before a later approval replaced them."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField(_("修订次数"))
    ytd_value = models.DecimalField(_("累计值"), max_digits=20, decimal_places=4, null=True)
    period_value = models.DecimalField(_("当期值"), max_digits=20, decimal_places=4, null=True)
    growth = models.DecimalField(_("公布增速（%）"), max_digits=9, decimal_places=2, null=True)
    replaced_at = models.DateTimeField(_("修订时间"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    submission = models.ForeignKey("Submission", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["observation", "-revision"]
        verbose_name = _("指标值修订")
        verbose_name_plural = _("指标值修订")

    def __str__(self) -> str:
        return f"{self.observation_id} r{self.revision}"


class Submission(DepartmentOwned, Approvable):
    """A department's return (填报) for one month: its values go draft → submitted → approved by
    the department head, and only then become observations. A returned one goes back to draft."""

    OPEN: ClassVar[set[str]] = {"draft", "submitted", "returned"}

    period = models.DateField(_("期间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "department__sort_order", "-id"]
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period"],
                condition=~Q(status="approved"),
                name="submission_one_open_per_department_period",
                violation_error_message=_("本部门这个月已有一份未审核的填报。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.period:%Y-%m}"

    @classmethod
    def zone_visible_q(cls) -> Q:
        return Q(pk__in=[])  # returns are the department's own business until approved as observations

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class SubmissionValue(models.Model):
    """One value in a return. Either the year-to-date or the single-period value may be given."""

    # Lookups go by return, through the unique (submission, indicator, org_unit) index. No index of
    # its own for each foreign key: a 100,000-row import pays for every index, and only deleting an
    # indicator or unit (rare, and refused while values exist) would look values up that way.
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", db_index=False)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    ytd_value = models.DecimalField(_("累计值"), max_digits=20, decimal_places=4, null=True, blank=True)
    period_value = models.DecimalField(_("当期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth = models.DecimalField(_("同比增长（%）"), max_digits=9, decimal_places=2, null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["indicator__sort_order", "indicator_id", "org_unit__sort_order", "org_unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator", "org_unit"], name="submissionvalue_unique"
            ),
            models.CheckConstraint(
                condition=Q(ytd_value__isnull=False)
                | Q(period_value__isnull=False)
                | Q(growth__isnull=False),
                name="submissionvalue_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}"


class Target(models.Model):
    """An annual target for one indicator and org unit: a value, a growth rate, or both. The
    optional phasing gives the cumulative share (%) expected by the end of each month."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth = models.DecimalField(_("目标增速（%）"), max_digits=9, decimal_places=2, null=True, blank=True)
    phasing = models.JSONField(_("分月进度（累计%）"), default=list, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "indicator__sort_order", "org_unit__sort_order"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "year"], name="target_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(growth__isnull=False), name="target_value_or_growth"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.org_unit} {self.year}"


class PeerZone(models.Model):
    """A zone we benchmark against (对标), e.g. one of the national new areas."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    group = models.CharField(_("分组"), max_length=40, default="国家级新区")
    is_self = models.BooleanField(_("本新区"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("对标新区")
        verbose_name_plural = _("对标新区")

    def __str__(self) -> str:
        return self.name


class PeerFigure(models.Model):
    """A peer zone's published figure for one indicator and year; either part may be unknown."""

    peer = models.ForeignKey(PeerZone, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth = models.DecimalField(_("增速（%）"), max_digits=9, decimal_places=2, null=True, blank=True)
    scope = models.CharField(
        _("统计范围"),
        max_length=120,
        blank=True,
        help_text=_("如 全域、直管区、某区；范围不同的数据不宜直接比较"),
    )
    source = models.URLField(_("来源"), max_length=500, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("对标数据")
        verbose_name_plural = _("对标数据")
        constraints = [
            models.UniqueConstraint(fields=["peer", "indicator", "year"], name="peerfigure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.peer} {self.indicator} {self.year}"


class DataVersion(models.Model):
    """One row whose token the database changes on every write to observations, targets or the
    catalog (triggers, migration 0002), whoever writes. Cached overviews are keyed by it, so a
    cached overview is never older than the data."""

    token = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return self.token
