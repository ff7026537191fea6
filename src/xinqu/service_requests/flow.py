"""The service request's life on the workflow engine ("有事必到、闭环解决"):

submitted → accepted (or rejected) by the service centre → dispatched to a department → signed for
within 1 working day (or returned, 退单, to the centre, which re-dispatches or overrules) → in
progress (it may wait on the requester for more information) → replied, publicly, with an outcome
→ rated by the requester through their link → closed. Dissatisfied reopens it once; a second
dissatisfied puts it under supervision (督办)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import in_department, member_of
from xinqu.core.models import User
from xinqu.core.workdays import calendar
from xinqu.service_requests.models import ServiceRequest
from xinqu.workflow import engine
from xinqu.workflow.models import Event, Item

STATES = {
    "submitted": _("待受理"),
    "accepted": _("待派单"),
    "rejected": _("不予受理"),
    "dispatched": _("待签收"),
    "returned": _("已退单"),
    "in_progress": _("办理中"),
    "waiting": _("待企业补充"),
    "replied": _("已答复待评价"),
    "closed": _("已办结"),
    "merged": _("已合并"),
}


def in_centre(user: User | None, item: Item) -> bool:
    """Staff of the enterprise service centre, which takes requests in and dispatches them."""
    return is_centre_member(user)


def is_centre_member(user: User | None) -> bool:
    return member_of(user, settings.SERVICE_CENTRE_DEPARTMENT)


def handling(user: User | None, item: Item) -> bool:
    """Staff of the department the request is dispatched to."""
    return bool(in_department(user, item.department_id))


def requester(user: User | None, item: Item) -> bool:
    """The requester, through their secret link: never a logged-in account, so a handling
    department cannot rate its own work."""
    return user is None


def _time_limit(item: Item, action: str) -> int:
    if action in {"sign_for", "rate_dissatisfied"}:
        return int(ServiceRequest.objects.select_related("category").get(pk=item.pk).category.time_limit)
    return 1  # accepting, dispatching, signing for: one working day each


def apply_event(request: Any, item: Item, event: Event) -> None:
    """What one timeline entry changes in the request's own facts. The same function rebuilds
    them from the timeline (metrics.recount), so the stored facts always equal a recount."""
    day = timezone.localtime(event.at).date()
    due = dt.date.fromisoformat(event.data["due"]) if event.data.get("due") else None
    action = event.action
    if action == "open":
        request.month = day.replace(day=1)
        request.org_unit_id = item.org_unit_id
    elif action in {"dispatch", "transfer"}:
        request.department_id = event.department_id
        if request.first_department_id is None:
            request.first_department_id = event.department_id
    elif action == "supervise":
        request.supervised = True
    elif action == "accept":
        request.accepted_on = day
    elif action == "return":
        request.returns += 1
    elif action == "sign_for" and request.signed_on_time is None:
        request.signed_on_time = due is None or day <= due
    elif action == "request_info":
        request.responded = True
    elif action == "reply":
        request.responded = True
        request.outcome = event.data.get("outcome", "")
        if request.replied_on_time is None:
            request.replied_on_time = due is None or day <= due
            start = request.accepted_on or timezone.localtime(item.opened_at).date()
            request.handling_days = max(calendar().between(start, day) - int(event.data.get("paused", 0)), 0)
    elif action.startswith("rate_"):
        request.rating = action.removeprefix("rate_")
        if not request.first_rating:
            request.first_rating = request.rating
        request.confirmed_solved = event.data.get("solved")
        if action == "rate_dissatisfied":
            request.reopened += 1


T = engine.Transition
KIND = engine.register(
    engine.Kind(
        key="service_request",
        label=_("企业诉求"),
        prefix="SR",
        states=dict(STATES),
        initial="submitted",
        closed=frozenset({"rejected", "closed", "merged"}),
        time_limit=_time_limit,
        after="xinqu.service_requests.services.request_after_event",
        detail_url="service_requests:detail",
        merge_allowed=in_centre,
    )
)
KIND.add(
    T("accept", _("受理"), frozenset({"submitted"}), "accepted", in_centre, clock="start"),
    T("reject", _("不予受理"), frozenset({"submitted"}), "rejected", in_centre, "stop", True, True),
    T("dispatch", _("派单"), frozenset({"accepted", "returned"}), "dispatched", in_centre, clock="start"),
    T("return", _("退单"), frozenset({"dispatched"}), "returned", handling, "start", needs_comment=True),
    T(
        "overrule",
        _("维持原派单"),
        frozenset({"returned"}),
        "dispatched",
        in_centre,
        "start",
        needs_comment=True,
    ),
    T(
        "transfer",
        _("转办"),
        frozenset({"dispatched", "in_progress"}),
        "dispatched",
        in_centre,
        "start",
        True,
    ),
    T("sign_for", _("签收"), frozenset({"dispatched"}), "in_progress", handling, clock="start"),
    T(
        "request_info",
        _("请企业补充材料"),
        frozenset({"in_progress"}),
        "waiting",
        handling,
        "pause",
        True,
        True,
    ),
    T("supplement", _("补充材料"), frozenset({"waiting"}), "in_progress", requester, "resume", True, True),
    T("reply", _("答复"), frozenset({"in_progress"}), "replied", handling, "stop", True, True),
    T("rate_satisfied", _("满意"), frozenset({"replied"}), "closed", requester, "stop", public=True),
    T("rate_basically", _("基本满意"), frozenset({"replied"}), "closed", requester, "stop", public=True),
    T(
        "rate_dissatisfied",
        _("不满意"),
        frozenset({"replied"}),
        "in_progress",
        requester,
        "start",
        True,
        True,
    ),
    T("close", _("办结"), frozenset({"replied"}), "closed", in_centre, "stop", needs_comment=True),
    # A note for the record: internal, the requester never sees it.
    T(
        "comment",
        _("内部备注"),
        frozenset(STATES) - {"rejected", "closed", "merged"},
        None,
        lambda user, item: in_centre(user, item) or handling(user, item),
        needs_comment=True,
    ),
)
# The handling department may ask for more time while it works on the request; the centre decides.
KIND.add_extensions(sources=frozenset({"in_progress"}), asker=handling, approver=in_centre)
