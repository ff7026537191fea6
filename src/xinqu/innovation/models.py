"""Innovation platforms (创新平台): the zone's laboratories, research centres, new R&D institutes,
incubators, maker spaces and innovation parks, each with its recognitions (a level, the day it was
recognised and how long it holds), its operator, and a yearly record of what it achieved (the
fields the 火炬统计 and the provincial assessment ask for).

Money is in 万元. A platform's level on a day is its highest recognition valid that day, never a
copy kept on the platform.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import AccessQuerySet, DepartmentOwned


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


# Highest first: a platform recognised at several levels is counted at the highest valid one.
LEVEL_ORDER: list[str] = [Level.NATIONAL, Level.PROVINCIAL, Level.CITY]


class Platform(DepartmentOwned):
    class Kind(models.TextChoices):
        KEY_LAB = "key_lab", _("重点实验室")
        ENGINEERING = "engineering", _("工程技术研究中心")
        ENTERPRISE_CENTRE = "enterprise_centre", _("企业技术中心")
        INSTITUTE = "institute", _("新型研发机构")
        INCUBATOR = "incubator", _("孵化器")
        MAKERSPACE = "makerspace", _("众创空间")
        PARK = "park", _("产业园")
        OTHER = "other", _("其他")

    code = models.CharField(_("平台编号"), max_length=20, unique=True)
    name = models.CharField(_("平台名称"), max_length=200)
    kind = models.CharField(_("平台类别"), max_length=20, choices=Kind.choices)
    # The operator: an enterprise in the registry, or an institution (a university, an institute).
    operator = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platforms",
        verbose_name=_("运营企业"),
    )
    institution = models.CharField(_("运营单位（高校、院所等）"), max_length=200, blank=True)
    park = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在园区"),
    )
    chain_node = models.ForeignKey(
        "enterprises.IndustryNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platforms",
        verbose_name=_("产业链环节"),
    )
    space = models.DecimalField(
        _("场地面积（平方米）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    staff = models.PositiveIntegerField(_("人员（人）"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_on = models.DateField(_("登记日期"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("创新平台")
        verbose_name_plural = _("创新平台")
        indexes = [models.Index(fields=["kind"], name="platform_kind")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Recognition(models.Model):
    """A platform's recognition at one level (认定): the day, the document and how long it holds."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="recognitions")
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    recognised_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("长期有效的留空"))
    document = models.CharField(_("认定文号"), max_length=100, blank=True)

    class Meta:
        ordering = ["platform", "recognised_on", "id"]
        verbose_name = _("平台认定")
        verbose_name_plural = _("平台认定")
        indexes = [models.Index(fields=["level", "recognised_on"], name="recognition_level_on")]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "level", "recognised_on"], name="recognition_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("recognised_on")),
                name="recognition_valid_after_recognised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.level} {self.recognised_on}"


