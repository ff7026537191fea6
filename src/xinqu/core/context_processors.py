"""The navigation shell: core's entries and every module's (declared on its AppConfig). An entry
shows only to the roles that may use it, so nobody is offered a page that will refuse them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import Can, has_role
from xinqu.core.modules import ALL_ROLES, Nav, navigation_entries
from xinqu.core.periods import reporting_period
from xinqu.core.roles import Role

# Core's own pages; every module adds its entries on its AppConfig (xinqu.core.modules.Nav).
CORE_NAV = (
    Nav("org", _("组织机构"), roles=ALL_ROLES, order=900),
    Nav("calendar", _("工作日历"), roles=ALL_ROLES, order=910),
    Nav("users", _("用户管理"), roles=frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), order=920),
    Nav("audit", _("审计日志"), roles=frozenset({Role.AUDIT_ADMIN}), order=930),
)


def access(request: HttpRequest) -> dict[str, Any]:
    """``can``: the role predicates of core.access for the page's user."""
    return {"can": Can(getattr(request, "user", None))}


def period(request: HttpRequest) -> dict[str, Any]:
    """``reporting_period``: the zone's current reporting period, read only where a page shows it."""
    return {"reporting_period": SimpleLazyObject(reporting_period)}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in navigation_entries(CORE_NAV):
        if has_role(user, *entry.roles):
            url = reverse(entry.url_name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"url": url, "label": entry.label, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "unread_notifications": unread}
