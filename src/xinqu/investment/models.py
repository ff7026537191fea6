"""Investment attraction (招商引资): a lead from first contact to a landed enterprise and project,
with its gate documents, activities, contract and paid-in capital, and the agencies and
ambassadors who bring leads.

Money is in 万 of the lead's or payment's currency, as the ledgers keep it; each amount keeps the
exchange rate of its day and its value in 万元 (``*_cny``), so sums never mix currencies.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_department_member, is_leader
from xinqu.core.models import AccessQuerySet, DepartmentOwned, DepartmentOwnedQuerySet


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    JPY = "JPY", _("日元")
    HKD = "HKD", _("港元")
    KRW = "KRW", _("韩元")
    GBP = "GBP", _("英镑")


class Origin(models.TextChoices):
    OUT_OF_PROVINCE = "province", _("省外")
    IN_PROVINCE = "city", _("省内市外")
    IN_CITY = "local", _("市内")
    FOREIGN = "foreign", _("外资")


class ExchangeRate(models.Model):
    """Yuan per unit of a foreign currency on a day (the central parity the finance bureau uses)."""

    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices)
    on = models.DateField(_("日期"))
    rate = models.DecimalField(
        _("汇率（人民币元/单位外币）"), max_digits=12, decimal_places=6, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["-on", "currency"]
        verbose_name = _("汇率")
        verbose_name_plural = _("汇率")
        constraints = [models.UniqueConstraint(fields=["currency", "on"], name="exchangerate_unique_day")]

    def __str__(self) -> str:
        return f"{self.currency} {self.on} {self.rate}"


class Referrer(models.Model):
    """An investment agency (招商机构) or ambassador (招商大使) with its plaque (授牌) and yearly
    obligations. A signing counts for a referrer only if it was appointed by then."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("招商机构")
        AMBASSADOR = "ambassador", _("招商大使")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120)
    appointed_on = models.DateField(_("授牌日期"))
    ends_on = models.DateField(_("聘期截止"), null=True, blank=True)
    leads_per_year = models.PositiveSmallIntegerField(_("每年有效线索（条）"), default=12)
    investment_per_year = models.DecimalField(
        _("每年促成固定资产投资（亿元）"), max_digits=10, decimal_places=2, default=Decimal("4")
    )
    contact = models.CharField(_("联系方式"), max_length=120, blank=True)

    class Meta:
        ordering = ["kind", "appointed_on", "name"]
        verbose_name = _("招商机构和大使")
        verbose_name_plural = _("招商机构和大使")

    def __str__(self) -> str:
        return self.name


class LeadQuerySet(DepartmentOwnedQuerySet["Lead"]):
    """Until it is signed a lead is its team's and the leaders'; once signed every business role
    reads it. Its team changes it."""

    def editable_by(self, user: Any) -> Self:
        if not is_department_member(user):
            return self.none()
        return self.filter(department_id=user.department_id)


