"""Authentication events go to the audit log, and a login starts the idle clock. (Signals only
for this: business writes audit in services.)"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from xinqu.core.audit import audit_record
from xinqu.core.middleware import SESSION_SEEN_KEY
from xinqu.core.models import AuditEntry


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditEntry.Action.LOGIN, object_type="session")
    if request is not None and hasattr(request, "session"):
        # Logging in saves the session: the idle clock starts now, with no second write.
        request.session[SESSION_SEEN_KEY] = int(time.time())


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, object_type="session")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        object_type="session",
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOCKOUT,
        object_type="session",
        username=(username or "")[:150],
        detail=f"ip={ip_address}",
    )
