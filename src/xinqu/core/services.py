"""Every write to the platform's own records. Each function is atomic, checks the actor's role,
validates its input and appends to the audit log."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import ensure_role, is_head, member_of
from xinqu.core.audit import audit_create, audit_delete, audit_record, audit_update, snapshot
from xinqu.core.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    ClosedMonth,
    Department,
    Notification,
    OrgUnit,
    User,
)
from xinqu.core.modules import period_closed_hooks
from xinqu.core.phrases import Phrase
from xinqu.core.roles import ADMIN_ROLES, Role

_ORG_FIELDS = ["kind", "code", "name", "name_en", "parent", "is_flagship", "sort_order"]
_DEPT_FIELDS = ["code", "name", "name_en", "is_active", "sort_order"]
_USER_FIELDS = ["username", "full_name", "email", "phone", "department", "is_active"]


def _validate_org_parent(unit: OrgUnit) -> None:
    expected = OrgUnit.PARENT_KIND[unit.kind]
    actual = unit.parent.kind if unit.parent else None
    if expected != actual:
        names = dict(OrgUnit.Kind.choices)
        if expected is None:
            message = _("新区是最上级单元，不能有上级。")
        else:
            message = _("%(kind)s的上级必须是%(parent)s。") % {
                "kind": names[unit.kind],
                "parent": names[expected],
            }
        raise ValidationError({"parent": message})


M = TypeVar("M", bound=Model)


class _Unchanged:
    """The default of a write service's field argument: the caller did not name the field, so
    it keeps its value. Every field is a named keyword argument; nothing arrives in ``**fields``."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def given(**values: Any) -> dict[str, Any]:
    """The fields a caller named, in the order named."""
    return {name: value for name, value in values.items() if value is not UNCHANGED}


def save_audited(
    *,
    actor: User,
    instance: M,
    audited: list[str],
    fields: dict[str, Any],
    validate: Callable[[M], None] | None = None,
) -> M:
    """Apply ``fields``, validate, save, and log the creation or the changed fields. A field that
    is not among those ``audited`` is refused, never written unlogged nor silently dropped."""
    refuse_unknown(fields, audited)
    creating = instance._state.adding
    before = {} if creating else snapshot(instance, audited)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    if validate is not None:
        validate(instance)
    instance.save()
    if creating:
        audit_create(actor=actor, obj=instance, fields=audited)
    else:
        audit_update(actor=actor, obj=instance, before=before)
    return instance


@transaction.atomic
def org_unit_save(
    *,
    actor: User,
    unit: OrgUnit | None = None,
    kind: str = UNCHANGED,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    name_en: str = UNCHANGED,
    parent: OrgUnit | None = UNCHANGED,
    is_flagship: bool = UNCHANGED,
    sort_order: int = UNCHANGED,
) -> OrgUnit:
    """Create (``unit`` None) or update an org unit. System administrators only."""
    ensure_role(actor, [Role.SYSTEM_ADMIN])
    fields = given(
        kind=kind,
        code=code,
        name=name,
        name_en=name_en,
        parent=parent,
        is_flagship=is_flagship,
        sort_order=sort_order,
    )
    return save_audited(
        actor=actor,
        instance=unit or OrgUnit(),
        audited=_ORG_FIELDS,
        fields=fields,
        validate=_validate_org_parent,
    )


@transaction.atomic
def department_save(
    *,
    actor: User,
    department: Department | None = None,
    code: str = UNCHANGED,
    name: str = UNCHANGED,
    name_en: str = UNCHANGED,
    is_active: bool = UNCHANGED,
    sort_order: int = UNCHANGED,
) -> Department:
    """Create (``department`` None) or update a department. System administrators only."""
    ensure_role(actor, [Role.SYSTEM_ADMIN])
    fields = given(code=code, name=name, name_en=name_en, is_active=is_active, sort_order=sort_order)
    return save_audited(actor=actor, instance=department or Department(), audited=_DEPT_FIELDS, fields=fields)


