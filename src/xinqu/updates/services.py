"""Writes for work updates: draft → submitted → approved, or returned for another draft."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core.access import ensure_can_write, ensure_department_member, is_head
from xinqu.core.audit import audit_create, audit_delete, audit_update, snapshot
from xinqu.core.models import User
from xinqu.updates.models import WorkUpdate

_FIELDS = ["title", "body", "happened_on", "confidential", "status", "review_comment"]
Status = WorkUpdate.Status


def _locked(update: WorkUpdate) -> WorkUpdate:
    # Re-read under a row lock so two reviewers acting at once cannot both succeed.
    return WorkUpdate.objects.select_for_update().get(pk=update.pk)


def _require_status(update: WorkUpdate, *allowed: str) -> None:
    if update.status not in allowed:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能进行此操作。") % {"status": update.get_status_display()}
        )


@transaction.atomic
def work_update_create(
    *, actor: User, title: str, body: str, happened_on: dt.date, confidential: bool = False
) -> WorkUpdate:
    """A new draft in the actor's own department."""
    department_id = ensure_department_member(actor, _("只有部门工作人员可以填报工作动态。"))
    update = WorkUpdate(
        department_id=department_id,
        author=actor,
        title=title.strip(),
        body=body.strip(),
        happened_on=happened_on,
        confidential=confidential,
    )
    update.full_clean()
    update.save()
    audit_create(actor=actor, obj=update, fields=_FIELDS)
    return update


@transaction.atomic
def work_update_edit(
    *,
    actor: User,
    update: WorkUpdate,
    title: str | None = None,
    body: str | None = None,
    happened_on: dt.date | None = None,
    confidential: bool | None = None,
) -> WorkUpdate:
    """Change a draft or a returned update of the actor's department."""
    ensure_can_write(actor, update)
    update = _locked(update)
    _require_status(update, Status.DRAFT, Status.RETURNED)
    before = snapshot(update, _FIELDS)
    if title is not None:
        update.title = title.strip()
    if body is not None:
        update.body = body.strip()
    if happened_on is not None:
        update.happened_on = happened_on
    if confidential is not None:
        update.confidential = confidential
    update.full_clean()
    update.save()
    audit_update(actor=actor, obj=update, before=before)
    return update


@transaction.atomic
def work_update_submit(*, actor: User, update: WorkUpdate) -> WorkUpdate:
    ensure_can_write(actor, update)
    update = _locked(update)
    _require_status(update, Status.DRAFT, Status.RETURNED)
    before = snapshot(update, _FIELDS)
    update.status = Status.SUBMITTED
    update.save(update_fields=["status", "updated_at"])
    audit_update(actor=actor, obj=update, before=before, detail="submitted")
    return update


def _ensure_head(actor: User, update: WorkUpdate) -> None:
    ensure_can_write(actor, update)
    if not is_head(actor):
        raise PermissionDenied(_("只有本部门负责人可以审核。"))


def _review(*, actor: User, update: WorkUpdate, status: str, comment: str) -> WorkUpdate:
    _ensure_head(actor, update)
    update = _locked(update)
    _require_status(update, Status.SUBMITTED)
    before = snapshot(update, _FIELDS)
    update.status = status
    update.reviewed_by = actor
    update.reviewed_at = timezone.now()
    update.review_comment = comment.strip()
    update.save()
    audit_update(actor=actor, obj=update, before=before, detail=status)
    return update


@transaction.atomic
def work_update_approve(*, actor: User, update: WorkUpdate, comment: str = "") -> WorkUpdate:
    """The department head publishes a submitted update."""
    return _review(actor=actor, update=update, status=Status.APPROVED, comment=comment)


@transaction.atomic
def work_update_return(*, actor: User, update: WorkUpdate, reason: str) -> WorkUpdate:
    """The department head sends a submitted update back with a reason."""
    if not reason.strip():
        _ensure_head(actor, update)
        raise ValidationError({"reason": _("退回时必须填写理由。")})
    return _review(actor=actor, update=update, status=Status.RETURNED, comment=reason)


@transaction.atomic
def work_update_delete(*, actor: User, update: WorkUpdate) -> None:
    """Only a draft that was never submitted can be deleted."""
    ensure_can_write(actor, update)
    update = _locked(update)
    _require_status(update, Status.DRAFT)
    audit_delete(actor=actor, obj=update)
    update.delete()
