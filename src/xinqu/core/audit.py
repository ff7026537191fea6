"""Writing the audit log. Every service that changes a business record calls ``audit_record``."""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import AuditEntry

# The request a write happens in, set by RequestContextMiddleware; commands run without one.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("xinqu_current_ip", default=None)


def client_address(request: Any) -> str:
    """The client's address as the middleware resolved it (trusted proxies counted)."""
    return current_ip.get() or request.META.get("REMOTE_ADDR", "")


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited fields of ``obj`` as JSON-ready values (foreign keys by their display text)."""
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in obj._meta.concrete_fields if f.name not in {"id", "password", "last_login"}]
    )
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field by field: ``{field: [old, new]}`` for each field that changed."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    detail: str = "",
    object_type: str = "",
    username: str = "",
) -> AuditEntry:
    """Append one entry. ``actor`` may be None (a failed login, a command run by cron)."""
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        actor_id=actor_id,
        actor_username=(getattr(actor, "username", "") if actor_id else "") or username,
        ip=current_ip.get(),
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        detail=detail[:300],
    )


def audit_create(*, actor: Any, obj: models.Model, fields: Iterable[str] | None = None) -> AuditEntry:
    after = snapshot(obj, fields)
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=obj,
        changes={k: [None, v] for k, v in after.items()},
    )


def audit_update(
    *, actor: Any, obj: models.Model, before: dict[str, Any], detail: str = ""
) -> AuditEntry | None:
    """Log the fields that changed since ``before`` (a ``snapshot``); nothing when none did."""
    changes = diff(before, snapshot(obj, before.keys()))
    if not changes and not detail:
        return None
    return audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=obj, changes=changes, detail=detail)


def audit_delete(*, actor: Any, obj: models.Model) -> AuditEntry:
    before = snapshot(obj)
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=obj,
        changes={k: [v, None] for k, v in before.items()},
    )


# --- Details in words ------------------------------------------------------------------------
# An entry's ``detail`` is written once, in a stable form ("copied from 2024: 45 nodes"); the log
# shows it in the reader's language. Each module says how the details it writes read, next to
# where it writes them; a detail no pattern knows (a reason someone typed) is shown as written.

Words = Promise | Callable[[re.Match[str]], str | None]
_WORDS: list[tuple[re.Pattern[str], Words]] = []


def describe(pattern: str, words: Words) -> None:
    """How a detail matching ``pattern`` (whole) reads: a translatable phrase filled with the
    pattern's named groups, or a function of the match (None: not this one after all)."""
    _WORDS.append((re.compile(pattern), words))


def detail_in_words(detail: str) -> str:
    for pattern, words in _WORDS:
        match = pattern.fullmatch(detail)
        if match is None:
            continue
        text = str(words) % match.groupdict() if isinstance(words, Promise) else words(match)
        if text is not None:
            return text
    return detail


describe(r"demo zone loaded", _("载入演示新区"))
describe(r"ip=(?P<ip>\S*)", _("来自 %(ip)s"))
describe(r"reset by administrator", _("由管理员重置"))
describe(r"changed by the user", _("由本人修改"))
describe(r"lockout lifted", _("解除登录锁定"))
describe(r"token (?P<token>\w+)…", _("令牌 %(token)s…"))
describe(r"xlsx import", _("Excel 导入"))
describe(r"submitted", _("报送审核"))
describe(r"approved", _("审核通过"))
describe(r"returned", _("退回修改"))
# An export's filter, as its query string: how many conditions, not their codes.
describe(
    r"(?:[\w.\-]+=[^&\s]*)(?:&[\w.\-]+=[^&\s]*)*",
    lambda m: str(_("按 %(n)d 项筛选条件")) % {"n": m.group(0).count("&") + 1},
)