class PlatformYear(models.Model):
    """What a platform achieved in one year: the 火炬统计 and provincial assessment fields."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    incubated = models.PositiveIntegerField(_("在孵企业（家）"), default=0)
    graduated = models.PositiveIntegerField(_("当年毕业企业（家）"), default=0)
    rd_spend = models.DecimalField(
        _("研发投入（万元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    patents = models.PositiveIntegerField(_("当年授权专利（件）"), default=0)
    hosted_revenue = models.DecimalField(
        _("在孵（入驻）企业总收入（万元）"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["platform", "-year"]
        verbose_name = _("平台年度绩效")
        verbose_name_plural = _("平台年度绩效")
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="platformyear_once")]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.year}"


class AssessmentRule(models.Model):
    """The zone's rule for a platform's yearly score (one row; the innovation bureau edits it):
    points for the level held at the year's end, plus points per unit of each yearly figure."""

    national = models.DecimalField(_("国家级基础分"), max_digits=8, decimal_places=2, default=Decimal(40))
    provincial = models.DecimalField(_("省级基础分"), max_digits=8, decimal_places=2, default=Decimal(25))
    city = models.DecimalField(_("市级基础分"), max_digits=8, decimal_places=2, default=Decimal(15))
    per_incubated = models.DecimalField(
        _("每家在孵企业"), max_digits=8, decimal_places=2, default=Decimal("0.5")
    )
    per_graduated = models.DecimalField(_("每家毕业企业"), max_digits=8, decimal_places=2, default=Decimal(2))
    per_patent = models.DecimalField(_("每件授权专利"), max_digits=8, decimal_places=2, default=Decimal(1))
    per_rd_100m = models.DecimalField(
        _("每亿元研发投入"), max_digits=8, decimal_places=2, default=Decimal(10)
    )
    per_revenue_100m = models.DecimalField(
        _("每亿元在孵企业收入"), max_digits=8, decimal_places=2, default=Decimal(2)
    )
    cap = models.DecimalField(_("满分"), max_digits=8, decimal_places=2, default=Decimal(100))

    class Meta:
        verbose_name = _("平台考核规则")
        verbose_name_plural = _("平台考核规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class InnovationProject(DepartmentOwned):
    """An innovation project (创新项目): a "515" category, 揭榜挂帅, 产学研合作 or a technology
    transfer, led by an enterprise or institution with its partners, its funding and outcomes."""

    class Kind(models.TextChoices):
        HIGH_LEVEL = "high_level", _("高能级项目")
        ACADEMICIAN = "academician", _("院士型项目")
        OPEN_COMPETITION = "open_competition", _("揭榜挂帅")
        COOPERATION = "cooperation", _("产学研合作")
        TRANSFER = "transfer", _("技术转移")

    code = models.CharField(_("项目编号"), max_length=20, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类别"), max_length=20, choices=Kind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="innovation_projects",
        verbose_name=_("承担企业"),
    )
    institution = models.CharField(_("承担单位（高校、院所等）"), max_length=200, blank=True)
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("依托平台"),
    )
    started_on = models.DateField(_("立项日期"))
    due_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    ended_on = models.DateField(_("结项日期"), null=True, blank=True)
    budget = models.DecimalField(
        _("总投入（万元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    support = models.DecimalField(
        _("财政支持（万元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("创新项目")
        verbose_name_plural = _("创新项目")
        indexes = [models.Index(fields=["kind", "started_on"], name="innoproject_kind_started")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Partner(models.Model):
    """A project's partner: an enterprise of the registry, or a university or institute by name."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("合作方类别"), max_length=12, choices=Kind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("合作方名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """What a project produced: a patent, a standard, a product, an award or a transferred
    technology. A landmark outcome (标志性成果, one of the "515") says why it is one."""

    class Kind(models.TextChoices):
        PATENT = "patent", _("专利")
        STANDARD = "standard", _("标准")
        PRODUCT = "product", _("新产品")
        AWARD = "award", _("奖项")
        TRANSFER = "transfer", _("技术转让")

    project = models.ForeignKey(InnovationProject, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(_("成果类别"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("成果名称"), max_length=200)
    number = models.CharField(_("编号（专利号、标准号等）"), max_length=60, blank=True)
    achieved_on = models.DateField(_("取得日期"))
    landmark = models.BooleanField(_("标志性成果"), default=False)
    landmark_reason = models.CharField(_("认定为标志性成果的理由"), max_length=300, blank=True)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("创新成果")
        verbose_name_plural = _("创新成果")
        indexes = [models.Index(fields=["landmark", "achieved_on"], name="outcome_landmark_on")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(landmark=False) | ~models.Q(landmark_reason=""),
                name="outcome_landmark_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TalentCategory(models.TextChoices):
    ACADEMICIAN = "academician", _("院士")
    OVERSEAS = "overseas", _("海外人才")
    INNOVATIVE = "innovative", _("创新型人才")


class TalentProgramme(models.Model):
    """A talent programme (引才计划) the zone recruits under, e.g. its academician programme."""

    name = models.CharField(_("计划名称"), max_length=120, unique=True)
    category = models.CharField(_("人才类别"), max_length=12, choices=TalentCategory.choices)
    started_on = models.DateField(_("设立日期"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["started_on", "name"]
        verbose_name = _("引才计划")
        verbose_name_plural = _("引才计划")

    def __str__(self) -> str:
        return self.name


class Talent(DepartmentOwned):
    """A person or team recruited under a programme: the host, the support promised and paid, and
    the obligations an acceptance review scores. The ID number and phone are personal data:
    masked wherever shown, revealed to the bureau on request, each reveal in the audit log."""

    programme = models.ForeignKey(
        TalentProgramme, on_delete=models.PROTECT, related_name="talents", verbose_name=_("引才计划")
    )
    name = models.CharField(_("姓名或团队名称"), max_length=120)
    team = models.BooleanField(_("团队"), default=False)
    id_number = models.CharField(
        _("证件号码"), max_length=30, help_text=_("身份证或护照号码；团队填带头人的")
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    host_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talents",
        verbose_name=_("用人企业"),
    )
    host_platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talents",
        verbose_name=_("依托平台"),
    )
    lead = models.ForeignKey(
        "investment.Lead",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talents",
        verbose_name=_("招商线索（高科技人才产业项目）"),
    )
    recruited_on = models.DateField(_("引进日期"))
    service_years = models.PositiveSmallIntegerField(_("服务期（年）"), default=3)
    support_promised = models.DecimalField(
        _("承诺支持（万元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    obligations = models.TextField(_("约定义务"), blank=True, help_text=_("如服务年限、成果产出"))

    class Meta:
        ordering = ["-recruited_on", "-id"]
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        constraints = [
            models.UniqueConstraint(fields=["programme", "id_number"], name="talent_once_per_programme")
        ]

    def __str__(self) -> str:
        return self.name


class SupportPayment(models.Model):
    """Support paid to a talent. Beyond what was promised only when confirmed, with the reason."""

    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("拨付日期"))
    amount = models.DecimalField(_("金额（万元）"), max_digits=12, decimal_places=2)
    over_reason = models.CharField(_("超出承诺的说明"), max_length=300, blank=True)
    clawback = models.BooleanField(_("追回"), default=False)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("支持资金")
        verbose_name_plural = _("支持资金")

    def __str__(self) -> str:
        return f"{self.talent_id} {self.paid_on} {self.amount}"


class Review(models.Model):
    """An acceptance review (验收) of a talent against its obligations."""

    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("验收日期"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    note = models.TextField(_("验收意见"), blank=True)
    clawed_back = models.DecimalField(
        _("追回金额（万元）"), max_digits=12, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["reviewed_on", "id"]
        verbose_name = _("验收")
        verbose_name_plural = _("验收")

    def __str__(self) -> str:
        return f"{self.talent_id} {self.reviewed_on} {self.score}"


class TalentRule(models.Model):
    """The clawback rule (one row; the bureau edits it): a review scoring below the threshold
    claws back that share of the support paid so far."""

    threshold = models.DecimalField(_("合格分"), max_digits=5, decimal_places=1, default=Decimal(60))
    clawback_percent = models.DecimalField(
        _("不合格追回比例（%）"), max_digits=5, decimal_places=1, default=Decimal(50)
    )

    class Meta:
        verbose_name = _("人才考核规则")
        verbose_name_plural = _("人才考核规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ProjectTaskQuerySet(AccessQuerySet["ProjectTask"]):
    """Every business role reads an innovation project's milestones and problems; the department
    each is sent to works on it (on the workflow engine)."""

    department_field = "item__department"


class ProjectTask(models.Model):
    """A project's milestone (节点) or problem (问题), handled on the workflow engine by the
    department it is sent to, with its working-day deadline, reminders and escalation."""

    class Category(models.TextChoices):
        MILESTONE = "milestone", _("节点任务")
        PROBLEM = "problem", _("问题")

    item = models.OneToOneField(
        "workflow.Item", on_delete=models.PROTECT, primary_key=True, related_name="innovation_task"
    )
    project = models.ForeignKey(
        InnovationProject, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("创新项目")
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    description = models.TextField(_("内容"))

    objects = ProjectTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点和问题")
        verbose_name_plural = _("项目节点和问题")

    def __str__(self) -> str:
        return f"{self.item_id} {self.category}"
