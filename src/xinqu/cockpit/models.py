"""Display tokens: a big screen (大屏) in a meeting room shows the cockpit without anyone
logging in. A leader issues a token for one screen and may revoke it; the screen reads what
its issuer, a leader, may see, and nothing it can change. Only the token's digest is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("大屏令牌")
        verbose_name_plural = _("大屏令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
