from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_security_admin, is_system_admin
from xinqu.core.audit import detail_in_words
from xinqu.core.models import AuditEntry, Department, OrgUnit, User
from xinqu.core.roles import ADMIN_ROLES


def org_units_list(*, kind: str | None = None) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.all()
    return qs.filter(kind=kind) if kind else qs


@dataclass
class OrgNode:
    unit: OrgUnit
    children: list[OrgNode] = field(default_factory=list)


def org_tree() -> list[OrgNode]:
    """The zone → area → park tree, built from one query."""
    nodes = {u.pk: OrgNode(u) for u in OrgUnit.objects.all()}
    roots: list[OrgNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def tree_ordered_units() -> list[OrgUnit]:
    """Every org unit in tree order, from one query: the zone, then each area followed by its
    parks, siblings by their sort order."""
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.all():
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[OrgUnit] = []

    def walk(parent: int | None) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: (u.sort_order, u.pk)):
            ordered.append(unit)
            walk(unit.pk)

    walk(None)
    return ordered


def departments_list() -> QuerySet[Department]:
    return Department.objects.all()


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.annotate(user_count=Count("users", filter=Q(users__is_active=True)))


def users_directory(viewer: Any, *, department: int | None = None) -> QuerySet[User]:
    """Accounts the viewer may list: the administrators who manage accounts see every one,
    everyone else sees active colleagues (the zone's phone book)."""
    qs = User.objects.select_related("department")
    if not (is_system_admin(viewer) or is_security_admin(viewer)):
        qs = qs.filter(is_active=True)
    if department:
        qs = qs.filter(department_id=department)
    return qs


def admin_role_holders() -> QuerySet[User]:
    return User.objects.filter(role__in=[r.value for r in ADMIN_ROLES])


@dataclass
class AuditFilter:
    username: str = ""
    action: str = ""
    object_type: str = ""
    ip: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_search(f: AuditFilter) -> QuerySet[AuditEntry]:
    """Audit entries matching the filter, newest first. Dates are inclusive, in local time."""
    qs = AuditEntry.objects.all()
    if f.username:
        qs = qs.filter(actor_username__icontains=f.username.strip())
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type__icontains=f.object_type.strip())
    if f.ip:
        qs = qs.filter(ip=f.ip.strip())
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    return qs


# --- the audit log in words ----------------------------------------------------------------------

# What the log names that is not a model: pages exported, sessions, the demo.
OTHER_TYPES = {
    "session": _("登录会话"),
    "projects": _("项目建设"),
    "demo": _("演示数据"),
    "indicators.overview": _("经济指标总览"),
    "indicators.breakdown": _("指标分解表"),
    "indicators.benchmark": _("对标分析"),
    "service_requests.metrics": _("诉求办理指标"),
}


@dataclass
class Change:
    label: str
    old: str
    new: str


def _shown(field: Any, value: Any) -> str:
    """A stored value as a person reads it: a choice by its label, yes/no, empty as ∅."""
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def audit_in_words(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Each entry with ``type_label`` (the record's kind in the user's language, never its model
    name) and ``change_rows`` (each field by its label, old → new as a person reads them)."""
    rows = list(entries)
    for entry in rows:
        model = None
        if "." in entry.object_type:
            try:
                model = apps.get_model(entry.object_type)
            except (LookupError, ValueError):
                model = None
        entry.type_label = str(  # type: ignore[attr-defined]
            model._meta.verbose_name if model else OTHER_TYPES.get(entry.object_type, _("系统记录"))
        )
        changes = []
        for name, pair in (entry.changes or {}).items():
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
            label = str(getattr(field, "verbose_name", "") or FIELD_WORDS.get(name, _("其他")))
            old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
            changes.append(Change(label, _shown(field, old), _shown(field, new)))
        entry.change_rows = changes  # type: ignore[attr-defined]
        entry.detail_words = detail_in_words(entry.detail) if entry.detail else ""  # type: ignore[attr-defined]
    return rows


# Change keys that are not model fields.
FIELD_WORDS = {
    "written": _("写入条数"),
    "qualification_kinds": _("包含的资质"),
    "partner_departments": _("配合单位"),
    "role": _("角色"),
}
