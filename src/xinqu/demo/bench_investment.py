"""`xinqu bench investment`: 200,000 leads with 2,000,000 activities, their stage steps and the
signed ones' payments, written straight into the tables. Then the funnel, a team's pipeline and
the chain-gap list are measured through the real views, cold (the first request) and warm, each
beside the hand-written SQL that yields the same numbers; the run refuses to report when the two
disagree."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xinqu.core.bulk import insert_rows
from xinqu.core.models import Department, User
from xinqu.demo.benchutil import timed
from xinqu.demo.registry import _industry_tree
from xinqu.demo.zone import load_demo_zone
from xinqu.enterprises.models import IndustryNode
from xinqu.investment import selectors
from xinqu.investment.models import Activity, Lead, Payment, StageStep
from xinqu.investment.rules import ORDER

SEED = 200_000
TEAMS = ["invest", "econ", "projects", "tech", "talent"]
LEAD_FIELDS = ["id", "code", "name", "company", "credit_code", "origin", "country", "source", "chain_node",
               "chain_role", "chain_leader", "talent_project", "currency", "amount", "rate", "amount_cny", "officer", "stage",
               "stopped_at", "stop_reason", "signed_on", "contract_amount", "contract_cny", "land_by", "start_by",
               "landed_on", "last_activity_on", "created_on", "department", "confidential", "false_report",
               "false_report_reason"]  # fmt: skip
MODULES = {"enterprises", "indicators", "service_requests", "safety", "projects", "investment", "plans"}


def build(*, size: int, activities: int, log: Callable[[str], None]) -> None:
    load_demo_zone(skip=MODULES)
    if not IndustryNode.objects.exists():
        _industry_tree()
    rng = random.Random(SEED)
    nodes = list(IndustryNode.objects.filter(kind="node").values_list("pk", flat=True))
    # Leave a few nodes without leads, so the gap list has something to rank.
    pursued = nodes[: max(1, len(nodes) - 8)]
    teams = {d.pk: d for d in Department.objects.filter(code__in=TEAMS)}
    officers = {d: list(User.objects.filter(department_id=d).values_list("pk", flat=True)) for d in teams}
    today = timezone.localdate()
    first = dt.date(today.year - 3, 1, 1)
    span = (today - first).days
    per_lead = max(activities // size, 1)
    start_id = (Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    batch = 2000
    for offset in range(0, size, batch):
        leads, steps, acts, payments = [], [], [], []
        for n in range(offset, min(size, offset + batch)):
            pk = start_id + n
            created = first + dt.timedelta(days=rng.randint(0, span))
            reach = rng.choices(range(6), weights=[30, 25, 18, 12, 9, 6])[0]
            stage = ORDER[reach]
            stopped = ""
            if reach < 4 and rng.random() < 0.1:
                stopped, stage = stage, rng.choice(["paused", "lost"])
            days = [created]
            for _ in range(reach):
                days.append(min(days[-1] + dt.timedelta(days=rng.randint(5, 60)), today))
            amount = Decimal(rng.choice([3_000, 8_000, 20_000, 50_000, 120_000, 250_000]))
            signed = days[4] if reach >= 4 else None
            department = rng.choice(list(teams))
            officer = rng.choice(officers[department]) if officers[department] else None
            leads.append(
                (pk, f"BZ{pk:07d}", f"基准线索{pk:07d}", f"目标企业{pk:07d}", "", rng.choice(["province", "city", "local"]),
                 "", rng.choice(["exhibition", "walk_in"]),
                 rng.choice(pursued) if pursued else None, "", False, False, "CNY", amount, Decimal(1), amount, officer, stage,
                 stopped, "企业计划调整" if stopped else "", signed, amount if signed else None, amount if signed else None,
                 signed + dt.timedelta(days=90) if signed else None, signed + dt.timedelta(days=180) if signed else None,
                 days[5] if reach >= 5 else None, days[-1], created, department, False, False, "")
            )  # fmt: skip
            for index, on in enumerate(days):
                gap = (on - days[index - 1]).days if index else None
                steps.append((pk, ORDER[index], on, officer, "", gap, department, amount))
            for k in range(per_lead):
                on = min(created + dt.timedelta(days=k * 7), today)
                acts.append(
                    (
                        pk,
                        rng.choice(["visit", "call", "meeting", "inspection"]),
                        on,
                        "基准跟进记录",
                        "",
                        None,
                        officer or 1,
                    )
                )
            if signed:
                paid = (amount * Decimal(rng.choice(["0.2", "0.4", "0.6"]))).quantize(Decimal("0.01"))
                payments.append(
                    (
                        pk,
                        min(signed + dt.timedelta(days=30), today),
                        "CNY",
                        paid,
                        Decimal(1),
                        paid,
                        None,
                        "fixed",
                        "province",
                        "",
                        "",
                        "",
                        officer,
                    )
                )
        with transaction.atomic():
            insert_rows(Lead, LEAD_FIELDS, leads)
            insert_rows(
                StageStep, ["lead", "stage", "on", "by", "note", "days", "department", "amount"], steps
            )
            insert_rows(Activity, ["lead", "kind", "on", "summary", "next_step", "next_on", "by"], acts)
            insert_rows(Payment, ["lead", "on", "currency", "amount", "rate", "amount_cny", "amount_usd", "kind", "origin",
                                  "proof", "proof_name", "note", "by"], payments)  # fmt: skip
        log(f"  leads {offset + len(leads):,}/{size:,} ({time.perf_counter() - started:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('investment_lead', 'id'), (SELECT MAX(id) FROM investment_lead))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- The hand-written SQL behind each page's numbers --------------------------------------------


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


STEP_STAGES = "('lead','contact','inspect','negotiate','signed','landed')"
OPEN = "('lead','contact','inspect','negotiate','signed')"


def _sql_medians(start: dt.date, end: dt.date) -> dict[str, float | None]:
    """Median days from the stage before, per stage, for the steps of the period."""
    medians: dict[str, float | None] = dict.fromkeys(ORDER[1:6])
    if connection.vendor == "postgresql":
        for stage, m in _rows(
            "SELECT stage, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days) FROM investment_stagestep "
            'WHERE "on" BETWEEN %s AND %s AND days IS NOT NULL '
            "AND stage IN ('contact','inspect','negotiate','signed','landed') GROUP BY stage",
            [start, end],
        ):
            medians[stage] = float(m)
        return medians
    for stage in ORDER[1:6]:
        where = 'stage = %s AND "on" BETWEEN %s AND %s AND days IS NOT NULL'
        n = _rows(f"SELECT COUNT(*) FROM investment_stagestep WHERE {where}", [stage, start, end])[0][0]  # noqa: S608
        if not n:
            continue
        middle = [
            r[0]
            for r in _rows(
                f"SELECT days FROM investment_stagestep WHERE {where} ORDER BY days LIMIT %s OFFSET %s",  # noqa: S608
                [stage, start, end, n // 2 + 1 - (n - 1) // 2, (n - 1) // 2],
            )
        ]
        medians[stage] = sum(middle) / len(middle)
    return medians


def _sql_paid_in(year: int) -> tuple[Decimal, Decimal]:
    """The year's paid-in capital to today: domestic in 万元, foreign in 万美元."""
    end = min(timezone.localdate(), dt.date(year, 12, 31))
    domestic, foreign = _rows(
        "SELECT SUM(CASE WHEN origin <> 'foreign' THEN amount_cny END), "
        "SUM(CASE WHEN origin = 'foreign' THEN amount_usd END) FROM investment_payment "
        'WHERE "on" BETWEEN %s AND %s',
        [dt.date(year, 1, 1), end],
    )[0]
    return Decimal(str(domestic or 0)), Decimal(str(foreign or 0))


