"""Reads for closed-loop items."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xinqu.workflow.engine import Kind


def labelled_timeline(kind: Kind, events: Any) -> list[Any]:
    """Timeline entries with their action and states in words, for the item pages."""
    words = {
        "open": _("提交"),
        "supervise": _("督办"),
        "merge": _("合并为重复事项"),
        "merged_in": _("并入重复事项"),
    }
    out = []
    for event in events:
        transition = kind.transitions.get(event.action)
        event.action_label = transition.label if transition else words.get(event.action, event.action)
        event.from_label = kind.states.get(event.from_state, "")
        event.to_label = kind.states.get(event.to_state, "")
        out.append(event)
    return out
