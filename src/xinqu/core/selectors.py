from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from xinqu.core.access import is_security_admin, is_system_admin
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
