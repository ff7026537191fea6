"""The navigation shell. Each module adds its entries here as it lands; an entry shows only to
the roles that may use it, so nobody is offered a page that will refuse them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import Can, has_role
from xinqu.core.roles import BUSINESS_ROLES, Role

ALL = frozenset(Role.values)
NAVIGATION: list[tuple[str, Any, frozenset[str]]] = [
    ("home", _("首页"), ALL),
    ("plans:list", _("年度计划"), frozenset(BUSINESS_ROLES)),
    ("indicators:overview", _("经济指标"), frozenset(BUSINESS_ROLES)),
    ("projects:list", _("项目建设"), frozenset(BUSINESS_ROLES)),
    ("enterprises:list", _("企业"), frozenset(BUSINESS_ROLES)),
    ("service_requests:queue", _("企业诉求"), frozenset(BUSINESS_ROLES)),
    ("safety:list", _("安全隐患"), frozenset(BUSINESS_ROLES)),
    ("updates:list", _("工作动态"), frozenset(BUSINESS_ROLES)),
    ("org", _("组织机构"), ALL),
    ("calendar", _("工作日历"), ALL),
    ("users", _("用户管理"), frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})),
    ("audit", _("审计日志"), frozenset({Role.AUDIT_ADMIN})),
]


def access(request: HttpRequest) -> dict[str, Any]:
    """``can``: the role predicates of core.access for the page's user."""
    return {"can": Can(getattr(request, "user", None))}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label, roles in NAVIGATION:
        if has_role(user, *roles):
            url = reverse(name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_notifications": unread}
