"""Writes for work updates: draft → submitted → approved, or returned for another draft."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from xinqu.core.access import ensure_department_member
from xinqu.core.approval import (
    approval_approve,
    approval_return,
    approval_submit,
    ensure_editable,
    require_status,
)
from xinqu.core.audit import audit_create, audit_delete, audit_update, snapshot
from xinqu.core.models import User
from xinqu.updates.models import WorkUpdate

_FIELDS = ["title", "body", "happened_on", "confidential", "status", "review_note"]
Status = WorkUpdate.Status


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
    update = ensure_editable(actor=actor, record=update)
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


def work_update_submit(*, actor: User, update: WorkUpdate) -> WorkUpdate:
    """Send a draft or returned update to the department head."""
    return approval_submit(actor=actor, record=update)


def work_update_approve(*, actor: User, update: WorkUpdate, comment: str = "") -> WorkUpdate:
    """The department head publishes a submitted update."""
    return approval_approve(actor=actor, record=update, note=comment)


def work_update_return(*, actor: User, update: WorkUpdate, reason: str) -> WorkUpdate:
    """The department head sends a submitted update back with a reason."""
    return approval_return(actor=actor, record=update, reason=reason)


@transaction.atomic
def work_update_delete(*, actor: User, update: WorkUpdate) -> None:
    """Only a draft that was never submitted can be deleted."""
    update = ensure_editable(actor=actor, record=update)
    require_status(update, Status.DRAFT)
    audit_delete(actor=actor, obj=update)
    update.delete()
