"""How leads are read: one user's view of the pipeline, its flags and its funnel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xinqu.core.access import is_department_member, is_leader
from xinqu.investment.models import Lead, LeadRule, Payment, StageStep
from xinqu.investment.rules import ORDER, STOPPED
from xinqu.projects.models import Project

S = Lead.Stage


def stage_of(lead: Lead) -> str:
    """A lead's stage as shown: once landed it follows its project in the ledger (开工, 投产), so
    the pipeline never keeps its own copy of those dates (one source)."""
    project = lead.project if lead.project_id else None
    if project is not None and project.operating_on is not None:
        return S.OPERATING
    if project is not None and project.started_on is not None:
        return S.STARTED
    return lead.stage


STAGE_Q: dict[str, Q] = {
    # The filter for each stage as shown (stage_of), in the database.
    S.OPERATING: Q(project__operating_on__isnull=False),
    S.STARTED: Q(project__started_on__isnull=False, project__operating_on__isnull=True),
    S.LANDED: Q(stage=S.LANDED) & (Q(project__isnull=True) | Q(project__started_on__isnull=True)),
}


def stale_days() -> int:
    return LeadRule.objects.values_list("stale_days", flat=True).first() or 30


def stale_q(today: dt.date) -> Q:
    """Still moving before landing, and not followed up for the rule's number of days."""
    since = today - dt.timedelta(days=stale_days())
    active = Q(stage__in=[S.LEAD, S.CONTACT, S.INSPECT, S.NEGOTIATE, S.SIGNED])
    return active & (Q(last_activity_on__lt=since) | Q(last_activity_on__isnull=True, created_on__lt=since))


def late_landing_q(today: dt.date) -> Q:
    """未按期落地: signed, not landed, past the agreed landing day."""
    return Q(stage=S.SIGNED, land_by__lt=today)


def late_start_q(today: dt.date) -> Q:
    """未按期开工: landed, its project not started, past the agreed start day."""
    return Q(stage=S.LANDED, start_by__lt=today, project__started_on__isnull=True)


FLAGS = {"stale": stale_q, "late_landing": late_landing_q, "late_start": late_start_q}


def leads_for(user: Any) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).select_related(
        "department", "officer", "referrer", "chain_node__parent", "project"
    )


def lead_for(user: Any, pk: int) -> Lead:
    return get_object_or_404(leads_for(user), pk=pk)


def filtered(user: Any, params: Any, today: dt.date | None = None) -> QuerySet[Lead]:
    today = today or timezone.localdate()
    department = str(params.get("department") or "")
    if department.isdigit():
        # One team's leads: all of them for its own members and the leaders, else only the
        # public ones (the same rule as visible_to, without an OR the indexes cannot use).
        found = Lead.objects.filter(department_id=int(department))
        if not is_leader(user) and getattr(user, "department_id", None) != int(department):
            found = found.filter(Lead.zone_visible_q()) if is_department_member(user) else found.none()
    else:
        found = Lead.objects.visible_to(user)
    stage = params.get("stage") or ""
    if stage == "open":
        found = found.exclude(stage__in=[*STOPPED, S.LANDED])
    elif stage in STAGE_Q:
        found = found.filter(STAGE_Q[stage])
    elif stage in S.values:
        found = found.filter(stage=stage)
    for name in ("source", "origin"):
        if params.get(name):
            found = found.filter(**{name: params[name]})
    if params.get("mine") and getattr(user, "pk", None):
        found = found.filter(officer=user)
    flag = params.get("flag")
    if flag in FLAGS:
        found = found.filter(FLAGS[flag](today))
    text = (params.get("q") or "").strip()
    if text:
        found = found.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(company__icontains=text))
    # The list, its export and the API show these; the chain node is the lead page's.
    return (
        found.select_related(None)
        .select_related("department", "officer", "referrer", "project")
        .order_by("-created_on", "-id")
    )


BY = {
    "department": ("department_id", "department_id"),  # named in the view: no join per row
    "source": ("lead__source", "lead__source"),
    "origin": ("lead__origin", "lead__origin"),
    "chain": ("lead__chain_node__parent__name", "lead__chain_node__parent_id"),
    "month": ("month", "month"),
}


