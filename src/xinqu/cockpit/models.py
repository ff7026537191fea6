"""Display tokens: a big screen (大屏) in a meeting room shows the cockpit without anyone
logging in. A leader issues a token for one screen and may revoke it; the screen reads what
its issuer, a leader, may see, and nothing it can change. Only the token's digest is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import JobStatus


class DisplayToken(models.Model):
    label = models.CharField(_("大屏名称"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="display_tokens",
        verbose_name=_("签发人"),
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近访问"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # The token stops working then, as if revoked; a leader issues a new one.
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("大屏令牌")
        verbose_name_plural = _("大屏令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def expired(self) -> bool:
        return self.revoked_at is None and not self.active


class Briefing(models.Model):
    """The monthly economic-operations briefing (经济运行分析) for the zone or one area at a
    closed month: a job on the worker that writes a .docx and a PDF. ``content`` keeps the text,
    tables and chart data it was written from, so a later revision of the figures does not
    change a briefing already sent; both documents are drawn from it."""

    Status = JobStatus

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("中文")
        ENGLISH = "en", _("英文")

    unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域")
    )
    month = models.DateField(_("统计期"))  # the first of the month
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices, default=Language.CHINESE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Who asked; none for the one the schedule writes (it is written as a leader sees the zone).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    scheduled = models.BooleanField(_("按月自动生成"), default=False)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    worker = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    content = models.JSONField(default=dict, blank=True)
    docx_name = models.CharField(max_length=80, blank=True)
    pdf_name = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("经济运行分析")
        verbose_name_plural = _("经济运行分析")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The schedule writes one briefing per unit, month and language.
            models.UniqueConstraint(
                fields=["unit", "month", "language"],
                condition=models.Q(scheduled=True),
                name="briefing_scheduled_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m} {self.language}"


class BriefingSchedule(models.Model):
    """The day of each month on which the statistics office has the briefing for the month just
    closed written and put in the leaders' inboxes (one row; none: no scheduled delivery)."""

    day = models.PositiveSmallIntegerField(_("每月生成日"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人")
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("经济运行分析推送日")
        verbose_name_plural = _("经济运行分析推送日")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=28), name="briefing_day_in_every_month"
            )
        ]

    def __str__(self) -> str:
        return str(self.day)
