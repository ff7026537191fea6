"""Issuing and revoking display tokens (see xinqu.cockpit.models), each in the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.cockpit.models import DisplayToken
from xinqu.core.access import is_leader
from xinqu.core.audit import audit_record
from xinqu.core.models import AuditEntry
from xinqu.core.tokens import new_token, token_digest


def ensure_screen_manager(user: Any) -> None:
    """The big screens' page and API calls: leaders only."""
    if not is_leader(user):
        raise PermissionDenied(_("只有新区领导可以管理大屏。"))


def _ensure_leader(actor: Any) -> None:
    if not is_leader(actor):
        raise PermissionDenied(_("只有新区领导可以签发或吊销大屏令牌。"))


@transaction.atomic
def display_token_issue(*, actor: Any, label: str) -> tuple[DisplayToken, str]:
    """A new token for one screen; the token itself is returned once and never stored."""
    _ensure_leader(actor)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("请填写大屏名称，如“三楼会议室”。")})
    if len(label) > 60:
        raise ValidationError({"label": _("大屏名称不超过 60 个字。")})
    token = new_token()
    display = DisplayToken.objects.create(
        label=label, digest=token_digest(token), prefix=token[:8], issued_by=actor
    )
    audit_record(actor=actor, action=AuditEntry.Action.TOKEN, obj=display, detail=f"display {token[:8]}…")
    return display, token


@transaction.atomic
def display_token_revoke(*, actor: Any, display: DisplayToken) -> DisplayToken:
    _ensure_leader(actor)
    if display.revoked_at is not None:
        raise ValidationError(_("这个大屏令牌已经吊销。"))
    display.revoked_at = timezone.now()
    display.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=display,
        changes={"revoked_at": [None, display.revoked_at.isoformat()]},
        detail="display token revoked",
    )
    return display


def display_for(token: str) -> DisplayToken | None:
    """The live token behind a screen's link: not revoked, and its issuer still an active
    leader (a leader who leaves takes their screens with them). None otherwise."""
    if not token:
        return None
    display = (
        DisplayToken.objects.select_related("issued_by")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if display is None or not is_leader(display.issued_by):
        return None
    now = timezone.now()
    if display.last_seen_at is None or (now - display.last_seen_at).total_seconds() > 60:
        DisplayToken.objects.filter(pk=display.pk).update(last_seen_at=now)
    return display
