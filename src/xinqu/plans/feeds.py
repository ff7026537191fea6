"""KPIs fed from the other modules. A KPI whose ``source`` names a feed takes its value from there
(no one types it) and lists the records behind the number. The feeds are the owning modules'
(declared on their AppConfig, kept in ``core.feeds``); the plan only reads them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from xinqu.core.feeds import Fed, Feed, Record, feed, feed_choices

__all__ = ["Fed", "Feed", "Record", "choices", "feed"]


def choices() -> list[tuple[str, str]]:
    """Every source a KPI may name, for the node form: typed by the department, or a feed."""
    return [("", str(_("部门填报"))), *feed_choices()]