def _sql_later(year: int, group: str) -> list[tuple[Any, ...]]:
    """开工 and 投产: the leads of the projects started or operating in the year, by ``group``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: list[tuple[Any, ...]] = []
    for stage, column in (("started", "started_on"), ("operating", "operating_on")):
        select = f"l.{group}, " if group else ""
        rows.extend(
            (stage, *row)
            for row in _rows(
                # CROSS JOIN: the year's projects first (SQLite keeps the order; PostgreSQL plans it).
                f"SELECT {select}COUNT(*), SUM(l.contract_cny) FROM projects_project p "  # noqa: S608
                f"CROSS JOIN investment_lead l WHERE l.project_id = p.id AND p.{column} BETWEEN %s AND %s"
                + (f" GROUP BY l.{group}" if group else ""),
                [start, end],
            )
        )
    return rows


def sql_funnel_by_team(year: int) -> dict[str, Any]:
    """The funnel by team, as the page shows it: leads reaching each stage in the year per team
    with their amount, the started and operating leads per team, the medians and paid-in capital."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    teams: dict[int, dict[str, tuple[int, Decimal]]] = {}
    for team, stage, n, amount in _rows(
        "SELECT department_id, stage, COUNT(*), SUM(amount) FROM investment_stagestep "  # noqa: S608
        f'WHERE "on" BETWEEN %s AND %s AND stage IN {STEP_STAGES} GROUP BY department_id, stage',
        [start, end],
    ):
        teams.setdefault(int(team), {})[stage] = (int(n), Decimal(str(amount or 0)))
    for stage, team, n, amount in _sql_later(year, "department_id"):
        if n:
            teams.setdefault(int(team), {})[stage] = (int(n), Decimal(str(amount or 0)))
    return {"teams": teams, "median_days": _sql_medians(start, end), "paid_in": _sql_paid_in(year)}


