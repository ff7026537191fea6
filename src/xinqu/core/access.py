"""Who may see and change what: the one access rule.

- Role predicates (``is_leader``, ``is_department_member``, ``member_of`` …) live here and only
  here; views, the API and services ask them instead of comparing ``user.role``.
- Every business model's queryset has ``visible_to(user)`` and ``editable_by(user)``
  (:class:`AccessQuerySet`). Pages, the API, Open311, exports and imports load records through
  :func:`get_visible_or_404` / :func:`get_editable_or_404`.
- Anything that *shows* a linked record (an enterprise's name on a hazard, a project, a chain
  map, an export) asks :func:`shown_names`, which masks what the viewer may not see.

A record the user may not see answers 404, so its existence is not revealed. A record the user
may see but not change answers 403 with a sentence that says why.

This module imports no model at run time, so ``core.models`` can build its querysets on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.db.models.manager import BaseManager
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.roles import ADMIN_ROLES, BUSINESS_ROLES, DEPARTMENT_ROLES, Role

if TYPE_CHECKING:
    from xinqu.core.models import User

M = TypeVar("M", bound=Model)


class AuthedRequest(HttpRequest):
    """A request whose user has logged in (views behind ``login_required``)."""

    user: User


# --- role predicates ------------------------------------------------------------------------------


def is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user: Any, *roles: str) -> bool:
    return is_active(user) and user.role in roles


def is_business(user: Any) -> bool:
    """Leaders, department staff and heads: the roles that read business records."""
    return is_active(user) and user.role in BUSINESS_ROLES


def is_leader(user: Any) -> bool:
    return has_role(user, Role.LEADER)


def is_department_member(user: Any) -> bool:
    """Staff or head of a department: the roles that write business records."""
    return is_active(user) and user.role in DEPARTMENT_ROLES and user.department_id is not None


def is_head(user: Any) -> bool:
    return has_role(user, Role.HEAD) and user.department_id is not None


def is_admin(user: Any) -> bool:
    """One of the three separated administrators (三员分立)."""
    return is_active(user) and user.role in ADMIN_ROLES


def is_system_admin(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def is_security_admin(user: Any) -> bool:
    return has_role(user, Role.SECURITY_ADMIN)


def is_audit_admin(user: Any) -> bool:
    return has_role(user, Role.AUDIT_ADMIN)


def in_department(user: Any, department_id: int | None) -> bool:
    """Staff or head of the department ``department_id``."""
    return is_department_member(user) and department_id is not None and user.department_id == department_id


def head_of(user: Any, department_id: int | None) -> bool:
    return is_head(user) and department_id is not None and user.department_id == department_id


def member_of(user: Any, code: str) -> bool:
    """Staff or head of the department whose code is ``code`` (the service centre, emergency
    management, the plan office … are named by settings)."""
    return bool(is_department_member(user) and user.department is not None and user.department.code == code)


def is_pending(user: Any) -> bool:
    """An account the security administrator has not yet given a role."""
    return has_role(user, Role.PENDING)


class Can:
    """The predicates above for templates, so they make no role comparisons either:
    ``{% if can.is_head %}``. Context processor ``access`` puts one in every page."""

    PREDICATES: dict[str, Callable[[Any], bool]] = {}

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getattr__(self, name: str) -> bool:
        try:
            return self.PREDICATES[name](self._user)
        except KeyError:
            raise AttributeError(name) from None


# --- ensure_* : the same predicates, raising PermissionDenied with a sentence ------------------------


def ensure_business(user: Any) -> None:
    """Business pages and API calls: the three administrators read no business data, and an
    account the security administrator has not yet granted a role reads nothing."""
    if not is_business(user):
        if has_role(user, Role.PENDING):
            raise PermissionDenied(_("您的账户尚未授权，请联系安全管理员分配角色。"))
        raise PermissionDenied(_("系统管理员、安全管理员、审计管理员不查看业务数据。"))


def ensure_department_member(user: Any, message: str | None = None) -> int:
    """The user's department id; only department staff and heads write business records."""
    if not is_department_member(user):
        raise PermissionDenied(message or _("只有部门工作人员可以进行此操作。"))
    return int(user.department_id)


def ensure_role(user: Any, roles: Iterable[str], message: str | None = None) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied(message or _("您的角色无权进行此操作。"))


def can_write(user: Any, obj: Any) -> bool:
    """Department staff and heads write their own department's records, and only those."""
    return in_department(user, obj.department_id)


