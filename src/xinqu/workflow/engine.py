"""The closed-loop engine. A kind of item declares its states and its transitions; the engine
checks each action against them, moves the deadline clock, writes the timeline, and refuses an
action on an item someone else changed meanwhile. It knows nothing about any one kind.

A transition's ``allowed(user, item)`` says who may take it; its ``clock`` says what happens to
the deadline: "start" sets a new one (the kind's ``time_limit`` in working days), "pause" stops
it while the item waits on the requester, "resume" moves the deadline on by the working days it
waited, "stop" ends it (the item is done).

An extension needs approval: `extension_transitions` gives a kind "ask_extension" (the working days
wanted and why; pending on the item), "approve_extension" (the deadline moves on by those working
days) and "refuse_extension", the last two for someone other than the asker."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.audit import audit_record, describe
from xinqu.core.models import AuditEntry, Department, User
from xinqu.core.workdays import WorkCalendar, calendar
from xinqu.workflow.models import Attachment, Event, Item

Allowed = Callable[[User | None, Item], bool]
ALLOWED_ATTACHMENTS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
# What a file's first bytes must be for its declared type: the name and the browser's word are
# not trusted.
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the state stays
    allowed: Allowed
    clock: str | None = None  # start | pause | resume | stop | ask_extension | extend | refuse_extension
    needs_comment: bool = False
    public: bool = False  # the comment is shown to the requester
    # Why the item cannot take this step now although its state allows it (None: it can).
    blocked: Callable[[Item], str | Promise | None] | None = None


@dataclass
class Kind:
    key: str
    label: str | Promise
    prefix: str  # item numbers: prefix + date + serial
    states: dict[str, str | Promise]
    initial: str
    closed: frozenset[str]
    transitions: dict[str, Transition] = field(default_factory=dict)
    time_limit: Callable[[Item, str], int] = lambda item, action: 5  # working days, for "start"
    # The kind's own bookkeeping, after every action and escalation on one of its items: a
    # callable, or the dotted path of one in the kind's services (which the flow table, a lower
    # layer, must not import).
    after: Callable[[Item, Event, dict[str, Any]], None] | str | None = None
    detail_url: str = ""  # URL name of an item's page, taking its number
    merge_allowed: Allowed = lambda user, item: False  # who may merge a duplicate into another item

    def run_after(self, item: Item, event: Event, data: dict[str, Any]) -> None:
        hook = import_string(self.after) if isinstance(self.after, str) else self.after
        if hook is not None:
            hook(item, event, data)

    def add(self, *transitions: Transition) -> None:
        for t in transitions:
            unknown = (t.sources | ({t.target} if t.target else set())) - set(self.states)
            if unknown:
                raise ValueError(f"{self.key}.{t.action}: unknown states {sorted(unknown)}")
            self.transitions[t.action] = t

    def add_extensions(self, *, sources: frozenset[str], asker: Allowed, approver: Allowed) -> None:
        """Extensions of the deadline in ``sources``: ``asker`` asks, ``approver`` decides."""

        def ask_blocked(item: Item) -> str | Promise | None:
            if item.extension_days is not None:
                return gettext_lazy("已有延期申请待审批。")
            if item.due_on is None or item.paused_since is not None:
                return gettext_lazy("当前没有在计时的办理期限，无需延期。")
            return None

        def decide_blocked(item: Item) -> str | Promise | None:
            return gettext_lazy("没有待审批的延期申请。") if item.extension_days is None else None

        self.add(
            Transition(
                "ask_extension",
                gettext_lazy("申请延期"),
                sources,
                None,
                asker,
                clock="ask_extension",
                needs_comment=True,
                blocked=ask_blocked,
            ),
            Transition(
                "approve_extension",
                gettext_lazy("批准延期"),
                sources,
                None,
                approver,
                clock="extend",
                blocked=decide_blocked,
            ),
            Transition(
                "refuse_extension",
                gettext_lazy("不批准延期"),
                sources,
                None,
                approver,
                clock="refuse_extension",
                needs_comment=True,
                blocked=decide_blocked,
            ),
        )

    def available(self, user: User | None, item: Item) -> list[Transition]:
        """The actions ``user`` may take on ``item`` now."""
        return [
            t
            for t in self.transitions.values()
            if item.state in t.sources and t.allowed(user, item) and not (t.blocked and t.blocked(item))
        ]


KINDS: dict[str, Kind] = {}


def _step_in_words(match: re.Match[str]) -> str | None:
    """An item's audit detail, "<action> <who>", by the step's name on any kind's flow."""
    for kind in KINDS.values():
        transition = kind.transitions.get(match["action"])
        if transition is not None:
            who = match["who"] or ""
            return f"{transition.label}{'（' + who + '）' if who else ''}"
    return None


