"""Work-safety hazards (安全隐患排查治理): the hazard's details beside its workflow item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import AccessQuerySet
from xinqu.workflow.models import Item


class HazardQuerySet(AccessQuerySet["Hazard"]):
    """Hazards are the zone's safety business: every business role reads them; the department
    whose item it is works on it."""

    department_field = "item__department"


class Hazard(models.Model):
    class Level(models.TextChoices):
        GENERAL = "general", _("一般隐患")
        MAJOR = "major", _("重大隐患")

    item = models.OneToOneField(Item, on_delete=models.PROTECT, primary_key=True, related_name="hazard")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="hazards", verbose_name=_("企业")
    )
    level = models.CharField(_("隐患等级"), max_length=8, choices=Level.choices)
    location = models.CharField(_("隐患部位"), max_length=120)
    description = models.TextField(_("隐患描述"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("排查人")
    )
    owner = models.CharField(_("整改责任人"), max_length=60, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人"),
    )

    # The enterprise's secret link for submitting its rectification evidence, hashed; a new link
    # replaces the old one.
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")

    def __str__(self) -> str:
        return f"{self.item.number} {self.enterprise}"