def sql_funnel(year: int) -> dict[str, Any]:
    """A leader's funnel: leads reaching each stage in the year with their amount (the contract
    from signing on), the started and operating counts from the ledger, the median days and the
    year's paid-in capital."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return {
        "cells": sql_stage_cells(year),
        "median_days": _sql_medians(start, end),
        "paid_in": _sql_paid_in(year),
    }


def sql_stage_cells(year: int) -> dict[str, tuple[int, Decimal]]:
    """Leads reaching each stage in the year with their amount, 开工 and 投产 from the ledger."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cells: dict[str, tuple[int, Decimal]] = {}
    for stage, n, amount in _rows(
        "SELECT s.stage, COUNT(*), SUM(s.amount) FROM investment_stagestep s "  # noqa: S608
        f'WHERE s."on" BETWEEN %s AND %s AND s.stage IN {STEP_STAGES} GROUP BY s.stage',
        [start, end],
    ):
        cells[stage] = (int(n), Decimal(str(amount or 0)))
    for stage, n, amount in _sql_later(year, ""):
        if n:
            cells[stage] = (int(n), Decimal(str(amount or 0)))
    return cells


def sql_pipeline(department_id: int) -> tuple[int, list[tuple[Any, ...]]]:
    """A team's open leads: how many, and the first page's rows as the list shows them (code,
    name, company, source, stage, amount, team, officer, last follow-up)."""
    where = "l.department_id = %s AND l.stage NOT IN ('paused', 'lost', 'landed')"
    count = _rows(f"SELECT COUNT(*) FROM investment_lead l WHERE {where}", [department_id])[0][0]  # noqa: S608
    rows = _rows(
        "SELECT l.id, l.code, l.name, l.confidential, l.company, l.source, l.stage, COALESCE(l.contract_cny, l.amount_cny), "  # noqa: S608
        "d.name, u.full_name, u.username, p.started_on, p.operating_on, l.last_activity_on FROM investment_lead l "
        "JOIN core_department d ON d.id = l.department_id LEFT JOIN core_user u ON u.id = l.officer_id "
        "LEFT JOIN projects_project p ON p.id = l.project_id "
        f"WHERE {where} ORDER BY l.created_on DESC, l.id DESC LIMIT 50",
        [department_id],
    )
    return int(count), rows