describe(r"(?P<action>[a-z_]+)(?: (?P<who>.+))?", _step_in_words)


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def kind_of(item: Item) -> Kind:
    return KINDS[item.kind]


NUMBER_ATTEMPTS = 50  # filings racing for the day's next serial; each retry sees the winner's


class ChangedMeanwhile(ValidationError):
    """Someone acted on the item after the actor loaded it."""


def _number(kind: Kind, now: dt.datetime) -> str:
    """The kind's prefix, the local date and the day's next serial: SR202611260001. Only the
    day's numbers are read (an index range: digits sort before ":"); the longest sorts last, so
    serial 10000 follows 9999."""
    day = timezone.localtime(now).date()
    prefix = f"{kind.prefix}{day:%Y%m%d}"
    last = (
        Item.objects.filter(number__gte=prefix, number__lt=f"{prefix}:")
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    return f"{prefix}{serial + 1:04d}"


@transaction.atomic
def item_open(
    *,
    kind: Kind,
    title: str,
    actor: User | None,
    actor_label: str = "",
    department: Department | None = None,
    org_unit_id: int | None = None,
    comment: str = "",
    attachments: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
    due_on: dt.date | None = None,
) -> Item:
    """File a new item in the kind's initial state; its first deadline starts now (the kind's time
    limit in working days, or ``due_on`` when the one filing it sets the date)."""
    now = now or timezone.now()
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写标题。")})
    files = checked_files(attachments)
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                item = Item.objects.create(
                    kind=kind.key,
                    number=_number(kind, now),
                    state=kind.initial,
                    title=title[:200],
                    department=department,
                    org_unit_id=org_unit_id,
                    opened_at=now,
                )
            break
        except IntegrityError:  # another filing took the serial meanwhile: take the next one
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    item.due_on = due_on or calendar().add(timezone.localtime(now).date(), kind.time_limit(item, "open"))
    item.save(update_fields=["due_on"])
    event = _event(
        item, actor, actor_label, "open", "", kind.initial, comment, True, department, data or {}, now
    )
    _attach(event, files)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=item, detail=actor_label)
    return item


