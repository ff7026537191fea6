"""Figure feeds: a number one module keeps that other modules show (a plan KPI, coming: the
cockpit and the briefing), named by a key. The owning module declares its feeds on its
AppConfig (``feeds`` / ``feed_families``); readers ask :func:`feed` and never recompute.

A feed's ``compute(year, as_of)`` gives the value as of a day and the records behind it.
A family answers keys of a pattern (``indicator.<code>.value``) for records that come and go.

A page that shows many figures (the cockpit, the briefing) reads them inside
:func:`each_figure_once`: there, a figure asked for twice (a tile's, and a plan KPI's that reads
the same figure) is computed once. A feed lists its records lazily (``Fed(value, lambda: …)``),
so a reader that shows only the number never queries them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any

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
    # The records behind the value, or a callable that lists them when first asked (``records``).
    listed: list[Record] | Callable[[], list[Record]] = field(default_factory=list)
    count: int = 0  # records behind the value, when more than are listed
    note: str = ""
    target: Decimal | None = None  # the figure's own target for the year, where it holds one

    @property
    def records(self) -> list[Record]:
        if callable(self.listed):
            self.listed = self.listed()
        return self.listed


def records_of(found: Any, row: Callable[[Any], Record]) -> Callable[[], list[Record]]:
    """The first records of ``found`` (a queryset), each made by ``row``, listed when first asked."""
    return lambda: [row(x) for x in found[:RECORDS_SHOWN]]


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


_ONCE: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("xinqu_figures_once", default=None)


@contextmanager
def each_figure_once() -> Iterator[None]:
    """Within the block, each figure is computed once per (key, year, day) and then reused: for
    one page or one document, read at one moment. Nested blocks share the outer one's figures."""
    if _ONCE.get() is not None:
        yield
        return
    token = _ONCE.set({})
    try:
        yield
    finally:
        _ONCE.reset(token)


def once(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, or within :func:`each_figure_once` its result from earlier in the block:
    for a count two figures of one module share (the year's tallies behind two rates)."""
    found = _ONCE.get()
    if found is None:
        return compute()
    if key not in found:
        found[key] = compute()
    return found[key]


def _once(key: str, compute: Callable[[int, dt.date], Fed], year: int, as_of: dt.date) -> Fed:
    found = _ONCE.get()
    if found is None:
        return compute(year, as_of)
    if (key, year, as_of) not in found:
        found[(key, year, as_of)] = compute(year, as_of)
    return found[(key, year, as_of)]


def feed(key: str) -> Feed | None:
    """The feed named ``key``, or None when there is none."""
    found: Any = FEEDS.get(key)
    if found is None:
        family = FAMILIES.get(key.split(".", 1)[0])
        found = family.resolve(key) if family else None
    if found is None or _ONCE.get() is None:
        return found
    return replace(found, compute=partial(_once, key, found.compute))


def feed_choices() -> list[tuple[str, str]]:
    """Every key a KPI may name, with its label: the fixed feeds, then each family's."""
    found = [(key, str(f.label)) for key, f in FEEDS.items()]
    for family in FAMILIES.values():
        found.extend(family.choices())
    return found
