"""The department approval lifecycle, written once: draft → submitted → approved by the
department's own head, or returned with a reason. Work updates, indicator returns and plan
reports call these and add only what is theirs (warnings to confirm, observations to write, a
head to notify).

Each function locks the record's row, checks who acts and from which state, writes the
:class:`~xinqu.core.models.Approvable` fields and the audit entry, and returns the fresh record.
A refusal is ValidationError (wrong state, no reason) or PermissionDenied (wrong person), and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import head_of, in_department
from xinqu.core.audit import audit_update, snapshot
from xinqu.core.models import Approvable, ApprovalStatus

A = TypeVar("A", bound=Approvable)

_AUDITED = ["status", "review_note"]


def _lock(record: A) -> A:
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def require_status(record: Approvable, *allowed: str) -> None:
    if record.status not in allowed:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能进行此操作。") % {"status": record.get_status_display()}
        )


def ensure_editable(*, actor: Any, record: A) -> A:
    """The record, locked, if ``actor`` may change its content now: a draft or a returned one of
    the actor's own department. An approved record is locked."""
    if not in_department(actor, record.department_id):  # type: ignore[attr-defined]
        raise PermissionDenied(_("只能修改本部门的记录。"))
    record = _lock(record)
    require_status(record, *Approvable.EDITABLE)
    return record


@transaction.atomic
def approval_submit(*, actor: Any, record: A) -> A:
    """Staff (or the head) send their department's draft or returned record to the head."""
    record = ensure_editable(actor=actor, record=record)
    before = snapshot(record, _AUDITED)
    now = timezone.now()
    record.status, record.submitted_by, record.submitted_at = ApprovalStatus.SUBMITTED, actor, now
    record.first_submitted_at = record.first_submitted_at or now
    record.review_note = ""
    record.save()
    audit_update(actor=actor, obj=record, before=before, detail="submitted")
    return record


def _ensure_head(actor: Any, record: Approvable) -> None:
    if not head_of(actor, record.department_id):  # type: ignore[attr-defined]
        raise PermissionDenied(_("只有本部门负责人可以审核。"))


def _review(*, actor: Any, record: A, status: str, note: str, allowed: Sequence[str]) -> A:
    """The head's decision: lock, check who and from which state, write, audit."""
    _ensure_head(actor, record)
    record = _lock(record)
    require_status(record, *allowed)
    if status == ApprovalStatus.RETURNED and not note.strip():
        raise ValidationError({"reason": _("退回时必须填写理由。")})
    before = snapshot(record, _AUDITED)
    record.status, record.reviewed_by, record.reviewed_at = status, actor, timezone.now()
    record.review_note = note.strip()
    record.save()
    audit_update(actor=actor, obj=record, before=before, detail=status)
    return record


@transaction.atomic
def approval_approve(*, actor: Any, record: A, note: str = "") -> A:
    """The department's head approves a submitted record; from now on it is locked."""
    return _review(
        actor=actor,
        record=record,
        status=ApprovalStatus.APPROVED,
        note=note,
        allowed=[ApprovalStatus.SUBMITTED],
    )


@transaction.atomic
def approval_return(*, actor: Any, record: A, reason: str, reopen_approved: bool = False) -> A:
    """The department's head sends a submitted record back with a reason. ``reopen_approved``
    lets a module reopen an approved one as its revision (the plan's reports, while their period
    is open); otherwise an approved record stays locked."""
    allowed = [ApprovalStatus.SUBMITTED, *([ApprovalStatus.APPROVED] if reopen_approved else [])]
    return _review(actor=actor, record=record, status=ApprovalStatus.RETURNED, note=reason, allowed=allowed)
