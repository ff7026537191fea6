"""The audit log as .xlsx: up to 100,000 entries, built on the worker (core.jobs) when imports
and exports run in the background, else in the request."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import has_role
from xinqu.core.forms import AuditFilterForm
from xinqu.core.jobs import ExportKind
from xinqu.core.models import AuditEntry, User
from xinqu.core.roles import Role
from xinqu.core.selectors import AuditFilter, audit_in_words, audit_search
from xinqu.core.xlsx import workbook_bytes

AUDIT_ROWS = 100_000


def audit_entries(params: dict[str, Any]) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    """The filter form and what it selects; an invalid filter selects nothing and shows why."""
    form = AuditFilterForm(params or None)
    if not form.is_bound:
        return form, audit_search(AuditFilter())
    if form.is_valid():
        return form, audit_search(AuditFilter(**form.cleaned_data))
    return form, AuditEntry.objects.none()


def audit_workbook(actor: User, params: dict[str, Any]) -> bytes:
    if not has_role(actor, Role.AUDIT_ADMIN):
        raise PermissionDenied(_("只有安全审计员可以导出审计日志。"))
    _form, entries = audit_entries(params)
    headers = [
        _("时间"),
        _("操作人"),
        _("IP 地址"),
        _("动作"),
        _("对象类型"),
        _("对象ID"),
        _("对象"),
        _("变更内容"),
        _("说明"),
    ]
    return workbook_bytes(_("审计日志"), headers, _rows(entries[:AUDIT_ROWS]))


def _rows(entries: QuerySet[AuditEntry], chunk: int = 2000) -> Iterator[list[Any]]:
    """Each entry as the log page reads it (kind, fields and values in words), a chunk at a time."""
    found = entries.iterator(chunk_size=chunk)
    while batch := list(islice(found, chunk)):
        for e in audit_in_words(batch):
            yield [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_username,
                e.ip or "",
                e.get_action_display(),
                e.type_label,  # type: ignore[attr-defined]
                e.object_id,
                e.object_repr,
                "；".join(f"{c.label}：{c.old} → {c.new}" for c in e.change_rows),  # type: ignore[attr-defined]
                e.detail_words,  # type: ignore[attr-defined]
            ]


AUDIT_EXPORT = ExportKind(
    key="audit",
    label=gettext_lazy("审计日志"),
    build=audit_workbook,
    filename="audit.xlsx",
    object_type="core.AuditEntry",
    back_url="audit",
)