class Lead(DepartmentOwned):
    class Stage(models.TextChoices):
        LEAD = "lead", _("线索")
        CONTACT = "contact", _("接洽")
        INSPECT = "inspect", _("考察")
        NEGOTIATE = "negotiate", _("洽谈")
        SIGNED = "signed", _("签约")
        LANDED = "landed", _("落地（注册）")
        STARTED = "started", _("开工")
        OPERATING = "operating", _("投产")
        PAUSED = "paused", _("暂缓")
        LOST = "lost", _("流失")

    class Source(models.TextChoices):
        AGENCY = "agency", _("招商机构")
        AMBASSADOR = "ambassador", _("招商大使")
        REFERRAL = "referral", _("以商招商")
        EXHIBITION = "exhibition", _("展会")
        WALK_IN = "walk_in", _("自主上门")

    class ChainRole(models.TextChoices):
        FILL = "fill", _("补链")
        EXTEND = "extend", _("延链")
        STRENGTHEN = "strengthen", _("强链")

    code = models.CharField(_("线索编号"), max_length=20, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    company = models.CharField(_("目标企业"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    origin = models.CharField(_("资金来源地"), max_length=10, choices=Origin.choices)
    country = models.CharField(_("国别（地区）"), max_length=40, blank=True)
    source = models.CharField(_("线索来源"), max_length=12, choices=Source.choices)
    referrer = models.ForeignKey(
        Referrer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("引荐方"),
    )
    referring_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_leads",
        verbose_name=_("引荐企业"),
    )
    chain_node = models.ForeignKey(
        "enterprises.IndustryNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("产业链环节"),
    )
    chain_role = models.CharField(_("补链/延链/强链"), max_length=10, choices=ChainRole.choices, blank=True)
    chain_leader = models.BooleanField(_("链主企业"), default=False)
    # One of the "三个五": a project founded on high-tech talent (高科技人才产业项目), counted when it lands.
    talent_project = models.BooleanField(_("高科技人才产业项目"), default=False)
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    amount = models.DecimalField(
        _("意向投资（万，原币）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rate = models.DecimalField(_("汇率"), max_digits=12, decimal_places=6, default=Decimal(1))
    amount_cny = models.DecimalField(_("意向投资（万元）"), max_digits=16, decimal_places=2)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("招商专员"),
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.LEAD)
    # Where a paused or lost lead stood, and why it stopped.
    stopped_at = models.CharField(_("暂缓/流失前阶段"), max_length=10, choices=Stage.choices, blank=True)
    stop_reason = models.TextField(_("暂缓/流失原因"), blank=True)
    # The contract (签约).
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("合同投资额（万，原币）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_cny = models.DecimalField(
        _("合同投资额（万元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    land_by = models.DateField(_("约定落地日期"), null=True, blank=True)
    start_by = models.DateField(_("约定开工日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("落地企业"),
    )
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("项目台账"),
    )
    expected_sign_on = models.DateField(
        _("预计签约日期"), null=True, blank=True, help_text=_("用于签约预测；按阶段的成功概率计入当月")
    )
    # A leader's finding that the lead was reported falsely (虚报): the team's score is docked.
    false_report = models.BooleanField(_("认定虚报"), default=False)
    false_report_reason = models.CharField(_("虚报认定说明"), max_length=300, blank=True)
    last_activity_on = models.DateField(_("最近跟进"), null=True, blank=True)
    created_on = models.DateField(_("登记日期"))

    objects = LeadQuerySet.as_manager()  # type: ignore[misc]  # narrows DepartmentOwned's manager

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        indexes = [
            models.Index(fields=["stage", "department"], name="lead_stage_department"),
            models.Index(fields=["department", "created_on"], name="lead_department_created"),
            models.Index(fields=["chain_node", "stage"], name="lead_chain_node_stage"),
            # The map's five largest leads per node: read in order, stopping at five.
            models.Index(fields=["chain_node", "-amount_cny", "id"], name="lead_chain_node_amount"),
            models.Index(fields=["signed_on"], name="lead_signed_on"),
            # The landed figures (入规入统, 高科技人才产业项目) read a year's landings.
            models.Index(fields=["landed_on"], name="lead_landed_on"),
            models.Index(fields=["officer", "last_activity_on"], name="lead_officer_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def zone_visible_q(cls) -> Q:
        # Signed leads are public; before that only the team and the leaders see one.
        return Q(signed_on__isnull=False, confidential=False)


class StageStep(models.Model):
    """The day a lead reached a stage (each stage once; a resumed lead keeps its earlier days)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("阶段"), max_length=10, choices=Lead.Stage.choices)
    on = models.DateField(_("日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # Days since the lead reached the stage before (the funnel's median reads these).
    days = models.PositiveIntegerField(_("距上一阶段天数"), null=True, blank=True)
    # The lead's team, and its amount when it reached the stage (万元: intended, or the contract
    # from signing on), so the funnel sums a year's steps without reading every lead.
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("招商团队")
    )
    amount = models.DecimalField(
        _("到达时投资额（万元）"), max_digits=16, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")
        indexes = [
            models.Index(fields=["stage", "on"], name="stagestep_stage_on"),
            # Covers the funnel: counts, amounts by team and the median days, read from the index.
            models.Index(fields=["stage", "on", "days", "amount", "department"], name="stagestep_funnel"),
        ]
        constraints = [
            # A lead reaches each pipeline stage once (it may be paused or lost more than once).
            models.UniqueConstraint(
                fields=["lead", "stage"], condition=~Q(stage__in=["paused", "lost"]), name="stagestep_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.stage} {self.on}"


class DocumentKind(models.TextChoices):
    VISIT = "visit", _("考察记录")
    FEASIBILITY = "feasibility", _("可行性评估审定")
    NEGOTIATION = "negotiation", _("洽谈记录")
    LEGAL = "legal", _("司法审查意见")
    FAIR_COMPETITION = "fair_competition", _("公平竞争审查意见")
    CONTRACT = "contract", _("投资合同")
    OTHER = "other", _("其他材料")


class GateRule(models.Model):
    """A document a lead must have before it may enter a stage (the zone's stage gates)."""

    stage = models.CharField(_("阶段"), max_length=10, choices=Lead.Stage.choices)
    document = models.CharField(_("所需材料"), max_length=20, choices=DocumentKind.choices)

    class Meta:
        ordering = ["stage", "document"]
        verbose_name = _("阶段准入材料")
        verbose_name_plural = _("阶段准入材料")
        constraints = [models.UniqueConstraint(fields=["stage", "document"], name="gaterule_unique")]

    def __str__(self) -> str:
        return f"{self.stage} {self.document}"


def document_path(instance: Any, filename: str) -> str:
    return f"investment/{instance.lead_id}-{uuid.uuid4().hex}"


class Document(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("线索材料")
        verbose_name_plural = _("线索材料")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("拜访")
        CALL = "call", _("电话")
        MEETING = "meeting", _("会谈")
        INSPECTION = "inspection", _("考察")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("日期"))
    summary = models.TextField(_("情况"))
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    next_on = models.DateField(_("下一步日期"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        indexes = [models.Index(fields=["lead", "on"], name="activity_lead_on")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.on}"


def proof_path(instance: Any, filename: str) -> str:
    return f"investment/payments/{instance.lead_id}-{uuid.uuid4().hex}"


class PaymentQuerySet(AccessQuerySet["Payment"]):
    department_field = "lead__department"

    def visible_to(self, user: Any) -> Self:
        return (
            self.filter(lead__in=Lead.objects.visible_to(user))
            if (is_leader(user) or is_department_member(user))
            else self.none()
        )


class Payment(models.Model):
    """One payment of paid-in capital (到位资金) with its proof."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("固定资产投资")
        WORKING = "working", _("流动资金")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="payments")
    on = models.DateField(_("到位日期"))
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    amount = models.DecimalField(
        _("金额（万，原币）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rate = models.DecimalField(_("汇率"), max_digits=12, decimal_places=6, default=Decimal(1))
    amount_cny = models.DecimalField(_("金额（万元）"), max_digits=16, decimal_places=2)
    # Foreign capital is counted in US dollars (实际利用外资): the amount in 万美元, at that day's rates.
    amount_usd = models.DecimalField(
        _("金额（万美元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    kind = models.CharField(_("资金类别"), max_length=8, choices=Kind.choices, default=Kind.FIXED)
    origin = models.CharField(_("资金来源地"), max_length=10, choices=Origin.choices)
    proof = models.FileField(_("到账凭证"), upload_to=proof_path, max_length=300, blank=True)
    proof_name = models.CharField(_("凭证文件名"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        indexes = [models.Index(fields=["on", "origin"], name="payment_on_origin")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.on} {self.amount}"


class LeadRule(models.Model):
    """The zone's follow-up rule (one row): a lead with no activity for ``stale_days`` is stale."""

    stale_days = models.PositiveSmallIntegerField(_("多少天未跟进视为停滞"), default=30)
    # An agency's or ambassador's reward: a per-mille of the fixed assets actually formed (fixed
    # capital paid in) by the signings that count for it, by the signing's size, with a cap.
    reward_below_10 = models.DecimalField(
        _("奖励：10 亿元以下项目（‰）"), max_digits=5, decimal_places=2, default=Decimal(3)
    )
    reward_10_20 = models.DecimalField(
        _("奖励：10–20 亿元项目（‰）"), max_digits=5, decimal_places=2, default=Decimal(4)
    )
    reward_above_20 = models.DecimalField(
        _("奖励：20 亿元以上项目（‰）"), max_digits=5, decimal_places=2, default=Decimal(5)
    )
    reward_cap = models.DecimalField(
        _("每个机构或大使每年奖励上限（万元）"), max_digits=10, decimal_places=2, default=Decimal(200)
    )

    class Meta:
        verbose_name = _("线索跟进规则")
        verbose_name_plural = _("线索跟进规则")

    def __str__(self) -> str:
        return str(self.stale_days)


class Target(models.Model):
    """A team's investment targets for a year: signings, the amount signed and paid-in capital."""

    year = models.PositiveSmallIntegerField(_("年度"))
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("招商团队")
    )
    signings = models.PositiveIntegerField(_("签约项目（个）"))
    signed_amount = models.DecimalField(_("签约额（亿元）"), max_digits=10, decimal_places=2)
    paid_in = models.DecimalField(_("到位资金（亿元）"), max_digits=10, decimal_places=2)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["year", "department"]
        verbose_name = _("招商目标")
        verbose_name_plural = _("招商目标")
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], name="investment_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.department_id}"


class ScoreRule(models.Model):
    """The zone's yearly 招商 score (one row): points for each signing by size band and for each
    亿元 paid in, less deductions for each project not started on time and each false report."""

    band_3_10 = models.DecimalField(
        _("每个 3–10 亿元签约项目（分）"), max_digits=6, decimal_places=2, default=Decimal(2)
    )
    band_10_20 = models.DecimalField(
        _("每个 10–20 亿元签约项目（分）"), max_digits=6, decimal_places=2, default=Decimal(4)
    )
    band_20 = models.DecimalField(
        _("每个 20 亿元以上签约项目（分）"), max_digits=6, decimal_places=2, default=Decimal(8)
    )
    paid_in = models.DecimalField(
        _("每亿元到位资金（分）"), max_digits=6, decimal_places=2, default=Decimal("0.5")
    )
    late_start = models.DecimalField(
        _("每个未按期开工项目扣（分）"), max_digits=6, decimal_places=2, default=Decimal(1)
    )
    false_report = models.DecimalField(
        _("每条认定虚报扣（分）"), max_digits=6, decimal_places=2, default=Decimal(5)
    )

    class Meta:
        verbose_name = _("招商考核规则")
        verbose_name_plural = _("招商考核规则")

    def __str__(self) -> str:
        return "score rule"