@transaction.atomic
def item_act(
    *,
    item: Item,
    action: str,
    actor: User | None,
    version: int | None = None,
    actor_label: str = "",
    comment: str = "",
    public: bool | None = None,
    department: Department | None = None,
    attachments: Iterable[UploadedFile] = (),
    now: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
    due_on: dt.date | None = None,
) -> Item:
    """Take ``action`` on ``item``. ``version`` is the version the actor saw: when someone else
    acted since, nothing changes and ChangedMeanwhile says so. The updated item is returned (and
    ``item`` itself is brought up to date)."""
    kind = kind_of(item)
    transition = kind.transitions.get(action)
    if transition is None:
        raise ValidationError(_("没有这个操作。"))
    current = Item.objects.select_for_update().get(pk=item.pk)
    # Pages and the API pass the version the user saw; a caller passing none acts on the item as it is.
    seen = current.version if version is None else version
    if current.version != seen:
        raise ChangedMeanwhile(
            _("该事项已被他人处理（当前状态：%(state)s），请刷新后再操作。")
            % {"state": kind.states.get(current.state, current.state)}
        )
    if current.state not in transition.sources:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能“%(action)s”。")
            % {"state": kind.states.get(current.state, current.state), "action": transition.label}
        )
    if not transition.allowed(actor, current):
        raise PermissionDenied(_("您无权对该事项进行“%(action)s”。") % {"action": transition.label})
    reason = transition.blocked(current) if transition.blocked else None
    if reason:
        raise ValidationError(str(reason))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": _("请写明意见或理由。")})
    files = checked_files(attachments)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    before = current.state
    due_before = current.due_on
    extension = _extension(current, transition, actor, data or {})
    if transition.target:
        current.state = transition.target
    if department is not None:
        current.department = department
    _move_clock(kind, current, transition, today)
    if due_on is not None and transition.clock == "start":
        if due_on < today:
            raise ValidationError({"due_on": _("期限不能早于今天。")})
        current.due_on = due_on  # a deadline the actor sets (e.g. a rectification date)
    if current.state in kind.closed and current.closed_at is None:
        current.closed_at = now
    elif current.state not in kind.closed:
        current.closed_at = None
    updated = Item.objects.filter(pk=current.pk, version=seen).update(
        state=current.state,
        department=current.department,
        due_on=current.due_on,
        paused_since=current.paused_since,
        paused_days=current.paused_days,
        closed_at=current.closed_at,
        supervision_level=current.supervision_level,
        extension_days=current.extension_days,
        version=F("version") + 1,
    )
    if updated != 1:  # pragma: no cover - the row lock above makes this unreachable
        raise ChangedMeanwhile(_("该事项已被他人处理，请刷新后再操作。"))
    current.version = seen + 1
    item.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    shown = transition.public if public is None else public
    # The deadline that applied when the action was taken, and the time paused so far: enough to
    # tell from the timeline alone whether each step was on time and how long it took.
    recorded = {
        **(data or {}),
        **extension,
        "due": due_before.isoformat() if due_before else None,
        "paused": current.paused_days,
    }
    event = _event(
        current, actor, actor_label, action, before, current.state, comment, shown, department, recorded, now
    )
    _attach(event, files)
    kind.run_after(current, event, data or {})
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=current,
        changes={"state": [before, current.state]} if before != current.state else {},
        detail=f"{action} {actor_label}".strip(),
    )
    return current


MAX_EXTENSION_DAYS = 30