def sql_gaps(chain_id: int, limit: int = 100) -> dict[str, Any]:
    """The map page's numbers: each node of the chain with its enterprises (leaders first) and
    its open leads (counted, five named; a leader's view), and the zone's nodes with neither,
    ranked by the chain leaders in the other segments of their chain."""
    gaps = [
        (int(r[0]), int(r[1]))
        for r in _rows(
            "SELECT n.id, COALESCE(SUM(k.n), 0) AS around FROM enterprises_industrynode n "  # noqa: S608
            "JOIN enterprises_industrynode c ON c.id = n.parent_id "
            "LEFT JOIN (SELECT m.parent_id, m.segment, COUNT(DISTINCT p.enterprise_id) AS n "
            "FROM enterprises_chainposition p JOIN enterprises_industrynode m ON m.id = p.node_id "
            "WHERE p.is_leader GROUP BY m.parent_id, m.segment) k "
            "ON k.parent_id = n.parent_id AND k.segment <> n.segment "
            "WHERE n.kind = 'node' "
            "AND NOT EXISTS (SELECT 1 FROM enterprises_chainposition p WHERE p.node_id = n.id) "
            f"AND NOT EXISTS (SELECT 1 FROM investment_lead l WHERE l.chain_node_id = n.id AND l.stage IN {OPEN}) "
            "GROUP BY n.id, c.sort_order, c.id, n.sort_order "
            "ORDER BY around DESC, c.sort_order, c.id, n.sort_order, n.id LIMIT %s",
            [limit],
        )
    ]
    positions: dict[int, list[int]] = {}
    for node, enterprise in _rows(
        "SELECT p.node_id, p.enterprise_id FROM enterprises_chainposition p "
        "JOIN enterprises_industrynode n ON n.id = p.node_id "
        "JOIN enterprises_enterprise e ON e.id = p.enterprise_id "
        "WHERE n.parent_id = %s ORDER BY p.is_leader DESC, e.name, p.id",
        [chain_id],
    ):
        positions.setdefault(int(node), []).append(int(enterprise))
    counts = dict(
        _rows(
            "SELECT l.chain_node_id, COUNT(*) FROM investment_lead l JOIN enterprises_industrynode n "  # noqa: S608
            f"ON n.id = l.chain_node_id WHERE n.parent_id = %s AND l.stage IN {OPEN} GROUP BY l.chain_node_id",
            [chain_id],
        )
    )
    named = {
        int(node): [
            r[0]
            for r in _rows(
                "SELECT id FROM investment_lead WHERE chain_node_id = %s "  # noqa: S608
                f"AND stage IN {OPEN} ORDER BY amount_cny DESC, id LIMIT 5",
                [node],
            )
        ]
        for node in counts
    }
    return {
        "gaps": gaps,
        "positions": positions,
        "counts": {int(k): int(v) for k, v in counts.items()},
        "named": named,
    }