def funnel(user: Any, year: int, by: str = "", *, medians: bool = True) -> dict[str, Any]:
    """For the year: how many leads reached each stage and with how much intended (before
    signing) or signed investment, the conversion from the stage before, and the median days
    from the stage before. 开工 and 投产 are the linked projects' dates. ``by`` splits by team,
    source, origin or chain. ``medians=False``: without the median days (the cockpit's chart
    shows the counts only; the medians read the middle rows of every stage)."""
    visible = Lead.objects.visible_to(user)
    steps = StageStep.objects.filter(
        on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)), stage__in=ORDER[:6]
    )
    if visible.query.where:  # a leader sees every lead: no need to ask which
        steps = steps.filter(lead__in=visible)
    group = BY.get(by, ("", ""))[0]
    if by == "month":
        steps = steps.annotate(month=ExtractMonth("on"))
        group = "month"
    values = ["stage", group] if group else ["stage"]
    rows = steps.values(*values).annotate(
        n=Count("*"),  # a lead reaches each stage once (StageStep's constraint)
        amount=Sum("amount"),  # as it stood when the stage was reached
    )
    table: dict[Any, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        table[row.get(group) if group else ""][row["stage"]] = {
            "n": row["n"],
            "amount": row["amount"] or Decimal(0),
        }
    # 开工 and 投产: the ledger's projects of the year (a few hundred), then their leads, never a
    # scan of every lead.
    lead_group = {
        "lead__source": "source",
        "lead__origin": "origin",
        "lead__chain_node__parent__name": "chain_node__parent__name",
    }.get(group, group)
    for stage, column in ((S.STARTED, "started_on"), (S.OPERATING, "operating_on")):
        ids = list(
            Project.objects.filter(
                **{f"{column}__range": (dt.date(year, 1, 1), dt.date(year, 12, 31))}
            ).values_list("pk", flat=True)
        )
        if not ids:
            continue
        later = visible.filter(project_id__in=ids)
        if by == "month":
            later = later.annotate(month=ExtractMonth(f"project__{column}"))
        if lead_group:
            later_rows: Any = later.values(lead_group).annotate(n=Count("id"), amount=Sum("contract_cny"))
        else:
            later_rows = [later.aggregate(n=Count("id"), amount=Sum("contract_cny"))]
        for row in later_rows:
            if not row["n"]:
                continue
            table[row.get(lead_group) if lead_group else ""][stage] = {
                "n": row["n"],
                "amount": row["amount"] or Decimal(0),
            }
    days = _median_days(steps) if medians else {}
    groups = []
    for key in sorted(table, key=lambda k: (k is None, k if isinstance(k, int) else 0, str(k))):
        cells = []
        before = None
        for step in ORDER:
            cell = table[key].get(step, {"n": 0, "amount": Decimal(0)})
            rate: Decimal | None = (
                (Decimal(cell["n"]) * 100 / before).quantize(Decimal("0.1")) if before else None
            )
            cells.append({"stage": step, "label": S(step).label, **cell, "conversion": rate})
            before = cell["n"] or None
        groups.append({"key": key, "cells": cells})
    return {"year": year, "by": by, "groups": groups, "median_days": days}


class _Median(Aggregate):
    """PostgreSQL's median: the 50th percentile, interpolated between the two middle values."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_days(steps: QuerySet[StageStep]) -> dict[str, float | None]:
    """Median days from a lead's previous stage to each stage, for the steps taken in the period,
    read in the database: on PostgreSQL one PERCENTILE_CONT per stage in one query; elsewhere the
    count, then the middle one or two of the steps ordered by days."""
    result: dict[str, float | None] = dict.fromkeys(ORDER[1:6])
    if connection.vendor == "postgresql":
        rows = (
            steps.filter(stage__in=ORDER[1:6], days__isnull=False)
            .values("stage")
            .annotate(m=_Median("days"))
            .values_list("stage", "m")
        )
        result.update({stage: float(m) for stage, m in rows})
        return result
    for stage in ORDER[1:6]:
        taken = steps.filter(stage=stage, days__isnull=False)
        n = taken.count()
        if not n:
            continue
        middle = [
            d or 0 for d in taken.order_by("days").values_list("days", flat=True)[(n - 1) // 2 : n // 2 + 1]
        ]
        result[stage] = sum(middle) / len(middle)
    return result


def paid_in(leads: QuerySet[Lead] | None, year: int, as_of: dt.date, *, foreign: bool) -> Decimal:
    """Paid-in capital in the year to ``as_of``: domestic in 万元, foreign in 万美元."""
    payments = Payment.objects.filter(on__year=year, on__lte=as_of)
    if leads is not None and leads.query.where:  # a leader's "every lead" needs no filter
        payments = payments.filter(lead__in=leads)
    if foreign:
        return payments.filter(origin="foreign").aggregate(s=Sum("amount_usd"))["s"] or Decimal(0)
    return payments.exclude(origin="foreign").aggregate(s=Sum("amount_cny"))["s"] or Decimal(0)


def officer_work(user: Any, today: dt.date | None = None) -> dict[str, int]:
    """What waits for an investment officer: stale leads, and signed or landed ones past their day."""
    today = today or timezone.localdate()
    mine = Lead.objects.filter(officer=user)
    return {name: mine.filter(q(today)).count() for name, q in FLAGS.items()}


def referrer_rows(year: int) -> list[dict[str, Any]]:
    """Each agency and ambassador with the leads it brought in the year, the signings that count
    for it (signed on or after its plaque) and their amount, against its obligations."""
    from xinqu.investment.models import Referrer

    found = Referrer.objects.annotate(
        leads_in_year=Count("leads", filter=Q(leads__created_on__year=year), distinct=True),
        signed_in_year=Count(
            "leads",
            filter=Q(leads__signed_on__year=year, leads__signed_on__gte=F("appointed_on")),
            distinct=True,
        ),
        signed_amount=Sum(
            "leads__contract_cny",
            filter=Q(leads__signed_on__year=year, leads__signed_on__gte=F("appointed_on")),
        ),
    )
    rule = LeadRule.objects.first() or LeadRule()
    formed: dict[int, Decimal] = defaultdict(Decimal)
    fixed = Payment.objects.filter(
        on__year=year,
        kind="fixed",
        lead__referrer__isnull=False,
        lead__signed_on__gte=F("lead__referrer__appointed_on"),
    ).values_list("lead__referrer_id", "lead__contract_cny", "amount_cny")
    for referrer_id, contract, paid in fixed:
        contract = contract or Decimal(0)
        permille = (
            rule.reward_above_20
            if contract >= 200_000
            else rule.reward_10_20
            if contract >= 100_000
            else rule.reward_below_10
        )
        formed[referrer_id] += paid * permille / 1000
    rows = []
    for referrer in found:
        amount = (referrer.signed_amount or Decimal(0)) / Decimal(10_000)
        reward = min(formed.get(referrer.pk, Decimal(0)), rule.reward_cap).quantize(Decimal("0.01"))
        rows.append(
            {
                "referrer": referrer,
                "leads": referrer.leads_in_year,
                "signed": referrer.signed_in_year,
                "amount": amount.quantize(Decimal("0.01")),
                "conversion": (Decimal(referrer.signed_in_year) * 100 / referrer.leads_in_year).quantize(
                    Decimal("0.1")
                )
                if referrer.leads_in_year
                else None,
                "leads_met": referrer.leads_in_year >= referrer.leads_per_year,
                "investment_met": amount >= referrer.investment_per_year,
                "reward": reward,
                "capped": formed.get(referrer.pk, Decimal(0)) > rule.reward_cap,
            }
        )
    return rows


def gate_pairs() -> set[tuple[str, str]]:
    """The zone's stage gates as (stage, document) pairs."""
    from xinqu.investment.models import GateRule

    return set(GateRule.objects.values_list("stage", "document"))


OPEN_STAGES = [S.LEAD, S.CONTACT, S.INSPECT, S.NEGOTIATE, S.SIGNED]


# What the map shows of a lead (the rest of the row stays in the table).
MAP_LEAD_FIELDS = ("pk", "name", "stage", "amount_cny", "chain_node_id", "department_id", "confidential")


def chain_targets(chain: Any, user: Any) -> list[dict[str, Any]]:
    """招商地图 for one chain: each node upstream to downstream with its enterprises (named as
    ``user`` may see them) and the open leads ``user`` may see."""
    from xinqu.core.access import attach_shown
    from xinqu.enterprises.models import ChainPosition, IndustryNode

    nodes = list(chain.children.order_by("sort_order", "id"))
    positions = (
        ChainPosition.objects.filter(node__in=nodes)
        .select_related("enterprise")
        .order_by("-is_leader", "enterprise__name")
    )
    by_node: dict[int, list[Any]] = defaultdict(list)
    for position in attach_shown(user, positions, "enterprise"):
        by_node[position.node_id].append(position)
    # Per node: how many open leads the reader may see, and the five largest by name.
    open_leads = Lead.objects.visible_to(user).filter(stage__in=OPEN_STAGES)
    counts = dict(
        open_leads.filter(chain_node__in=nodes)
        .values_list("chain_node_id")
        .annotate(n=Count("*"))  # COUNT(*): read from the (chain_node, stage) index alone
        .values_list("chain_node_id", "n")
    )
    leads: dict[int | None, list[Lead]] = defaultdict(list)
    tops = [
        open_leads.filter(chain_node=n).only(*MAP_LEAD_FIELDS).order_by("-amount_cny", "pk")[:5]
        for n in nodes
        if counts.get(n.pk)
    ]
    if tops and connection.features.supports_slicing_ordering_in_compound:
        # One round trip: each node's five largest, read in order from the index, glued together.
        found: Any = tops[0].union(*tops[1:], all=True) if len(tops) > 1 else tops[0]
        for lead in found:
            leads[lead.chain_node_id].append(lead)
        for listed in leads.values():
            listed.sort(key=lambda lead: (-lead.amount_cny, lead.pk))
    else:
        for top in tops:
            for lead in top:
                leads[lead.chain_node_id].append(lead)
    segments = []
    for value, label in IndustryNode.Segment.choices:
        entries = [
            {
                "node": n,
                "positions": by_node.get(n.pk, []),
                "leads": leads.get(n.pk, []),
                "lead_count": counts.get(n.pk, 0),
            }
            for n in nodes
            if n.segment == value
        ]
        segments.append({"segment": value, "label": label, "nodes": entries})
    return segments


def gap_nodes(limit: int = 100) -> list[dict[str, Any]]:
    """Chain nodes with neither an enterprise nor an open lead, ranked by how many chain leaders
    sit upstream or downstream of them on the same chain (where a new link pays most)."""
    from django.db.models import Exists, OuterRef

    from xinqu.enterprises.models import ChainPosition, IndustryNode

    empty = (
        IndustryNode.objects.filter(kind="node", parent__isnull=False)
        .exclude(Exists(ChainPosition.objects.filter(node_id=OuterRef("pk"))))
        .exclude(Exists(Lead.objects.filter(chain_node_id=OuterRef("pk"), stage__in=OPEN_STAGES)))
        .select_related("parent")
    )
    leaders: dict[tuple[int, str], int] = defaultdict(int)
    for chain_id, segment, n in (
        ChainPosition.objects.filter(is_leader=True)
        .values_list("node__parent_id", "node__segment")
        .annotate(n=Count("enterprise_id", distinct=True))
    ):
        leaders[(chain_id, segment)] += n
    ranked: list[tuple[int, int, int | None, int, int, Any]] = []
    for node in empty:
        assert node.parent is not None
        around = sum(
            n
            for (chain_id, segment), n in leaders.items()
            if chain_id == node.parent_id and segment != node.segment
        )
        ranked.append((-around, node.parent.sort_order, node.parent_id, node.sort_order, node.pk, node))
    # Ties keep the chains' and nodes' own order, as the chain map shows them.
    ranked.sort(key=lambda r: r[:5])
    return [{"node": r[5], "chain": r[5].parent, "leaders_around": -r[0]} for r in ranked[:limit]]


# Signing size bands in 万元: 3–10亿, 10–20亿, 20亿+.
BANDS = [("band_3_10", 30_000, 100_000), ("band_10_20", 100_000, 200_000), ("band_20", 200_000, None)]
# The chance a lead signs in its expected month, by the stage it has reached.
SIGN_CHANCE: dict[str, Decimal] = {
    S.LEAD: Decimal("0.05"),
    S.CONTACT: Decimal("0.1"),
    S.INSPECT: Decimal("0.25"),
    S.NEGOTIATE: Decimal("0.5"),
}


def _band_q(low: int, high: int | None) -> Q:
    q = Q(contract_cny__gte=low)
    return q & Q(contract_cny__lt=high) if high is not None else q


def team_scores(year: int, as_of: dt.date | None = None) -> dict[str, Any]:
    """Each team's 招商 score for the year, by the zone's rule: signings by size band and 亿元 paid
    in, less each project not started on time and each false report. Every part is shown."""
    from xinqu.core.models import Department
    from xinqu.investment.models import ScoreRule, Target

    as_of = as_of or min(timezone.localdate(), dt.date(year, 12, 31))
    rule = ScoreRule.objects.first() or ScoreRule()
    signed = Lead.objects.filter(signed_on__year=year, signed_on__lte=as_of)
    counts = signed.values("department_id").annotate(
        signings=Count("*"),
        amount=Sum("contract_cny"),
        **{name: Count("id", filter=_band_q(low, high)) for name, low, high in BANDS},
    )
    paid = (
        Payment.objects.filter(on__year=year, on__lte=as_of)
        .values("lead__department_id")
        .annotate(s=Sum("amount_cny"))
    )
    late = (
        Lead.objects.filter(late_start_q(as_of), start_by__year__lte=year)
        .values("department_id")
        .annotate(n=Count("*"))
    )
    false = (
        Lead.objects.filter(false_report=True, created_on__year__lte=year)
        .values("department_id")
        .annotate(n=Count("*"))
    )
    targets = {t.department_id: t for t in Target.objects.filter(year=year)}
    by: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "signings": 0,
            "amount": Decimal(0),
            "paid_in": Decimal(0),
            "late": 0,
            "false": 0,
            **{b: 0 for b, _l, _h in BANDS},
        }
    )
    for row in counts:
        entry = by[row["department_id"]]
        entry.update(
            signings=row["signings"], amount=row["amount"] or Decimal(0), **{b: row[b] for b, _l, _h in BANDS}
        )
    for row in paid:
        by[row["lead__department_id"]]["paid_in"] = row["s"] or Decimal(0)
    for row in late:
        by[row["department_id"]]["late"] = row["n"]
    for row in false:
        by[row["department_id"]]["false"] = row["n"]
    for department_id in targets:
        by[department_id]  # a team with targets shows even before its first signing
    names = {d.pk: d.name for d in Department.objects.filter(pk__in=list(by))}
    rows = []
    for department_id, entry in by.items():
        paid_100m = (entry["paid_in"] / Decimal(10_000)).quantize(Decimal("0.01"))
        score = (
            sum(rule_value * entry[b] for b, rule_value in ((b, getattr(rule, b)) for b, _l, _h in BANDS))
            + rule.paid_in * paid_100m
            - rule.late_start * entry["late"]
            - rule.false_report * entry["false"]
        )
        target = targets.get(department_id)
        rows.append(
            {
                "department": names.get(department_id, ""),
                **entry,
                "amount": (entry["amount"] / Decimal(10_000)).quantize(Decimal("0.01")),
                "paid_in": paid_100m,
                "score": Decimal(score).quantize(Decimal("0.01")),
                "target": target,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["department"]))
    return {"year": year, "as_of": as_of, "rule": rule, "rows": rows}


