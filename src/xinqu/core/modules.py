"""Modules plug themselves in: each domain app's AppConfig is a :class:`Module` that declares what
it adds, and core collects the declarations. Core imports no domain app: it reads dotted paths.

A module declares, all optional:

- ``urls``: the URL prefix its ``<app>.urls`` is mounted at (``"projects/"``);
- ``api``: ``(prefix, "dotted.path.to.router")`` for the JSON API at /api/v1/;
- ``nav``: :class:`Nav` entries for the header, each with the roles it shows to and its place;
- ``imports``: dotted paths to its :class:`~xinqu.core.jobs.ImportKind` objects, and ``exports``
  to its :class:`~xinqu.core.jobs.ExportKind` objects (large exports built on the worker);
- ``reminders``: ``{name: "dotted.callable"}`` run by ``xinqu remind``;
- ``feeds``: dotted paths to :class:`~xinqu.core.feeds.Feed` objects (or lists of them), and
  ``feed_families``: dotted paths to :class:`~xinqu.core.feeds.FeedFamily` objects;
- ``home_tiles``: :class:`HomeTile` entries for the home page;
- ``cockpit_tiles``: :class:`CockpitTile` entries for the leaders' cockpit (:mod:`xinqu.core.cockpit`);
- ``demo``: ``(order, "dotted.loader")``, called by the demo zone with ``users`` and
  ``departments``;
- ``registers``: modules imported once at start-up for what they register themselves (a
  workflow kind registers with the engine when its ``flow`` module is imported).

Adding a module is its own folder and one line in INSTALLED_APPS (docs/architecture.md, "How to
add a module").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, ClassVar

from django.apps import AppConfig, apps
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from xinqu.core.roles import BUSINESS_ROLES, Role


@dataclass(frozen=True)
class Nav:
    """A header entry: the URL name it opens, its label, who sees it, and its place (low first)."""

    url_name: str
    label: str | Promise
    roles: frozenset[str] = field(default_factory=lambda: frozenset(BUSINESS_ROLES))
    order: int = 100


@dataclass(frozen=True)
class HomeTile:
    """A block on each person's home page: a template rendered with ``context(user)``."""

    template: str
    context: str  # dotted path to a callable (user) -> dict
    roles: frozenset[str] = field(default_factory=lambda: frozenset(BUSINESS_ROLES))
    order: int = 100


@dataclass(frozen=True)
class CockpitTile:
    """A tile on the leaders' cockpit. ``context`` is a dotted path to a callable
    ``(user, scope) -> TileData | None`` that reads the module's figures where they live;
    ``url_name`` is the module's page the tile opens; ``areas`` says the tile splits by area
    (otherwise it shows on the zone's cockpit only)."""

    key: str
    label: str | Promise
    context: str
    url_name: str
    order: int = 100
    areas: bool = False
    # The briefing is not written for a month without this tile's figures (the main indicators).
    essential: bool = False
    roles: frozenset[str] = field(default_factory=lambda: frozenset(BUSINESS_ROLES))


@dataclass(frozen=True)
class Waiting:
    """One kind of work waiting for a person, as their home page lists it: how many, and the
    filtered list that shows them. ``urgent`` marks what is already late."""

    label: str
    count: int
    url: str
    urgent: bool = False


class Module(AppConfig):
    """The AppConfig of a domain module: what it adds to the platform."""

    urls: ClassVar[str | None] = None
    api: ClassVar[tuple[str, str] | None] = None
    nav: ClassVar[Sequence[Nav]] = ()
    imports: ClassVar[Sequence[str]] = ()
    exports: ClassVar[Sequence[str]] = ()
    reminders: ClassVar[dict[str, str]] = {}
    # Models ("app.Model") of jobs run on the worker with the fields of core's ExportJob (status,
    # worker, started_at, finished_at, failure): a job whose process died is marked failed.
    jobs: ClassVar[Sequence[str]] = ()
    feeds: ClassVar[Sequence[str]] = ()
    feed_families: ClassVar[Sequence[str]] = ()
    home_tiles: ClassVar[Sequence[HomeTile]] = ()
    cockpit_tiles: ClassVar[Sequence[CockpitTile]] = ()
    # Dotted paths to callables (user) -> list[Waiting]: what waits for that person in the module.
    waiting: ClassVar[Sequence[str]] = ()
    demo: ClassVar[tuple[int, str] | None] = None
    registers: ClassVar[Sequence[str]] = ()
    # Called as (month=, actor=) when the statistics office closes a month, in its transaction:
    # a module writes the month's values of the figures it feeds (core.services.period_close).
    period_closed: ClassVar[Sequence[str]] = ()

    # Django takes an apps.py's only AppConfig subclass as the app's config; ``Module`` is
    # imported there too, so it steps aside (default = False) and each module config does not.
    default = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True

    def ready(self) -> None:
        # Registries live in core and need its models, which load only after every AppConfig:
        # hence the import here, at ready(), not at the top. They are filled once, in order.
        from xinqu.core import feeds, jobs, reminders

        for module in self.registers:
            import_module(module)
        for path in self.imports:
            jobs.register_import(import_string(path))
        for path in self.exports:
            jobs.register_export(import_string(path))
        for label in self.jobs:
            jobs.register_job_model(label)
        for name, path in self.reminders.items():
            reminders.register_reminder(name, _lazy(path))
        for path in self.feeds:
            found = import_string(path)
            for one in found if isinstance(found, list | tuple) else [found]:
                feeds.register_feed(one)
        for path in self.feed_families:
            feeds.register_family(import_string(path))


def _lazy(path: str) -> Callable[..., Any]:
    """A callable that imports ``path`` when first called, so declaring costs no import."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return import_string(path)(*args, **kwargs)

    call.__qualname__ = path
    return call


def modules() -> list[Module]:
    """The installed modules, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, Module)]


# Core's own entries: the home page and the administrators' pages.
ALL_ROLES = frozenset(Role.values)
CORE_NAV: tuple[Nav, ...] = ()


def navigation_entries(extra: Iterable[Nav] = ()) -> list[Nav]:
    """Every module's header entries and ``extra`` (core's own), by their place."""
    entries = [*extra, *(entry for module in modules() for entry in module.nav)]
    return sorted(entries, key=lambda e: e.order)


def home_tiles() -> list[HomeTile]:
    return sorted((tile for module in modules() for tile in module.home_tiles), key=lambda t: t.order)


def cockpit_tiles() -> list[CockpitTile]:
    return sorted((t for module in modules() for t in module.cockpit_tiles), key=lambda t: t.order)


def waiting_for(user: Any) -> list[Waiting]:
    """Everything waiting for ``user``, module by module: the non-empty first, the late first."""
    found = [w for module in modules() for path in module.waiting for w in import_string(path)(user)]
    return sorted(found, key=lambda w: (w.count == 0, not w.urgent))


def period_closed_hooks() -> list[Callable[..., Any]]:
    return [import_string(path) for module in modules() for path in module.period_closed]


def demo_loaders() -> list[tuple[str, Callable[..., Any]]]:
    """Each module's demo loader, as (app label, loader), by their order."""
    declared = [(module.demo[0], module.label, module.demo[1]) for module in modules() if module.demo]
    return [(label, import_string(path)) for _order, label, path in sorted(declared)]