def run(
    *, leads: int, activities: int, repeat: int, reuse: bool, log: Callable[[str], None], **_: Any
) -> list[tuple[str, str]]:
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    existing = Lead.objects.filter(code__startswith="BZ").count()
    if existing and not reuse:
        raise CommandError(
            "The database already holds the benchmark leads. Run on an empty database, or pass --reuse."
        )
    if not existing:
        if Lead.objects.exists():
            raise CommandError("Run the benchmark on an empty database.")
        log(f"Writing {leads:,} leads with {activities:,} activities …")
        build(size=leads, activities=activities, log=log)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    year = timezone.localdate().year
    team = Department.objects.get(code="invest")
    leader, staff = Client(), Client()
    backend = "django.contrib.auth.backends.ModelBackend"
    leader.force_login(User.objects.get(username="demo-leader"), backend=backend)
    staff.force_login(User.objects.get(username="demo-invest-staff"), backend=backend)

    # The pages' numbers must equal the SQL's before any time is reported.
    boss = User.objects.get(username="demo-leader")
    funnel = selectors.funnel(boss, year)
    shown = (
        {c["stage"]: (c["n"], c["amount"]) for c in funnel["groups"][0]["cells"] if c["n"]}
        if funnel["groups"]
        else {}
    )
    expected = sql_funnel(year)
    paid = (
        selectors.paid_in(None, year, timezone.localdate(), foreign=False),
        selectors.paid_in(None, year, timezone.localdate(), foreign=True),
    )
    if (
        shown != expected["cells"]
        or funnel["median_days"] != expected["median_days"]
        or paid != expected["paid_in"]
    ):
        raise CommandError(
            f"the funnel disagrees with SQL: {shown} {funnel['median_days']} {paid} vs {expected}"
        )
    by_team = selectors.funnel(boss, year, "department")
    shown_teams = {
        g["key"]: {c["stage"]: (c["n"], c["amount"]) for c in g["cells"] if c["n"]} for g in by_team["groups"]
    }
    expected_teams = sql_funnel_by_team(year)
    if shown_teams != expected_teams["teams"] or by_team["median_days"] != expected_teams["median_days"]:
        raise CommandError("the funnel by team disagrees with SQL")
    chain = IndustryNode.objects.filter(kind="chain").order_by("pk").first()
    assert chain is not None
    entries = [e for seg in selectors.chain_targets(chain, boss) for e in seg["nodes"]]
    targets = {e["node"].pk: e["lead_count"] for e in entries if e["lead_count"]}
    names = {e["node"].pk: [x.pk for x in e["leads"]] for e in entries if e["lead_count"]}
    placed = {e["node"].pk: [p.enterprise_id for p in e["positions"]] for e in entries if e["positions"]}
    gaps = sql_gaps(chain.pk)
    found_gaps = [(r["node"].pk, r["leaders_around"]) for r in selectors.gap_nodes()]
    if (
        found_gaps != gaps["gaps"]
        or targets != gaps["counts"]
        or names != gaps["named"]
        or placed != gaps["positions"]
    ):
        raise CommandError("the chain map disagrees with SQL")
    pipeline = selectors.filtered(
        User.objects.get(username="demo-invest-staff"), {"stage": "open", "department": str(team.pk)}
    )
    count, rows = sql_pipeline(team.pk)
    if pipeline.count() != count or list(pipeline.values_list("pk", flat=True)[:50]) != [r[0] for r in rows]:
        raise CommandError("the team's pipeline disagrees with SQL")

    results: list[tuple[str, str]] = [
        ("database", connection.vendor),
        ("leads", f"{Lead.objects.count():,}"),
        ("activities", f"{Activity.objects.count():,}"),
        ("stage steps", f"{StageStep.objects.count():,}"),
        ("payments", f"{Payment.objects.count():,}"),
    ]

    def getter(client: Client, url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        return get

    measured = [
        (
            f"funnel {year} (leader, every lead)",
            leader,
            f"/investment/funnel/?year={year}",
            lambda: sql_funnel(year),
        ),
        (
            f"funnel {year} by team",
            leader,
            f"/investment/funnel/?year={year}&by=department",
            lambda: sql_funnel_by_team(year),
        ),
        (
            "team pipeline: open leads, page 1",
            staff,
            f"/investment/?stage=open&department={team.pk}",
            lambda: sql_pipeline(team.pk),
        ),
        (
            "chain map and gap list (招商地图)",
            leader,
            f"/investment/map/?chain={chain.pk}",
            lambda: sql_gaps(chain.pk),
        ),
    ]
    for label, client, url, sql in measured:
        started = time.perf_counter()
        getter(client, url)()
        cold = (time.perf_counter() - started) * 1000
        median, p95 = timed(getter(client, url), repeat)
        sql_median, _sql_p95 = timed(sql, repeat)
        ratio = median / sql_median if sql_median else float("inf")
        results.append(
            (
                label,
                f"cold {cold:.0f} ms; warm median {median:.0f} ms, p95 {p95:.0f} ms; SQL {sql_median:.0f} ms; ×{ratio:.1f}",
            )
        )
        log(f"  {label}: cold {cold:.0f} ms, warm {median:.0f} ms, SQL {sql_median:.0f} ms")
    return results