def signing_forecast(user: Any, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """Signings month by month: those made, and for the months ahead the open leads expected to
    sign then, each weighted by its stage's chance; against the year's targets (the teams' sum)."""
    from xinqu.investment.models import Target

    today = today or timezone.localdate()
    visible = Lead.objects.visible_to(user)
    done = dict(
        visible.filter(signed_on__year=year)
        .values_list("signed_on__month")
        .annotate(n=Count("*"))
        .values_list("signed_on__month", "n")
    )
    expected: dict[int, Decimal] = defaultdict(Decimal)
    for stage, on in visible.filter(expected_sign_on__year=year, stage__in=list(SIGN_CHANCE)).values_list(
        "stage", "expected_sign_on"
    ):
        if on is None:
            continue
        month = (
            on.month
            if (year, on.month) > (today.year, today.month)
            else (today.month if year == today.year else on.month)
        )
        expected[month] += SIGN_CHANCE[stage]
    target = Target.objects.filter(year=year).aggregate(s=Sum("signings"))["s"]
    months = []
    running = Decimal(0)
    for month in range(1, 13):
        made = done.get(month, 0)
        ahead = expected.get(month, Decimal(0)).quantize(Decimal("0.1"))
        running += made + ahead
        months.append(
            {
                "month": month,
                "signed": made,
                "expected": ahead,
                "cumulative": running.quantize(Decimal("0.1")),
            }
        )
    return {"year": year, "months": months, "target": target, "forecast": running.quantize(Decimal("0.1"))}