def ensure_can_write(user: Any, obj: Any) -> None:
    if not can_write(user, obj):
        raise PermissionDenied(_("只能修改本部门的记录。"))


# --- loading records ------------------------------------------------------------------------------


class Guarded(Protocol):
    """A queryset that knows who may read and who may change its records."""

    def visible_to(self, user: Any) -> Any: ...

    def editable_by(self, user: Any) -> Any: ...


def _guarded(records: QuerySet[M] | BaseManager[M]) -> QuerySet[M]:
    queryset = records.all()
    if not (hasattr(queryset, "visible_to") and hasattr(queryset, "editable_by")):
        raise TypeError(f"{queryset.model.__name__} has no access rule (visible_to / editable_by)")
    return queryset


def get_visible_or_404(user: Any, records: QuerySet[M] | BaseManager[M], **lookup: Any) -> M:
    """The record matching ``lookup`` among those ``user`` may read, or 404."""
    try:
        return _guarded(records).visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        raise Http404(_("没有找到该记录，或您无权查看。")) from None


def get_editable_or_404(
    user: Any, records: QuerySet[M] | BaseManager[M], message: str | None = None, **lookup: Any
) -> M:
    """The record matching ``lookup``: 404 if ``user`` may not read it, 403 if only read it."""
    obj = get_visible_or_404(user, records, **lookup)
    if not _guarded(records).editable_by(user).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise PermissionDenied(message or _("只能修改本部门的记录。"))
    return obj


def get_writable_or_404(user: Any, records: QuerySet[M] | BaseManager[M], **lookup: Any) -> M:
    return get_editable_or_404(user, records, **lookup)


# --- linked names -----------------------------------------------------------------------------------

MASKED = gettext_lazy("保密记录")


@dataclass(frozen=True)
class Shown:
    """How a linked record appears to one viewer: its name and a link, or the masked text."""

    pk: int | None
    name: str
    visible: bool

    def __str__(self) -> str:
        return self.name


NOBODY = Shown(pk=None, name="", visible=False)


def masked_name(model: type[Model]) -> str:
    return str(getattr(model, "masked_name", MASKED))


def shown_names(user: Any, records: Iterable[Model | None]) -> dict[int, Shown]:
    """Each linked record by primary key, as ``user`` may see it: one query per model, however
    many records. A record the user may not read keeps its key but shows only the masked name
    (e.g. "保密企业")."""
    by_model: dict[type[Model], dict[int, str]] = {}
    for record in records:
        if record is not None and record.pk is not None:
            by_model.setdefault(type(record), {})[record.pk] = str(record)
    shown: dict[int, Shown] = {}
    for model, names in by_model.items():
        shown.update(shown_by_pk(user, model, names))
    return shown


def shown_by_pk(user: Any, model: type[Model], names: dict[int, str]) -> dict[int, Shown]:
    """The same for names already read (``{pk: name}`` from a ``values()`` query)."""
    if not names:
        return {}
    visible = set(
        _guarded(model._default_manager)
        .visible_to(user)  # type: ignore[attr-defined]
        .filter(pk__in=list(names))
        .values_list("pk", flat=True)
    )
    return {
        pk: Shown(pk, name, True) if pk in visible else Shown(pk, masked_name(model), False)
        for pk, name in names.items()
    }


def visible_exists(user: Any, model: type[Model], outer: str) -> Exists:
    """An annotation: whether ``user`` may see the ``model`` record whose key is in the field
    ``outer`` (for exports that stream rows and mask linked names as they go)."""
    return Exists(_guarded(model._default_manager).visible_to(user).filter(pk=OuterRef(outer)))  # type: ignore[attr-defined]


def shown_name(user: Any, record: Model | None) -> Shown:
    if record is None:
        return NOBODY
    return shown_names(user, [record])[record.pk]


def attach_shown(user: Any, rows: Iterable[Any], attr: str) -> list[Any]:
    """Give each row ``<attr>_shown``: its linked ``attr`` record as ``user`` may see it."""
    rows = list(rows)
    names = shown_names(user, (getattr(row, attr) for row in rows))
    for row in rows:
        linked = getattr(row, attr)
        setattr(row, f"{attr}_shown", names[linked.pk] if linked is not None else NOBODY)
    return rows


Can.PREDICATES = {
    f.__name__: f
    for f in (
        is_business,
        is_leader,
        is_department_member,
        is_head,
        is_admin,
        is_system_admin,
        is_security_admin,
        is_audit_admin,
        is_pending,
    )
}

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
