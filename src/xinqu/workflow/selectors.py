"""Reads for closed-loop items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
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


# A queue's bands, in order: what has just arrived and waits for its first step, what is past its
# deadline, then the rest by deadline. Every open queue sorts by ``action_band`` first.
BAND_NEW, BAND_OVERDUE, BAND_DUE = 0, 1, 2


def action_band(new_states: Iterable[str], prefix: str = "") -> Case:
    """The band of an item (``prefix`` reaches it from a linked record, e.g. "item__")."""
    return Case(
        When(**{f"{prefix}state__in": list(new_states)}, then=Value(BAND_NEW)),
        When(**{f"{prefix}due_on__lt": timezone.localdate()}, then=Value(BAND_OVERDUE)),
        default=Value(BAND_DUE),
        output_field=IntegerField(),
    )
