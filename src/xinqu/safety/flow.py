"""A hazard's life on the workflow engine: reported by an inspector → the emergency-management
department arranges rectification with an owner and a deadline → the enterprise or owner submits
evidence → a second person verifies it (the reporter never verifies their own report) → closed
(销号), or sent back to rectify. A major hazard is put under supervision (挂牌督办) at once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinqu.core.access import is_department_member, member_of
from xinqu.core.models import User
from xinqu.safety.models import Hazard
from xinqu.workflow import engine
from xinqu.workflow.models import Event, Item

STATES = {
    "reported": _("待安排整改"),
    "rectifying": _("整改中"),
    "submitted": _("待验收"),
    "closed": _("已销号"),
}


def in_safety(user: User | None, item: Item) -> bool:
    """Staff of the emergency-management department."""
    return member_of(user, settings.SAFETY_DEPARTMENT)


def responsible(user: User | None, item: Item) -> bool:
    """The department the rectification was assigned to, or emergency management."""
    return bool(
        user is not None
        and is_department_member(user)
        and (user.department_id == item.department_id or in_safety(user, item))
    )


def responsible_or_enterprise(user: User | None, item: Item) -> bool:
    """The responsible department, emergency management, or the enterprise through the link it
    was sent (no account: the link is checked before the engine is called)."""
    return user is None or responsible(user, item)


def verifier(user: User | None, item: Item) -> bool:
    """Emergency management, but never the inspector who reported the hazard."""
    return in_safety(user, item) and Hazard.objects.filter(pk=item.pk).exclude(reporter=user).exists()


def _after(item: Item, event: Event, data: dict[str, Any]) -> None:
    if event.action == "assign":
        Hazard.objects.filter(pk=item.pk).update(owner=data.get("owner", ""))
    elif event.action == "verify":
        Hazard.objects.filter(pk=item.pk).update(verified_by=event.actor)


T = engine.Transition
KIND = engine.register(
    engine.Kind(
        key="hazard",
        label=_("安全隐患"),
        prefix="YH",
        states=dict(STATES),
        initial="reported",
        closed=frozenset({"closed"}),
        time_limit=lambda item, action: 1 if action == "open" else 15,
        after=_after,
        detail_url="safety:detail",
    )
)
KIND.add(
    # What the enterprise must know is public: it sees these on its rectification link.
    T("assign", _("安排整改"), frozenset({"reported"}), "rectifying", in_safety, clock="start", public=True),
    T(
        "submit_evidence",
        _("提交整改材料"),
        frozenset({"rectifying"}),
        "submitted",
        responsible_or_enterprise,
        needs_comment=True,
        public=True,
    ),
    T(
        "send_back",
        _("验收不通过"),
        frozenset({"submitted"}),
        "rectifying",
        verifier,
        needs_comment=True,
        public=True,
    ),
    T(
        "verify",
        _("验收销号"),
        frozenset({"submitted"}),
        "closed",
        verifier,
        clock="stop",
        needs_comment=True,
        public=True,
    ),
    T(
        "comment",
        _("内部备注"),
        frozenset({"reported", "rectifying", "submitted"}),
        None,
        responsible,
        needs_comment=True,
    ),
)
# The responsible department may ask for more time to rectify; emergency management decides.
KIND.add_extensions(sources=frozenset({"rectifying"}), asker=responsible, approver=in_safety)
