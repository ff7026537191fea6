"""Reads of the enterprise registry. Counts are computed in SQL, never in Python loops."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from xinqu.core.access import attach_shown, shown_by_pk
from xinqu.core.models import OrgUnit, User
from xinqu.core.periods import reporting_period
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    ReferenceTotal,
    Tier,
    Visit,
)
from xinqu.enterprises.search import filter_by_text


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Qualifications in force on ``day``: granted, not expired, not revoked."""
    return (
        Q(**{f"{prefix}granted_on__lte": day})
        & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day}))
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day}))
    )


def qualification_groups() -> list[tuple[str, str]]:
    """(group, display name) pairs in catalogue order; a kind without a group counts alone."""
    seen: dict[str, str] = {}
    for kind in QualificationKind.objects.all():
        seen.setdefault(kind.group or kind.code, kind.group_name or kind.name)
    return list(seen.items())


def _group_expr() -> Coalesce:
    return Coalesce(NullIf(F("kind__group"), Value("")), F("kind__code"), output_field=CharField())


def held_on(day: dt.date) -> QuerySet[Any]:
    """The qualifications in force on ``day``, each with its ``group``: the registry's one
    definition of a count held (高企总数), for its statistics and for the figure it feeds."""
    return Qualification.objects.filter(valid_on_q(day)).annotate(group=_group_expr())


def first_granted_in(year: int, day: dt.date) -> QuerySet[Any]:  # annotated with group
    """The qualifications granted in ``year`` by ``day`` to an enterprise that never held their
    group before: the one definition of 新增 (a re-certification is not new)."""
    group = _group_expr()
    earlier = Qualification.objects.annotate(group=group).filter(
        enterprise=OuterRef("enterprise"), group=OuterRef("group"), granted_on__lt=OuterRef("granted_on")
    )
    return (
        Qualification.objects.filter(granted_on__year=year, granted_on__lte=day)
        .annotate(group=group)
        .exclude(Exists(earlier))
    )


@dataclass
class EnterpriseFilter:
    q: str = ""
    area: int | None = None
    park: int | None = None
    tier: int | None = None
    group: str = ""
    chain: int | None = None
    above_scale: bool | None = None
    officer: int | None = None


def enterprise_search(user: User, f: EnterpriseFilter, *, day: dt.date | None = None) -> QuerySet[Enterprise]:
    """Enterprises the user may see that match the filter. The text matches a substring of the
    name, a former name or the credit code (Chinese included, on SQLite and PostgreSQL)."""
    qs: QuerySet[Enterprise] = Enterprise.objects.visible_to(user).select_related("area", "park", "tier")
    qs = filter_by_text(qs, f.q)
    if f.area:
        qs = qs.filter(area_id=f.area)
    if f.park:
        qs = qs.filter(park_id=f.park)
    if f.tier:
        qs = qs.filter(tier_id=f.tier)
    if f.above_scale is not None:
        qs = qs.filter(above_scale=f.above_scale)
    if f.officer:
        qs = qs.filter(service_officer_id=f.officer)
    if f.group:
        held = (
            Qualification.objects.filter(valid_on_q(day or timezone.localdate()), enterprise=OuterRef("pk"))
            .annotate(group=_group_expr())
            .filter(group=f.group)
        )
        qs = qs.filter(Exists(held))
    if f.chain:
        qs = qs.filter(
            Exists(ChainPosition.objects.filter(enterprise=OuterRef("pk"), node__parent_id=f.chain))
        )
    return qs


# The days ahead the expiring list, the registry page and the cockpit warn of a lapsing qualification.
EXPIRY_WARNING_DAYS = 90


def expiring_qualifications(
    user: User | None, *, within_days: int, today: dt.date | None = None
) -> QuerySet[Qualification]:
    """Qualifications in force today that lapse within ``within_days`` and have not been renewed.
    ``user`` None means every one (for the daily reminder job)."""
    today = today or timezone.localdate()
    renewed = Qualification.objects.filter(
        enterprise=OuterRef("enterprise"), kind=OuterRef("kind"), granted_on__gt=OuterRef("granted_on")
    )
    qualifications = Qualification.objects.all() if user is None else Qualification.objects.visible_to(user)
    return (
        qualifications.filter(valid_on_q(today), expires_on__lte=today + dt.timedelta(days=within_days))
        .exclude(Exists(renewed))
        .select_related("enterprise", "kind", "enterprise__service_officer")
        .order_by("expires_on", "id")
    )


