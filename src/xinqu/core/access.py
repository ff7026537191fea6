"""Object-level access. Views and the API load every record through these helpers.

A record the user may not see answers 404, so its existence is not revealed. A record the user
may see but not change answers 403 with a sentence that says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model
from django.db.models.manager import BaseManager
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xinqu.core.models import DepartmentOwnedQuerySet, User
from xinqu.core.roles import BUSINESS_ROLES, DEPARTMENT_ROLES, Role

M = TypeVar("M", bound=Model)


class AuthedRequest(HttpRequest):
    """A request whose user has logged in (views behind ``login_required``)."""

    user: User


def get_visible_or_404(user: Any, records: DepartmentOwnedQuerySet[M] | BaseManager[M], **lookup: Any) -> M:
    """The record matching ``lookup`` among those ``user`` may read, or 404."""
    queryset = records.all()
    if not isinstance(queryset, DepartmentOwnedQuerySet):
        raise TypeError("get_visible_or_404 needs the records of a DepartmentOwned model")
    try:
        return queryset.visible_to(user).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404(_("没有找到该记录，或您无权查看。")) from None


def can_write(user: Any, obj: Any) -> bool:
    """Department staff and heads write their own department's records, and only those."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in DEPARTMENT_ROLES
        and user.department_id is not None
        and user.department_id == obj.department_id
    )


def ensure_can_write(user: Any, obj: Any) -> None:
    if not can_write(user, obj):
        raise PermissionDenied(_("只能修改本部门的记录。"))


def get_writable_or_404(user: Any, records: DepartmentOwnedQuerySet[M] | BaseManager[M], **lookup: Any) -> M:
    obj = get_visible_or_404(user, records, **lookup)
    ensure_can_write(user, obj)
    return obj


def ensure_business(user: Any) -> None:
    """Business pages and API calls: the three administrators read no business data."""
    if user.role not in BUSINESS_ROLES:
        raise PermissionDenied(_("系统管理员、安全管理员、审计管理员不查看业务数据。"))


def member_of(user: Any, code: str) -> bool:
    """Staff or head of the department whose code is ``code`` (the service centre, emergency
    management, the plan office … are named by settings)."""
    return bool(
        user is not None
        and user.role in DEPARTMENT_ROLES
        and user.department is not None
        and user.department.code == code
    )


def ensure_department_member(user: Any, message: str | None = None) -> int:
    """The user's department id; only department staff and heads write business records."""
    if user.role not in DEPARTMENT_ROLES or user.department_id is None:
        raise PermissionDenied(message or _("只有部门工作人员可以进行此操作。"))
    return int(user.department_id)


def ensure_role(user: Any, roles: Iterable[str], message: str | None = None) -> None:
    if not (user.is_authenticated and user.is_active and user.role in set(roles)):
        raise PermissionDenied(message or _("您的角色无权进行此操作。"))


F = TypeVar("F", bound=Callable[..., HttpResponse])


def role_required(*roles: Role) -> Callable[[F], F]:
    """View decorator: log-in required, and one of ``roles``; otherwise 403."""

    def decorator(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ensure_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
