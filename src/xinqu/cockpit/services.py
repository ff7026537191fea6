"""Issuing and revoking display tokens (see xinqu.cockpit.models), each in the audit trail; and
the monthly briefing's job: requested from the cockpit, the API or ``xinqu report``, or written
on the day the statistics office set (``deliver_due``, run by ``xinqu remind``)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from xinqu.cockpit import documents
from xinqu.cockpit.briefing import compose
from xinqu.cockpit.models import Briefing, BriefingSchedule, DisplayToken
from xinqu.core.access import ensure_business, is_leader, member_of
from xinqu.core.audit import audit_create, audit_delete, audit_record
from xinqu.core.cockpit import Scope
from xinqu.core.jobs import claim
from xinqu.core.models import AuditEntry
from xinqu.core.phrases import Phrase
from xinqu.core.services import notify
from xinqu.core.tokens import new_token, token_digest

log = logging.getLogger(__name__)


def ensure_screen_manager(user: Any) -> None:
    """The big screens' page and API calls: leaders only."""
    if not is_leader(user):
        raise PermissionDenied(_("只有新区领导可以管理大屏。"))


def _ensure_leader(actor: Any) -> None:
    if not is_leader(actor):
        raise PermissionDenied(_("只有新区领导可以签发或吊销大屏令牌。"))


# How long a display token may be valid, in days: the leader picks one of these.
DISPLAY_TOKEN_DAYS = (30, 90, 180, 365)


@transaction.atomic
def display_token_issue(*, actor: Any, label: str, days: int = 365) -> tuple[DisplayToken, str]:
    """A new token for one screen, valid for ``days``; the token itself is returned once and
    never stored."""
    _ensure_leader(actor)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("请填写大屏名称，如“三楼会议室”。")})
    if len(label) > 60:
        raise ValidationError({"label": _("大屏名称不超过 60 个字。")})
    if days not in DISPLAY_TOKEN_DAYS:
        raise ValidationError({"days": _("有效期可选 30、90、180 或 365 天。")})
    token = new_token()
    display = DisplayToken.objects.create(
        label=label,
        digest=token_digest(token),
        prefix=token[:8],
        issued_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(actor=actor, action=AuditEntry.Action.TOKEN, obj=display, detail=f"display {token[:8]}…")
    return display, token


@transaction.atomic
def display_token_revoke(*, actor: Any, display: DisplayToken) -> DisplayToken:
    _ensure_leader(actor)
    if display.revoked_at is not None:
        raise ValidationError(_("这个大屏令牌已经吊销。"))
    display.revoked_at = timezone.now()
    display.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=display,
        changes={"revoked_at": [None, display.revoked_at.isoformat()]},
        detail="display token revoked",
    )
    return display


