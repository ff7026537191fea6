from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import Approvable, DepartmentOwned


class WorkUpdate(DepartmentOwned, Approvable):
    """A department's work update (工作动态/信息报送): written by its staff, approved by its head,
    then readable zone-wide unless marked internal."""

    # The lifecycle's own values; an approved update is what its readers call published.
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已发布")

    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    happened_on = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("工作动态")
        verbose_name_plural = _("工作动态")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(reviewed_by__isnull=False),
                name="workupdate_approved_has_reviewer",
            )
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def zone_visible_q(cls) -> Q:
        # Other departments read only what a head has approved and not marked internal.
        return Q(confidential=False, status=cls.Status.APPROVED)
