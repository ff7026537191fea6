"""Figure feeds: a number one module keeps that other modules show (a plan KPI, coming: the
cockpit and the briefing), named by a key. The owning module declares its feeds on its
AppConfig (``feeds`` / ``feed_families``); readers ask :func:`feed` and never recompute.

A feed's ``compute(year, as_of)`` gives the value as of a day and the records behind it.
A family answers keys of a pattern (``indicator.<code>.value``) for records that come and go.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise

RECORDS_SHOWN = 200


@dataclass
class Record:
    label: str
    url: str = ""
    detail: str = ""


@dataclass
class Fed:
    value: Decimal | None
    records: list[Record] = field(default_factory=list)
    count: int = 0  # records behind the value, when more than are listed
    note: str = ""
    target: Decimal | None = None  # the figure's own target for the year, where it holds one


@dataclass(frozen=True)
class Feed:
    key: str
    label: str | Promise
    unit: str
    compute: Callable[[int, dt.date], Fed]
    # The figure holds its target itself (an indicator's Target): a KPI reading it keeps none.
    holds_target: bool = False
    # What the figure measures, where its source declares it: "quantity" (a flow, 累计), "stock"
    # (期末数) or "rate" (a rate or ratio, in 百分点). A KPI reading it is scored that way.
    measure: str = ""


@dataclass(frozen=True)
class FeedFamily:
    """Feeds whose keys start with ``prefix.``: ``resolve(key)`` builds one (None if no such),
    ``choices()`` lists the keys a form may offer, with their labels."""

    prefix: str
    resolve: Callable[[str], Feed | None]
    choices: Callable[[], list[tuple[str, str]]]


FEEDS: dict[str, Feed] = {}
FAMILIES: dict[str, FeedFamily] = {}


def register_feed(one: Feed) -> None:
    FEEDS[one.key] = one


def register_family(family: FeedFamily) -> None:
    FAMILIES[family.prefix] = family


def feed(key: str) -> Feed | None:
    """The feed named ``key``, or None when there is none."""
    if key in FEEDS:
        return FEEDS[key]
    family = FAMILIES.get(key.split(".", 1)[0])
    return family.resolve(key) if family else None


def feed_choices() -> list[tuple[str, str]]:
    """Every key a KPI may name, with its label: the fixed feeds, then each family's."""
    found = [(key, str(f.label)) for key, f in FEEDS.items()]
    for family in FAMILIES.values():
        found.extend(family.choices())
    return found