def display_for(token: str) -> DisplayToken | None:
    """The live token behind a screen's link: not revoked, and its issuer still an active
    leader (a leader who leaves takes their screens with them). None otherwise."""
    if not token:
        return None
    display = (
        DisplayToken.objects.select_related("issued_by")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if display is None or not display.active or not is_leader(display.issued_by):
        return None
    now = timezone.now()
    if display.last_seen_at is None or (now - display.last_seen_at).total_seconds() > 60:
        DisplayToken.objects.filter(pk=display.pk).update(last_seen_at=now)
    return display


# --- the monthly briefing ---------------------------------------------------------------------------


def _briefing_path(name: str) -> Path:
    return Path(settings.BRIEFING_DIR) / name


BRIEFING_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def briefing_file(briefing: Briefing, kind: str) -> Path | None:
    """Where a finished briefing's .docx or PDF lies; None for another kind of file."""
    name = {"docx": briefing.docx_name, "pdf": briefing.pdf_name}.get(kind)
    return _briefing_path(name) if name else None


def briefing_filename(briefing: Briefing, kind: str) -> str:
    """The download's name: 经济运行分析-zone-2023-12.docx (briefing-… in English)."""
    stem = "briefing" if briefing.language == Briefing.Language.ENGLISH else "经济运行分析"
    return f"{stem}-{briefing.unit.code}-{briefing.month:%Y-%m}.{kind}"


def ensure_briefing_reader(user: Any) -> None:
    """The briefings are the cockpit's: every business role, the administrators none."""
    ensure_business(user)


def briefings_for(user: Any) -> QuerySet[Briefing]:
    """The briefings ``user`` may open: their own, and for leaders every one (the scheduled ones
    are written for leaders)."""
    found = Briefing.objects.select_related("unit", "requested_by")
    return found if is_leader(user) else found.filter(requested_by=user)


def briefing_for(user: Any, briefing_id: int) -> Briefing:
    """One briefing ``user`` may open (the page and the API): 404 otherwise."""
    from django.shortcuts import get_object_or_404

    ensure_briefing_reader(user)
    return get_object_or_404(briefings_for(user), pk=briefing_id)


def briefing_request(*, actor: Any, scope: Scope, language: str, background: bool | None = None) -> Briefing:
    """Queue a briefing of what ``actor`` may see for the scope's closed month; the worker writes
    it (tests write it now). A month not closed, a language not offered or a server without a
    Chinese font is refused before anything is queued."""
    ensure_briefing_reader(actor)
    return _queue(scope=scope, language=language, requested_by=actor, background=background)


def briefing_queue(
    *, scope: Scope, language: str, scheduled: bool = False, background: bool | None = None
) -> Briefing:
    """A briefing nobody asked for in the system (``xinqu report``, the schedule): written as a
    leader sees it."""
    return _queue(scope=scope, language=language, scheduled=scheduled, background=background)


def _queue(
    *,
    scope: Scope,
    language: str,
    requested_by: Any = None,
    scheduled: bool = False,
    background: bool | None = None,
) -> Briefing:
    """Write the briefing's content now, from the data as it stands (a month not closed, with
    no figures, a language not offered or a server without a Chinese font is refused here, and
    nothing is kept); the worker draws its documents. ``background``: hand it to the worker
    (default: as XINQU_IMPORTS_IN_BACKGROUND says)."""
    if language not in Briefing.Language.values:
        raise ValidationError({"language": _("经济运行分析只有中文和英文两种。")})
    try:
        documents.cjk_font()
    except ImproperlyConfigured as exc:
        raise ValidationError(str(exc)) from None
    content = compose(reader=requested_by or _leader(), scope=scope, language=language)
    briefing = Briefing.objects.create(
        unit=scope.unit,
        month=scope.month,
        language=language,
        requested_by=requested_by,
        scheduled=scheduled,
        content=content,
    )
    if requested_by is not None:
        audit_record(
            actor=requested_by,
            action=AuditEntry.Action.EXPORT,
            obj=briefing,
            detail=f"briefing {scope.unit.code} {scope.month:%Y-%m} {language}",
        )
    if settings.IMPORTS_IN_BACKGROUND if background is None else background:
        briefing_task.enqueue(briefing.pk)
    else:
        run_briefing(briefing.pk)
        briefing.refresh_from_db()
    return briefing


def _leader() -> Any:
    """Whose sight a briefing nobody asked for is written with: a leader's, who sees everything."""
    from xinqu.core.models import User
    from xinqu.core.roles import Role

    leader = User.objects.filter(role=Role.LEADER, is_active=True).order_by("id").first()
    if leader is None:
        raise ValidationError(_("没有在岗的新区领导账号，自动生成的经济运行分析无人可读。"))
    return leader


def run_briefing(briefing_id: int) -> Briefing:
    """Draw the briefing's .docx and PDF from its content. A failure leaves no file and says
    why on the briefing."""
    briefing = Briefing.objects.get(pk=briefing_id)
    claim(briefing)
    written: list[Path] = []
    try:
        content = briefing.content
        with override(briefing.language):
            images = documents.charts(content)
            files = {"docx": documents.to_docx(content, images), "pdf": documents.to_pdf(content, images)}
        Path(settings.BRIEFING_DIR).mkdir(parents=True, exist_ok=True)
        stem = uuid.uuid4().hex
        for kind, data in files.items():
            path = _briefing_path(f"{stem}.{kind}")
            path.write_bytes(data)
            written.append(path)
    except Exception as exc:
        log.exception("briefing %s failed", briefing.pk)
        for path in written:
            path.unlink(missing_ok=True)
        briefing.status, briefing.failure = Briefing.Status.FAILED, str(exc)[:300]
    else:
        briefing.status = Briefing.Status.DONE
        briefing.docx_name, briefing.pdf_name = f"{stem}.docx", f"{stem}.pdf"
    briefing.finished_at = timezone.now()
    briefing.save(update_fields=["status", "failure", "docx_name", "pdf_name", "finished_at"])
    return briefing


@task()
def briefing_task(briefing_id: int) -> str:
    """The worker's side of a briefing."""
    return str(run_briefing(briefing_id).status)


def briefing_schedule_set(*, actor: Any, day: int | None) -> BriefingSchedule | None:
    """The statistics office sets the day of the month the briefing is delivered (1–28), or
    none to stop the delivery."""
    if not member_of(actor, settings.STATISTICS_DEPARTMENT):
        raise PermissionDenied(_("只有统计部门可以设置经济运行分析的推送日。"))
    current = BriefingSchedule.objects.first()
    if day is None:
        if current is not None:
            audit_delete(actor=actor, obj=current)
            current.delete()
        return None
    if not 1 <= day <= 28:
        raise ValidationError({"day": _("推送日应为每月 1 至 28 日之间的一天（每个月都有的日子）。")})
    if current is None:
        current = BriefingSchedule.objects.create(day=day, updated_by=actor)
        audit_create(actor=actor, obj=current, fields=["day"])
        return current
    before = current.day
    current.day, current.updated_by = day, actor
    current.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=current, changes={"day": [before, day]})
    return current


