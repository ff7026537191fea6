"""Enterprise service requests (企业诉求): the request's own details beside its workflow item."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_business, is_department_member, is_leader, member_of
from xinqu.core.models import AccessQuerySet, Department, Named
from xinqu.core.validators import validate_phone
from xinqu.workflow.models import Item


class Category(Named):
    """What a request is about, with its time limit and the department it usually goes to."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    time_limit = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("默认承办部门"),
    )

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")

    def __str__(self) -> str:
        return self.name


class ServiceRequestQuerySet(AccessQuerySet["ServiceRequest"]):
    """The service centre and leaders see every request; a department, those it handles."""

    department_field = "item__department"

    @staticmethod
    def sees_all(user: Any) -> bool:
        return is_business(user) and (is_leader(user) or member_of(user, settings.SERVICE_CENTRE_DEPARTMENT))

    def visible_to(self, user: Any) -> Self:
        if not is_business(user):
            return self.none()
        if self.sees_all(user):
            return self.all()
        if is_department_member(user):
            return self.filter(item__department_id=user.department_id)
        return self.none()

    def editable_by(self, user: Any) -> Self:
        if member_of(user, settings.SERVICE_CENTRE_DEPARTMENT):
            return self.all()
        return super().editable_by(user)


class ServiceRequest(models.Model):
    class Channel(models.TextChoices):
        OFFICER = "officer", _("服务专员代企业提交")
        PUBLIC = "public", _("企业自行提交")

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("已解决")
        PARTLY = "partly", _("部分解决")
        EXPLAINED = "explained", _("已解释说明（暂无法解决）")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    item = models.OneToOneField(
        Item, on_delete=models.PROTECT, primary_key=True, related_name="service_request"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("企业"),
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=120)
    contact_name = models.CharField(_("联系人"), max_length=40)
    # A phone, an e-mail address or both: a requester reachable one way may leave the other blank.
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    contact_email = models.EmailField(_("电子邮箱"), max_length=120, blank=True)
    description = models.TextField(_("诉求内容"))
    # Where the matter is, as the requester gave it (Open311's address_string and lat/long).
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField(_("提交方式"), max_length=10, choices=Channel.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)  # the requester's secret link, hashed
    first_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("首次派往"),
    )
    outcome = models.CharField(_("办理结果"), max_length=10, choices=Outcome.choices, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    # The first rating stays: 一次满意率 counts it, 满意率 the latest.
    first_rating = models.CharField(_("首次评价"), max_length=12, choices=Rating.choices, blank=True)
    # The enterprise's own word on callback (回访): is the problem solved? None: not asked or not said.
    confirmed_solved = models.BooleanField(_("企业确认已解决"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    returns = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    # Facts for the metrics, written as the request moves (tests recount them from the timeline).
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    signed_on_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    responded = models.BooleanField(_("已响应"), default=False)
    replied_on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    handling_days = models.PositiveIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    # Where the request is counted: its item's department, area and filing month, and whether it
    # went under supervision, kept beside the facts so that the tallies follow from this row alone.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办部门"),
    )
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("地区"),
    )
    month = models.DateField(_("提出月份"), null=True)
    supervised = models.BooleanField(_("已督办"), default=False)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        # 按时办结率 counts the unanswered requests past their deadline live, by filing month: the
        # unanswered are few among the answered, and this index holds only them.
        indexes = [
            models.Index(
                fields=["month", "department"],
                condition=models.Q(replied_on_time__isnull=True),
                name="request_unanswered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.number} {self.enterprise_name}"


class Publication(models.Model):
    """What the zone publishes of its requests to anyone who asks Open311 without signing in. One
    row for the zone; without it, the basic form (category, status, dates)."""

    class Level(models.TextChoices):
        NONE = "none", _("不公开")
        BASIC = "basic", _("公开诉求类别、状态和日期")
        AGENCY = "agency", _("公开诉求类别、状态、日期和承办部门")

    level = models.CharField(
        _("对外公开的诉求信息"), max_length=8, choices=Level.choices, default=Level.BASIC
    )

    class Meta:
        verbose_name = _("诉求公开范围")
        verbose_name_plural = _("诉求公开范围")

    def __str__(self) -> str:
        return str(self.get_level_display())


class Tally(models.Model):
    """The metrics' counts for one month × department × category × area (0: none), kept as requests
    move so that a year's metrics add up a few thousand rows instead of reading every request.
    `tallies.rebuild` recounts them from the requests; a test proves the two agree."""

    month = models.DateField()
    department_key = models.PositiveIntegerField()
    category_key = models.PositiveIntegerField()
    org_unit_key = models.PositiveIntegerField()
    total = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    replied_on_time = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically = models.IntegerField(default=0)
    first_rated = models.IntegerField(default=0)
    first_satisfied = models.IntegerField(default=0)
    first_basically = models.IntegerField(default=0)
    verdicts = models.IntegerField(default=0)  # rated with the enterprise's word on "solved?"
    confirmed_solved = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    first_right = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    supervised = models.IntegerField(default=0)
    days_sum = models.IntegerField(default=0)  # handling days, added up over the replied requests
    days_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("诉求统计")
        verbose_name_plural = _("诉求统计")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_key", "category_key", "org_unit_key"], name="tally_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_key}/{self.category_key}/{self.org_unit_key}"