DIMENSIONS = {
    "area": ("enterprise__area", "area"),
    "park": ("enterprise__park", "park"),
    "tier": ("enterprise__tier", "tier"),
    "chain": ("enterprise__chain_positions__node__parent", "chain"),
}


@dataclass
class StatsTable:
    dimension: str
    day: dt.date
    year: int
    groups: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    references: dict[str, dict[str, Any]] = field(default_factory=dict)


def registry_statistics(
    *, dimension: str = "area", day: dt.date | None = None, year: int | None = None
) -> StatsTable:
    """Counts of enterprises holding each qualification group on ``day`` and of those new in
    ``year`` (first ever granted that group in that year), broken down by ``dimension``, with
    zone totals and their shares of the province's and city's reference totals."""
    # As of the zone's reporting period (the end of its month) unless a day is asked for.
    day = day or reporting_period().end
    year = year or day.year
    key, _label = DIMENSIONS.get(dimension, DIMENSIONS["area"])
    held = held_on(day)
    new = first_granted_in(year, day)
    table = StatsTable(dimension=dimension, day=day, year=year, groups=qualification_groups())
    by_unit: dict[Any, dict[str, Any]] = {}

    def cell(unit: Any) -> dict[str, Any]:
        return by_unit.setdefault(
            unit, {"unit": unit, "held": {}, "new": {}, "enterprises": 0, "above_scale": 0}
        )

    for row in held.values(key, "group").annotate(n=Count("enterprise", distinct=True)):
        cell(row[key])["held"][row["group"]] = row["n"]
    for row in new.values(key, "group").annotate(n=Count("enterprise", distinct=True)):
        cell(row[key])["new"][row["group"]] = row["n"]
    enterprise_key = key.removeprefix("enterprise__")
    # Only the chain dimension can meet an enterprise twice (on two nodes of one chain).
    distinct = dimension == "chain"
    counts = Enterprise.objects.values(enterprise_key).annotate(
        n=Count("id", distinct=distinct), above=Count("id", filter=Q(above_scale=True), distinct=distinct)
    )
    for row in counts:
        entry = cell(row[enterprise_key])
        entry["enterprises"], entry["above_scale"] = row["n"], row["above"]
    table.rows = _label_rows(dimension, by_unit)
    if distinct:
        for row in held.values("group").annotate(n=Count("enterprise", distinct=True)):
            table.totals.setdefault(row["group"], {})["held"] = row["n"]
        for row in new.values("group").annotate(n=Count("enterprise", distinct=True)):
            table.totals.setdefault(row["group"], {})["new"] = row["n"]
    else:
        # Each enterprise sits in one area, park or tier (or none): the rows add up to the zone.
        for entry in by_unit.values():
            for measure in ("held", "new"):
                for group_key, n in entry[measure].items():
                    totals = table.totals.setdefault(group_key, {})
                    totals[measure] = totals.get(measure, 0) + n
    for ref in ReferenceTotal.objects.filter(year=year):
        held_total = table.totals.get(ref.group, {}).get("held", 0)
        table.references.setdefault(ref.group, {})[ref.scope] = {
            "total": ref.total,
            "share": held_total / ref.total * 100 if ref.total else None,
        }
    return table