def deliver_due(dry_run: bool = False, today: dt.date | None = None) -> int:
    """From the day the statistics office set, write the briefing of the month last closed for
    the zone, once, and put it in every leader's inbox. Returns how many leaders were told."""
    from xinqu.cockpit.selectors import units
    from xinqu.core.models import ClosedMonth, User
    from xinqu.core.roles import Role

    schedule = BriefingSchedule.objects.first()
    today = today or timezone.localdate()
    month = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    found = units()
    if schedule is None or month is None or not found or today.day < schedule.day:
        return 0
    zone = found[0]
    if Briefing.objects.filter(
        unit=zone, month=month, language=Briefing.Language.CHINESE, scheduled=True
    ).exists():
        return 0
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True))
    if dry_run:
        return len(leaders)
    try:
        with override(settings.LANGUAGE_CODE):
            briefing = briefing_queue(
                scope=Scope(zone, month, True), language=Briefing.Language.CHINESE, scheduled=True
            )
    except ValidationError as exc:
        # No font, no figures yet: say why in the log and try again tomorrow; the other
        # reminders still run.
        log.warning("scheduled briefing for %s not written: %s", f"{month:%Y-%m}", " ".join(exc.messages))
        return 0
    url = reverse("cockpit:briefing", args=[briefing.pk])
    for leader in leaders:
        notify(
            user=leader,
            key=f"briefing-{briefing.pk}",
            title=Phrase(
                gettext_noop("%(year)s年%(month)s月经济运行分析已生成"), year=month.year, month=month.month
            ),
            body=Phrase(
                gettext_noop(
                    "按统计部门设定的推送日自动生成：%(unit)s%(year)s年%(month)s月经济运行分析（Word 和 PDF）。"
                ),
                unit=Phrase.names(zone.name, zone.name_en),
                year=month.year,
                month=month.month,
            ),
            url=url,
        )
    return len(leaders)
