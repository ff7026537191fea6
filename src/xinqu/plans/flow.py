"""Supervision items (督办事项) on the workflow engine: a leader raises one on a lagging plan node
with a requirement and a deadline → the node's lead department responds → the leader concludes it
as done as required, or not (which counts in the department's score), or sends the response back."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xinqu.core.access import in_department, is_leader
from xinqu.core.models import User
from xinqu.plans.models import Supervision
from xinqu.workflow import engine
from xinqu.workflow.models import Event, Item

STATES = {
    "issued": _("待反馈"),
    "responded": _("待评定"),
    "closed": _("已办结"),
}


def leader(user: User | None, item: Item) -> bool:
    return bool(is_leader(user))


def lead_department(user: User | None, item: Item) -> bool:
    """Staff and heads of the node's lead department, to which the item is addressed."""
    return bool(in_department(user, item.department_id))


def _after(item: Item, event: Event, data: dict[str, Any]) -> None:
    outcome = {"conclude_done": Supervision.Outcome.DONE, "conclude_failed": Supervision.Outcome.FAILED}
    if event.action in outcome:
        Supervision.objects.filter(pk=item.pk).update(outcome=outcome[event.action])


T = engine.Transition
KIND = engine.register(
    engine.Kind(
        key="supervision",
        label=_("督办事项"),
        prefix="DB",
        states=dict(STATES),
        initial="issued",
        closed=frozenset({"closed"}),
        time_limit=lambda item, action: 5,  # a response sent back: 5 working days for the next
        after=_after,
        detail_url="plans:supervision",
    )
)
KIND.add(
    T("respond", _("反馈办理情况"), frozenset({"issued"}), "responded", lead_department, "stop", True, True),
    T("send_back", _("退回重新办理"), frozenset({"responded"}), "issued", leader, "start", True, True),
    T(
        "conclude_done",
        _("评定：按要求办结"),
        frozenset({"responded"}),
        "closed",
        leader,
        "stop",
        public=True,
    ),
    T(
        "conclude_failed",
        _("评定：未按要求办结"),
        frozenset({"issued", "responded"}),
        "closed",
        leader,
        "stop",
        True,
        True,
    ),
    T(
        "comment",
        _("内部备注"),
        frozenset({"issued", "responded"}),
        None,
        lambda user, item: leader(user, item) or lead_department(user, item),
        needs_comment=True,
    ),
)
KIND.add_extensions(sources=frozenset({"issued"}), asker=lead_department, approver=leader)