def _label_rows(dimension: str, by_unit: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    """Name the rows and put them in the dimension's own order (one query), the blank unit last."""
    ids = [unit for unit in by_unit if unit is not None]
    model = {"area": OrgUnit, "park": OrgUnit, "tier": Tier}.get(dimension, IndustryNode)
    ordered = list(model.objects.filter(pk__in=ids).values_list("pk", "name"))  # type: ignore[attr-defined]
    names = dict(ordered)
    order = {pk: i for i, (pk, _name) in enumerate(ordered)}
    rows = []
    for unit, entry in by_unit.items():
        entry["name"] = names.get(unit, "") if unit is not None else None
        rows.append(entry)
    rows.sort(key=lambda r: (r["unit"] is None, order.get(r["unit"], 0)))
    return rows


@dataclass
class ChainMap:
    chain: IndustryNode
    segments: list[tuple[str, str, list[dict[str, Any]]]]
    empty_nodes: int


def enterprise_by_credit_code(user: Any, code: str) -> Enterprise | None:
    """The enterprise with this credit code among those ``user`` may see. A confidential
    enterprise of another department answers None, exactly as an unknown code does, so no page,
    API call or import reveals that the code exists."""
    return (
        Enterprise.objects.visible_to(user).filter(credit_code=code.strip().upper()).first() if code else None
    )


PICKED = 10  # matches the enterprise picker offers at most


def enterprise_matches(user: Any, text: str) -> list[Enterprise]:
    """The enterprises ``user`` may see whose name, former name or credit code contains
    ``text``: the picker's suggestions, the closest first (a name starting so, then the shorter)."""
    from xinqu.enterprises.search import filter_by_text

    text = text.strip()
    if len(text) < 2:
        return []
    found = list(
        filter_by_text(Enterprise.objects.visible_to(user), text)
        .select_related("area", "park")
        .order_by("name")[: PICKED * 5]
    )
    found.sort(key=lambda e: (not e.name.startswith(text), text not in e.name, len(e.name)))
    return found[:PICKED]


def enterprise_by_code_or_name(user: Any, text: str) -> Enterprise | None:
    """The enterprise a form's field names: by its credit code, or by its exact current name
    when exactly one visible enterprise bears it (as the picker fills it in, or as typed)."""
    from xinqu.enterprises.codes import normalise_credit_code

    text = (text or "").strip()
    found = enterprise_by_credit_code(user, normalise_credit_code(text))
    if found is not None or not text:
        return found
    named = list(Enterprise.objects.visible_to(user).filter(name=text)[:2])
    return named[0] if len(named) == 1 else None


def chain_map(chain: IndustryNode, user: Any) -> ChainMap:
    """Every node of a chain, upstream to downstream, with its enterprises; empty nodes (缺链环节)
    marked. Each position carries ``enterprise_shown``: an enterprise ``user`` may not see is
    counted, but named "保密企业" and not linked."""
    nodes = list(chain.children.order_by("sort_order", "id"))
    positions = (
        ChainPosition.objects.filter(node__in=nodes)
        .select_related("enterprise")
        .order_by("-is_leader", "enterprise__name")
    )
    by_node: dict[int, list[ChainPosition]] = {}
    for position in attach_shown(user, positions, "enterprise"):
        by_node.setdefault(position.node_id, []).append(position)
    segments = []
    for value, label in IndustryNode.Segment.choices:
        entries = [{"node": n, "positions": by_node.get(n.pk, [])} for n in nodes if n.segment == value]
        segments.append((value, str(label), entries))
    empty = sum(1 for n in nodes if not by_node.get(n.pk))
    return ChainMap(chain=chain, segments=segments, empty_nodes=empty)


def visit_report(*, year: int, user: Any, limit: int = 20) -> dict[str, Any]:
    """The most-visited enterprises and the departments that visit most, in ``year``. Every
    visit counts; an enterprise ``user`` may not see is named "保密企业" (``shown``)."""
    visits = Visit.objects.filter(visited_on__year=year)
    top = list(
        visits.values("enterprise_id", "enterprise__name")
        .annotate(
            n=Count("id"),
            inspections=Count("id", filter=Q(kind=Visit.Kind.INSPECTION)),
            flagged=Count("id", filter=~Q(breaches="")),
        )
        .order_by("-n", "enterprise__name")[:limit]
    )
    shown = shown_by_pk(user, Enterprise, {r["enterprise_id"]: r["enterprise__name"] for r in top})
    for row in top:
        row["shown"] = shown[row["enterprise_id"]]
    return {
        "enterprises": top,
        "departments": list(
            visits.values("department_id", "department__name")
            .annotate(
                n=Count("id"),
                enterprises=Count("enterprise", distinct=True),
                inspections=Count("id", filter=Q(kind=Visit.Kind.INSPECTION)),
                flagged=Count("id", filter=~Q(breaches="")),
            )
            .order_by("-n", "department__name")
        ),
        "total": visits.count(),
    }


def qualification_counts(*, group: str, day: dt.date, year: int) -> dict[str, int]:
    """How many enterprises held ``group`` on ``day``, and how many of them were new in ``year``."""
    table = registry_statistics(day=day, year=year)
    totals = table.totals.get(group, {})
    return {"held": totals.get("held", 0), "new": totals.get("new", 0)}