def _check_password(password: str, user: User) -> None:
    validate_password(password, user)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    full_name: str = "",
    department: Department | None = None,
    email: str = "",
    phone: str = "",
) -> User:
    """A new account with no business access: it must change its password at first login, and
    only the security administrator gives it a role (三员分立), so the system administrator alone
    can never make an account that reads business data."""
    ensure_role(actor, [Role.SYSTEM_ADMIN])
    user = User(
        username=username,
        full_name=full_name,
        department=department,
        email=email,
        phone=phone,
        role=Role.PENDING,
        must_change_password=True,
    )
    user.full_clean(exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_create(actor=actor, obj=user, fields=[*_USER_FIELDS, "role"])
    return user


def refuse_unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    """A write service's keyword arguments must all be fields it writes: an unknown one is a
    programming error said in words, never silently dropped."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("不能在此修改：%(f)s") % {"f": ", ".join(sorted(unknown))})


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    username: str = UNCHANGED,
    full_name: str = UNCHANGED,
    email: str = UNCHANGED,
    phone: str = UNCHANGED,
    department: Department | None = UNCHANGED,
    is_active: bool = UNCHANGED,
) -> User:
    """Change an account's profile, department or active flag. System administrators only."""
    ensure_role(actor, [Role.SYSTEM_ADMIN])
    fields = given(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        department=department,
        is_active=is_active,
    )
    if user.pk == actor.pk and fields.get("is_active") is False:
        raise ValidationError({"is_active": _("不能停用自己的账户。")})
    before = snapshot(user, _USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_update(actor=actor, obj=user, before=before)
    return user


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str, department: Department | None = None) -> User:
    """Give an account its one role. Security administrators only, and never their own account,
    so no one can lift themselves into a second duty."""
    ensure_role(actor, [Role.SECURITY_ADMIN])
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色。")})
    if user.pk == actor.pk:
        raise ValidationError({"role": _("不能修改自己的角色。")})
    before = snapshot(user, ["role", "department"])
    user.role = role
    if department is not None:
        user.department = department
    if role in ADMIN_ROLES:
        # An administrator keeps no business tie, so its duties stay separate.
        user.department = None
    user.full_clean(exclude=["password"])
    user.save()
    audit_update(actor=actor, obj=user, before=before)
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User, password: str) -> User:
    """An administrator sets a temporary password; the user must change it at next login."""
    ensure_role(actor, [Role.SYSTEM_ADMIN])
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action=AuditEntry.Action.PASSWORD, obj=user, detail="reset by administrator")
    return user


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> User:
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action=AuditEntry.Action.PASSWORD, obj=user, detail="changed by the user")
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Lift a login lockout early. Returns how many lockout records were removed."""
    from axes.utils import reset

    ensure_role(actor, [Role.SYSTEM_ADMIN])
    removed = reset(username=user.username)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=user, detail="lockout lifted")
    return int(removed or 0)


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User) -> str:
    """A new bearer token for ``user``. The plain token is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        ensure_role(actor, [Role.SYSTEM_ADMIN])
    token = "xq_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), prefix=token[:8])
    audit_record(actor=actor, action=AuditEntry.Action.TOKEN, obj=user, detail=f"token {token[:8]}…")
    return token


def audit_purge(*, now: Any = None) -> int:
    """Delete audit entries older than XINQU_AUDIT_RETENTION_DAYS (never fewer than 184 days;
    the database itself refuses younger deletions). Returns the number removed."""
    now = now or timezone.now()
    days = max(settings.AUDIT_RETENTION_DAYS, settings.AUDIT_MIN_RETENTION_DAYS)
    cutoff = now - timedelta(days=days)
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE at < %s", [cutoff])  # noqa: S608
        return int(cursor.rowcount)


def notify(*, user: User, key: str, title: str | Phrase, body: str | Phrase = "", url: str = "") -> bool:
    """Send ``user`` a notification unless one with the same key was sent before. True if sent.
    A title or body given as a Phrase is shown in each reader's language."""
    words = {
        name: part.stored() for name, part in (("title", title), ("body", body)) if isinstance(part, Phrase)
    }
    title_text = title.in_zone_language() if isinstance(title, Phrase) else title
    body_text = body.in_zone_language() if isinstance(body, Phrase) else body
    _obj, created = Notification.objects.get_or_create(
        user=user,
        key=key[:120],
        defaults={"title": title_text[:200], "body": body_text[:500], "url": url[:300], "words": words},
    )
    if created and user.email:
        # Mail goes out once the notice is saved for good; a failing mail server never undoes it.
        link = f"{settings.SITE_URL}{url}" if url else ""
        transaction.on_commit(
            lambda: send_mail(
                title_text[:200],
                "\n\n".join(p for p in (body_text, link) if p),
                None,
                [user.email],
                fail_silently=True,
            )
        )
    return created


def notify_departments(
    department_ids: Iterable[int | None],
    *,
    key: str,
    title: str | Phrase,
    body: str | Phrase = "",
    url: str = "",
    roles: Iterable[str] = (Role.STAFF, Role.HEAD),
) -> int:
    """Notify the active members of these departments (staff and heads unless ``roles`` says
    otherwise), each once per ``key``. Returns how many were sent."""
    users = User.objects.filter(
        is_active=True, role__in=list(roles), department_id__in=[d for d in department_ids if d]
    )
    return sum(notify(user=user, key=key, title=title, body=body, url=url) for user in users)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


_KIND_WORDS = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "放假": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY,
    "上班": CalendarDay.Kind.WORKDAY,
    "调休上班": CalendarDay.Kind.WORKDAY,
    "班": CalendarDay.Kind.WORKDAY,
}