def _extension(
    item: Item, transition: Transition, actor: User | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Ask for, grant or refuse an extension; what the timeline should record of it."""
    if transition.clock == "ask_extension":
        days = data.get("days")
        if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
            raise ValidationError(
                {"days": _("请填写申请延期的工作日数（1–%(n)d）。") % {"n": MAX_EXTENSION_DAYS}}
            )
        item.extension_days = days
        return {"days": days}
    if transition.clock in {"extend", "refuse_extension"}:
        asked = item.events.filter(action="ask_extension").order_by("-at", "-id").first()
        if asked is not None and actor is not None and asked.actor_id == actor.pk:
            raise PermissionDenied(_("延期申请须由他人审批。"))
        days, item.extension_days = item.extension_days or 0, None
        if transition.clock == "extend" and item.due_on is not None:
            item.due_on = calendar().add(item.due_on, days)
            return {"days": days, "due_after": item.due_on.isoformat()}
        return {"days": days}
    return {}


def _move_clock(kind: Kind, item: Item, transition: Transition, today: dt.date) -> None:
    cal = calendar()
    if transition.clock in {"start", "stop"}:
        item.extension_days = None  # a request for more time lapses when the step it was for ends
    if transition.clock == "start":
        item.paused_since = None
        item.due_on = cal.add(today, kind.time_limit(item, transition.action))
    elif transition.clock == "pause" and item.paused_since is None:
        item.paused_since = today
    elif transition.clock == "resume" and item.paused_since is not None:
        waited = max(cal.between(item.paused_since, today), 0)
        if item.due_on is not None:
            item.due_on = cal.add(item.due_on, waited)
        item.paused_days += waited
        item.paused_since = None
    elif transition.clock == "stop":
        item.paused_since = None


MERGED = "merged"


@transaction.atomic
def item_merge(
    *, actor: User, duplicate: Item, into: Item, comment: str = "", now: dt.datetime | None = None
) -> Item:
    """Close ``duplicate`` as merged into ``into``. Both timelines stay whole; each records the other."""
    kind = kind_of(duplicate)
    if MERGED not in kind.states:
        raise ValidationError(_("这类事项不能合并。"))
    first, second = sorted([duplicate.pk, into.pk])
    locked = {i.pk: i for i in Item.objects.select_for_update().filter(pk__in=[first, second])}
    if duplicate.pk == into.pk or into.pk not in locked:
        raise ValidationError(_("请选择另一个事项作为合并目标。"))
    dup, target = locked[duplicate.pk], locked[into.pk]
    if dup.kind != target.kind:
        raise ValidationError(_("只能合并同一类事项。"))
    if not kind.merge_allowed(actor, dup):
        raise PermissionDenied(_("您无权合并该事项。"))
    if dup.state in kind.closed or dup.merged_into_id:
        raise ValidationError(_("已办结或已合并的事项不能再合并。"))
    if target.state == MERGED:
        raise ValidationError(_("目标事项本身已合并到其他事项，请选择最终的事项。"))
    now = now or timezone.now()
    before = dup.state
    Item.objects.filter(pk=dup.pk).update(
        state=MERGED,
        merged_into=target,
        closed_at=now,
        paused_since=None,
        extension_days=None,
        version=F("version") + 1,
    )
    Item.objects.filter(pk=target.pk).update(version=F("version") + 1)
    _event(dup, actor, "", "merge", before, MERGED, comment, True, None, {"into": target.number}, now)
    _event(
        target,
        actor,
        "",
        "merged_in",
        target.state,
        target.state,
        comment,
        False,
        None,
        {"from": dup.number},
        now,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=dup,
        changes={"state": [before, MERGED], "merged_into": [None, target.number]},
    )
    dup.refresh_from_db()
    return dup


def escalate(*, item: Item, level: int, reason: str, now: dt.datetime | None = None) -> bool:
    """Put an item under supervision (督办) at ``level`` (1–3) if it is not there already."""
    level = max(1, min(3, level))
    if item.supervision_level >= level:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        updated = Item.objects.filter(pk=item.pk, supervision_level__lt=level).update(
            supervision_level=level, version=F("version") + 1
        )
        if not updated:
            return False
        item.supervision_level, item.version = level, item.version + 1
        event = _event(
            item,
            None,
            _("系统"),
            "supervise",
            item.state,
            item.state,
            reason,
            False,
            None,
            {"level": level},
            now,
        )
        kind = KINDS.get(item.kind)
        if kind is not None:
            kind.run_after(item, event, {})
    return True


def deadline_state(item: Item, today: dt.date | None = None, cal: WorkCalendar | None = None) -> str:
    """ "overdue", "due_soon" (this or the next working day), "paused", "closed" or "" — derived now,
    never stored, so it is never stale. Lists pass one ``cal`` for all their rows."""
    if item.closed_at is not None or item.state in kind_of(item).closed:
        return "closed"
    if item.paused_since is not None:
        return "paused"
    if item.due_on is None:
        return ""
    today = today or timezone.localdate()
    if today > item.due_on:
        return "overdue"
    if (cal or calendar()).between(today, item.due_on) <= 1:
        return "due_soon"
    return ""


def _event(
    item: Item,
    actor: User | None,
    actor_label: str,
    action: str,
    before: str,
    after: str,
    comment: str,
    public: bool,
    department: Department | None,
    data: dict[str, Any],
    now: dt.datetime,
) -> Event:
    return Event.objects.create(
        item=item,
        at=now,
        actor=actor,
        actor_label=actor_label[:80] or (actor.display_name if actor else ""),
        action=action,
        from_state=before,
        to_state=after,
        department=department,
        comment=comment,
        public=public,
        data=data,
    )


def checked_files(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Each upload with its checked type, or ValidationError before anything is written."""
    checked = []
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    for upload in files:
        name = upload.name or "file"
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("附件“%(name)s”超过 %(mb)d MB。") % {"name": name, "mb": settings.ATTACHMENT_MAX_MB}
            )
        head = upload.read(16)
        upload.seek(0)
        kind = next((t for t, starts in _MAGIC.items() if head.startswith(starts)), None)
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        if kind is None or ALLOWED_ATTACHMENTS[kind].lstrip(".") != {"jpeg": "jpg"}.get(suffix, suffix):
            raise ValidationError(
                _("附件“%(name)s”的类型不允许：只接受 PDF、JPG、PNG、Word（.docx）和 Excel（.xlsx）。")
                % {"name": name}
            )
        checked.append((upload, kind))
    return checked


def _attach(event: Event, files: list[tuple[UploadedFile, str]]) -> None:
    for upload, kind in files:
        name = (upload.name or "file")[-200:]
        Attachment.objects.create(
            event=event, file=upload, name=name, size=upload.size or 0, content_type=kind
        )
