"""Closed-loop items (闭环事项): one table for every kind (service requests, hazards, supervision,
project problems), an immutable timeline of what was done to each, and their attachments. The
engine knows states and deadlines; each kind keeps its own details in its own app."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import Department, OrgUnit


class Item(models.Model):
    kind = models.CharField(_("类型"), max_length=30)
    number = models.CharField(_("编号"), max_length=30, unique=True)
    state = models.CharField(_("状态"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办部门"),
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    opened_at = models.DateTimeField(_("提出时间"))
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    paused_since = models.DateField(_("暂停计时自"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("暂停工作日"), default=0)  # all pauses so far, added up
    supervision_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("待批延期（工作日）"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("并入"),
    )
    version = models.PositiveIntegerField(default=0)  # optimistic lock: every action increments it

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        indexes = [
            # A department's open work by deadline; the whole kind's (the service centre's) too.
            models.Index(fields=["kind", "department", "state", "due_on"], name="item_queue"),
            models.Index(fields=["kind", "state", "due_on"], name="item_state_due"),
            # Everything a department has had, newest first.
            models.Index(fields=["kind", "department", "opened_at"], name="item_department_opened"),
            models.Index(fields=["kind", "opened_at"], name="item_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Event(models.Model):
    """One step in an item's timeline. Written once, never changed: the record of who did what."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("办理人"), max_length=80, blank=True)  # e.g. the public requester
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("部门")
    )
    comment = models.TextField(_("意见"), blank=True)
    public = models.BooleanField(_("对提出人公开"), default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("timeline events are written once and never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("timeline events are never deleted")


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a random name: the user's file name is kept in ``name`` only.
    return f"workflow/{timezone.localdate():%Y/%m}/{instance.event.item_id}-{uuid.uuid4().hex}"


class Attachment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class EscalationRule(models.Model):
    """When an overdue item goes under supervision (督办): overdue by at least ``overdue_days``
    working days puts it at ``level``. Rules are per kind of item."""

    kind = models.CharField(_("类型"), max_length=30)
    overdue_days = models.PositiveSmallIntegerField(_("逾期工作日"))
    level = models.PositiveSmallIntegerField(_("督办级别"), choices=[(1, "1"), (2, "2"), (3, "3")])

    class Meta:
        ordering = ["kind", "overdue_days"]
        verbose_name = _("督办规则")
        verbose_name_plural = _("督办规则")
        constraints = [models.UniqueConstraint(fields=["kind", "level"], name="escalationrule_unique_level")]

    def __str__(self) -> str:
        return f"{self.kind} ≥{self.overdue_days} → {self.level}"
