"""An innovation project's milestone or problem on the workflow engine: sent to a department →
signed for (or returned, and sent on to another) → done → confirmed and closed by the innovation
bureau, or reopened. Deadlines in working days (a milestone's own date when it has one);
`xinqu remind` warns and escalates like any item."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqu.core.access import in_department, member_of
from xinqu.core.models import User
from xinqu.workflow import engine
from xinqu.workflow.models import Item

STATES = {
    "assigned": _("待签收"),
    "returned": _("已退回"),
    "in_progress": _("办理中"),
    "resolved": _("已完成待确认"),
    "closed": _("已销号"),
}


def handling(user: User | None, item: Item) -> bool:
    return bool(in_department(user, item.department_id))


def keeper(user: User | None, item: Item) -> bool:
    """The innovation bureau, which keeps the projects."""
    from django.conf import settings

    return bool(user is not None and member_of(user, settings.INNOVATION_DEPARTMENT))


def _limit(item: Item, action: str) -> int:
    return {"open": 2, "redirect": 2, "sign_for": 10, "reopen": 5}.get(action, 10)


T = engine.Transition
KIND = engine.register(
    engine.Kind(
        key="innovation_task",
        label=_("创新项目节点和问题"),
        prefix="KJ",
        states=dict(STATES),
        initial="assigned",
        closed=frozenset({"closed"}),
        time_limit=_limit,
        detail_url="innovation:task",
    )
)
KIND.add(
    T("sign_for", _("签收"), frozenset({"assigned"}), "in_progress", handling, clock="start"),
    T("return", _("退回"), frozenset({"assigned"}), "returned", handling, "start", needs_comment=True),
    T("redirect", _("改派"), frozenset({"returned"}), "assigned", keeper, "start", True),
    T("resolve", _("报告已完成"), frozenset({"in_progress"}), "resolved", handling, "stop", True, True),
    T("confirm", _("确认销号"), frozenset({"resolved"}), "closed", keeper, "stop", public=True),
    T("reopen", _("未完成，重新办理"), frozenset({"resolved"}), "in_progress", keeper, "start", True, True),
    T(
        "comment",
        _("备注"),
        frozenset({"assigned", "returned", "in_progress", "resolved"}),
        None,
        lambda user, item: handling(user, item) or keeper(user, item),
        needs_comment=True,
    ),
)
KIND.add_extensions(sources=frozenset({"in_progress"}), asker=handling, approver=keeper)
