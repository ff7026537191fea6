from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from xinqu.core.access import AuthedRequest, get_visible_or_404
from xinqu.core.api import Pages
from xinqu.updates import services
from xinqu.updates.models import WorkUpdate
from xinqu.updates.selectors import work_updates_for

router = Router(tags=["work updates"])


class WorkUpdateOut(Schema):
    id: int
    department_id: int
    title: str
    body: str
    happened_on: dt.date
    confidential: bool
    status: str
    author_id: int
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str


class WorkUpdateIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1)
    happened_on: dt.date
    confidential: bool = False


class WorkUpdatePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=120)
    body: str | None = Field(default=None, min_length=1)
    happened_on: dt.date | None = None
    confidential: bool | None = None


class ReviewIn(Schema):
    comment: str = ""


@router.get("", response=list[WorkUpdateOut])
@paginate(Pages)
def list_updates(request: AuthedRequest, department: int | None = None, status: str | None = None) -> Any:
    return work_updates_for(request.user, department=department, status=status)


@router.get("/{int:update_id}", response=WorkUpdateOut)
def get_update(request: AuthedRequest, update_id: int) -> Any:
    return get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)


@router.post("", response={201: WorkUpdateOut})
def create_update(request: AuthedRequest, payload: WorkUpdateIn) -> Any:
    update = services.work_update_create(actor=request.user, **payload.dict())
    return Status(201, update)


@router.patch("/{int:update_id}", response=WorkUpdateOut)
def edit_update(request: AuthedRequest, update_id: int, payload: WorkUpdatePatch) -> Any:
    update = get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)
    return services.work_update_edit(actor=request.user, update=update, **payload.dict())


@router.post("/{int:update_id}/submit", response=WorkUpdateOut)
def submit_update(request: AuthedRequest, update_id: int) -> Any:
    update = get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)
    return services.work_update_submit(actor=request.user, update=update)


@router.post("/{int:update_id}/approve", response=WorkUpdateOut)
def approve_update(request: AuthedRequest, update_id: int, payload: ReviewIn) -> Any:
    update = get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)
    return services.work_update_approve(actor=request.user, update=update, comment=payload.comment)


@router.post("/{int:update_id}/return", response=WorkUpdateOut)
def return_update(request: AuthedRequest, update_id: int, payload: ReviewIn) -> Any:
    update = get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)
    return services.work_update_return(actor=request.user, update=update, reason=payload.comment)


@router.delete("/{int:update_id}", response={204: None})
def delete_update(request: AuthedRequest, update_id: int) -> Any:
    update = get_visible_or_404(request.user, WorkUpdate.objects, pk=update_id)
    services.work_update_delete(actor=request.user, update=update)
    return Status(204, None)
