"""Reminders that `xinqu remind` sends. Each module registers a function that sends its own and
returns how many it sent; the command runs them all. Run it daily from cron or a systemd timer."""

from __future__ import annotations

from collections.abc import Callable

Reminder = Callable[[bool], int]
REMINDERS: dict[str, Reminder] = {}


def register_reminder(name: str, reminder: Reminder) -> None:
    REMINDERS[name] = reminder


def run_reminders(*, dry_run: bool = False) -> dict[str, int]:
    return {name: reminder(dry_run) for name, reminder in REMINDERS.items()}