def parse_calendar_lines(text: str) -> list[tuple[date, str, str]]:
    """Lines of "2027-01-01 放假 元旦" (or commas, or "holiday"/"workday"): the yearly State
    Council notice as users type or paste it. Every bad line is reported at once."""
    days: list[tuple[date, str, str]] = []
    problems = []
    seen: dict[date, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[\s,，\t]+", line.strip()) if p]
        if not parts:
            continue
        try:
            day = date.fromisoformat(parts[0].replace("/", "-"))
        except ValueError:
            problems.append(
                _("第 %(n)d 行：“%(d)s”不是日期，应写作 2027-01-01") % {"n": number, "d": parts[0]}
            )
            continue
        kind = _KIND_WORDS.get(parts[1].lower() if len(parts) > 1 else "")
        if kind is None:
            problems.append(_("第 %(n)d 行：类型应为“放假”或“上班”") % {"n": number})
            continue
        if day in seen:
            problems.append(
                _("第 %(n)d 行：%(d)s 与第 %(m)d 行重复") % {"n": number, "d": day, "m": seen[day]}
            )
            continue
        if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            problems.append(_("第 %(n)d 行：%(d)s 本来就是工作日，不需调休上班") % {"n": number, "d": day})
            continue
        if kind == CalendarDay.Kind.HOLIDAY and day.weekday() >= 5:
            problems.append(_("第 %(n)d 行：%(d)s 是周末，本来就休息") % {"n": number, "d": day})
            continue
        seen[day] = number
        days.append((day, kind, " ".join(parts[2:])[:40]))
    if problems:
        raise ValidationError(problems)
    return days


@transaction.atomic
def calendar_days_set(*, actor: User, days: list[tuple[date, str, str]]) -> int:
    """Add or change holiday arrangements, all or none. The system administrator keeps the calendar."""
    ensure_role(actor, [Role.SYSTEM_ADMIN], _("只有系统管理员可以维护工作日历。"))
    for day, kind, name in days:
        current = CalendarDay.objects.filter(date=day).first()
        save_audited(
            actor=actor,
            instance=current or CalendarDay(date=day),
            audited=["date", "kind", "name"],
            fields={"kind": kind, "name": name},
        )
    return len(days)


@transaction.atomic
def calendar_day_delete(*, actor: User, day: date) -> None:
    """Make ``day`` an ordinary day again (working Monday to Friday, resting at the weekend)."""
    ensure_role(actor, [Role.SYSTEM_ADMIN], _("只有系统管理员可以维护工作日历。"))
    current = CalendarDay.objects.filter(date=day).first()
    if current is None:
        raise ValidationError(_("%(d)s 没有特别安排。") % {"d": day})
    audit_delete(actor=actor, obj=current)
    current.delete()


def _ensure_statistics_office(actor: User, *, head: bool = False) -> None:
    if not member_of(actor, settings.STATISTICS_DEPARTMENT) or (head and not is_head(actor)):
        raise PermissionDenied(
            _("只有统计部门负责人可以重新打开已关账的月份。")
            if head
            else _("只有统计部门可以关账：关账后的月份即全区的当前统计期。")
        )


@transaction.atomic
def period_close(*, actor: User, month: date, today: date | None = None) -> ClosedMonth:
    """Close ``month`` (关账): it becomes the zone's current reporting period. Months close in
    order, one after another, and only once they have ended."""
    _ensure_statistics_office(actor)
    month = month.replace(day=1)
    today = today or timezone.localdate()
    if month > (today.replace(day=1) - timedelta(days=1)).replace(day=1):
        raise ValidationError({"month": _("%(m)s 尚未结束，不能关账。") % {"m": f"{month:%Y-%m}"}})
    latest = ClosedMonth.objects.select_for_update().order_by("-month").first()
    if latest is not None:
        expected = (latest.month + timedelta(days=32)).replace(day=1)
        if month != expected:
            raise ValidationError(
                {
                    "month": _("月份须按顺序关账：已关账至 %(latest)s，下一个应关账的是 %(next)s。")
                    % {"latest": f"{latest.month:%Y-%m}", "next": f"{expected:%Y-%m}"}
                }
            )
    closed = ClosedMonth.objects.create(month=month, closed_by=actor)
    audit_create(actor=actor, obj=closed, fields=["month"])
    # The fed figures' values for the month are written now, by the modules that feed them.
    for hook in period_closed_hooks():
        hook(month=month, actor=actor)
    return closed


@transaction.atomic
def period_reopen(*, actor: User) -> ClosedMonth:
    """Reopen the latest closed month (a correction came in): the month before it becomes the
    reporting period again. Only the statistics office's head may."""
    _ensure_statistics_office(actor, head=True)
    latest = ClosedMonth.objects.select_for_update().order_by("-month").first()
    if latest is None:
        raise ValidationError(_("还没有关账的月份。"))
    audit_delete(actor=actor, obj=latest)
    latest.delete()
    return latest
