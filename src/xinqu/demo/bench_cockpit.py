"""`xinqu bench cockpit`: the leaders' cockpit at benchmark scale, with the hand-written SQL behind
every tile.

One database holds the other benchmarks' zones together, on the demo zone's units, departments,
indicators and plan: the registry's 500,000 enterprises (`bench enterprises`), 1,000,000 service
requests (`bench workflow`), 20,000 projects with their monthly reports (`bench projects`) and
200,000 leads with their activities (`bench investment`). Then the zone's cockpit at the current
reporting period is measured through the real view as the demo leader, cold (the first view after
a write that a tile reads) and warm, beside the sum of the hand-written SQL that yields every
number its tiles show; the run refuses to report when the two disagree.

    XINQU_DATABASE_URL=sqlite:///var/bench-cockpit.sqlite3 xinqu bench cockpit
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.utils import timezone

from xinqu.demo.benchutil import median_p95, peak_rss_mb


def build(
    *, enterprises: int, requests: int, projects: int, leads: int, activities: int, log: Callable[[str], None]
) -> None:
    """The other benchmarks' builders, one after another, on one database."""
    from xinqu.demo import bench_investment, bench_projects, bench_workflow
    from xinqu.demo.synthetic import build_zone

    started = time.perf_counter()
    log(f"Enterprises: {enterprises:,} …")
    build_zone(size=enterprises, log=log)
    log(f"Service requests: {requests:,} … ({time.perf_counter() - started:.0f} s)")
    bench_workflow.build(size=requests, log=log)
    log(f"Projects: {projects:,} … ({time.perf_counter() - started:.0f} s)")
    bench_projects.build(size=projects, months=bench_projects.MONTHS, log=log)
    log(f"Leads: {leads:,} with {activities:,} activities … ({time.perf_counter() - started:.0f} s)")
    bench_investment.build(size=leads, activities=activities, log=log)
    bench_projects._close_through_last_month()
    log(f"Built in {time.perf_counter() - started:.0f} s")


def run(
    *,
    size: int,
    requests: int,
    projects: int,
    leads: int,
    activities: int,
    repeat: int,
    reuse: bool,
    log: Callable[[str], None],
    **_: Any,
) -> list[tuple[str, str]]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from xinqu.enterprises.models import Enterprise
    from xinqu.investment.models import Lead

    call_command("migrate", interactive=False, verbosity=0)
    built = Lead.objects.filter(code__startswith="BZ").exists()
    if built and not reuse:
        raise CommandError("The database already holds this benchmark's zone. Pass --reuse to measure it.")
    if not built:
        if Enterprise.objects.exists():
            raise CommandError(
                "Run the benchmark on an empty database (e.g. XINQU_DATABASE_URL=sqlite:///var/bench-cockpit.sqlite3)."
            )
        build(
            enterprises=size,
            requests=requests,
            projects=projects,
            leads=leads,
            activities=activities,
            log=log,
        )
    return measure(repeat=repeat, log=log)


# --- The hand-written SQL behind each tile's numbers ----------------------------------------------
# Each returns what the tile shows, in its order: the figures' values, then the listed records'
# ids (from their links) and how many more there are.


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _one(sql: str, params: list[Any]) -> Any:
    return _rows(sql, params)[0][0]


def _n(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def _in(values: list[Any]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def _year_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _bounds(scope: Any) -> tuple[dt.date, dt.date]:
    return dt.date(scope.year, 1, 1), scope.as_of


def _valid(alias: str) -> str:
    return (
        f"{alias}.granted_on <= %s AND ({alias}.expires_on IS NULL OR {alias}.expires_on >= %s) "
        f"AND ({alias}.revoked_on IS NULL OR {alias}.revoked_on > %s)"
    )


def sql_enterprises(scope: Any) -> dict[str, Any]:
    first, as_of = _bounds(scope)
    today = timezone.localdate()
    kinds = [
        r[0]
        for r in _rows(
            "SELECT id FROM enterprises_qualificationkind WHERE COALESCE(NULLIF(\"group\", ''), code) = %s",
            ["high_tech"],
        )
    ] or [0]
    kind_in = "(" + ",".join(str(k) for k in kinds) + ")"
    total = _one(
        f"SELECT COUNT(DISTINCT q.enterprise_id) FROM enterprises_qualification q WHERE q.kind_id IN {kind_in} "  # noqa: S608
        f"AND {_valid('q')}",
        [as_of, as_of, as_of],
    )
    new = _one(
        f"SELECT COUNT(DISTINCT q.enterprise_id) FROM enterprises_qualification q WHERE q.kind_id IN {kind_in} "  # noqa: S608
        "AND q.granted_on BETWEEN %s AND %s AND NOT EXISTS (SELECT 1 FROM enterprises_qualification e "
        f"WHERE e.enterprise_id = q.enterprise_id AND e.kind_id IN {kind_in} AND e.granted_on < q.granted_on)",
        [first, as_of],
    )
    where = (
        f"{_valid('q')} AND q.expires_on <= %s AND NOT EXISTS (SELECT 1 FROM enterprises_qualification r "  # noqa: S608
        "WHERE r.enterprise_id = q.enterprise_id AND r.kind_id = q.kind_id AND r.granted_on > q.granted_on)"
    )
    params = [today, today, today, today + dt.timedelta(days=90)]
    expiring = _one(f"SELECT COUNT(*) FROM enterprises_qualification q WHERE {where}", params)  # noqa: S608
    listed = _rows(
        f"SELECT q.enterprise_id FROM enterprises_qualification q WHERE {where} ORDER BY q.expires_on, q.id LIMIT 5",  # noqa: S608
        params,
    )
    return {
        "figures": [_n(total), _n(new), int(expiring)],
        "lines": [str(r[0]) for r in listed],
        "more": max(int(expiring) - 5, 0),
    }


def _rate(part: Decimal, whole: int) -> Decimal | None:
    from xinqu.core.numbers import rounded

    return rounded(part / whole * 100, 1) if whole else None


def sql_service_requests(scope: Any) -> dict[str, Any]:
    from django.conf import settings

    from xinqu.service_requests.flow import KIND

    first, as_of = _bounds(scope)
    today = timezone.localdate()
    replied, on_time, rated, satisfied, basically = _rows(
        "SELECT SUM(replied), SUM(replied_on_time), SUM(rated), SUM(satisfied), SUM(basically) "
        "FROM service_requests_tally WHERE month >= %s AND month <= %s",
        [first, as_of],
    )[0]
    overdue = _one(
        "SELECT COUNT(*) FROM service_requests_servicerequest s JOIN workflow_item i ON i.id = s.item_id "
        "WHERE s.month >= %s AND s.month <= %s AND s.replied_on_time IS NULL AND i.state = 'in_progress' "
        "AND i.paused_since IS NULL AND i.due_on < %s",
        [first, as_of, today],
    )
    open_states = _in(sorted(set(KIND.states) - KIND.closed))
    late = (
        f"FROM workflow_item WHERE kind = 'service_request' AND state IN {open_states} "
        "AND due_on < %s AND paused_since IS NULL"
    )
    count = _one(f"SELECT COUNT(*) {late}", [today])
    listed = _rows(f"SELECT number {late} ORDER BY due_on, id LIMIT 5", [today])
    weight = Decimal(str(settings.SATISFACTION_BASIC_WEIGHT))
    return {
        "figures": [
            _rate(_n(on_time), int(replied or 0) + int(overdue)),
            _rate(_n(satisfied) + weight * int(basically or 0), int(rated or 0)),
            int(count),
        ],
        "lines": [r[0] for r in listed],
        "more": max(int(count) - 5, 0),
    }


def sql_projects(scope: Any) -> dict[str, Any]:
    from xinqu.core.numbers import rounded
    from xinqu.projects.selectors import OPEN_PROBLEM_STATES

    first, as_of = _bounds(scope)
    n, everything, industrial = _rows(
        "SELECT COUNT(*), SUM(total_investment), SUM(CASE WHEN kind = 'industrial' THEN total_investment END) "
        "FROM projects_project p WHERE total_investment >= 5000 AND ((started_on BETWEEN %s AND %s) "
        "OR (started_on < %s AND (completed_on IS NULL OR completed_on >= %s) "
        "AND (terminated_on IS NULL OR terminated_on >= %s) AND (EXISTS (SELECT 1 FROM projects_projectyear y "
        "WHERE y.project_id = p.id AND y.year = %s AND y.resumed_on BETWEEN %s AND %s) "
        "OR EXISTS (SELECT 1 FROM projects_monthlyreport r WHERE r.project_id = p.id "
        "AND r.month BETWEEN %s AND %s AND r.investment > 0))))",
        [first, as_of, first, first, first, scope.year, first, as_of, first, as_of],
    )[0]
    started_1bn = _one(
        "SELECT COUNT(*) FROM projects_project WHERE started_on BETWEEN %s AND %s AND total_investment >= 100000",
        [first, as_of],
    )
    landed = _one("SELECT COUNT(*) FROM projects_project WHERE landed_on BETWEEN %s AND %s", [first, as_of])
    share = rounded(_n(industrial) / _n(everything) * 100, 4) if everything else None
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    issues = _rows(
        "SELECT i.number FROM projects_problem pr JOIN workflow_item i ON i.id = pr.item_id "  # noqa: S608
        "WHERE i.opened_at < %s AND (i.closed_at >= %s OR (i.closed_at IS NULL "
        f"AND i.state IN {_in(OPEN_PROBLEM_STATES)})) ORDER BY i.due_on, i.number LIMIT 20",
        [end, end],
    )
    return {"figures": [_n(n), _n(started_1bn), _n(landed), share], "issues": [r[0] for r in issues]}


def sql_investment(scope: Any) -> dict[str, Any]:
    from xinqu.demo.bench_investment import sql_stage_cells
    from xinqu.investment.rules import ORDER

    first, as_of = _bounds(scope)
    signed, signed_cny = _rows(
        "SELECT COUNT(*), SUM(contract_cny) FROM investment_lead WHERE signed_on BETWEEN %s AND %s",
        [first, as_of],
    )[0]
    domestic, foreign = _rows(
        "SELECT SUM(CASE WHEN origin <> 'foreign' THEN amount_cny END), "
        "SUM(CASE WHEN origin = 'foreign' THEN amount_usd END) FROM investment_payment "
        'WHERE "on" BETWEEN %s AND %s',
        [first, as_of],
    )[0]
    landed_year, entered, listed = _year_of("l.landed_on"), _year_of("p.registered_on"), "e.above_scale_year"
    listed = f"(CASE WHEN e.above_scale AND e.above_scale_year >= {landed_year} THEN {listed} END)"
    registered = _one(
        "SELECT COUNT(*) FROM investment_lead l LEFT JOIN projects_project p ON p.id = l.project_id "  # noqa: S608
        "LEFT JOIN enterprises_enterprise e ON e.id = l.enterprise_id WHERE l.landed_on IS NOT NULL AND "
        "(l.project_id IN (SELECT id FROM projects_project WHERE registered_on BETWEEN %s AND %s) "
        "OR l.enterprise_id IN (SELECT id FROM enterprises_enterprise WHERE above_scale AND above_scale_year = %s)) AND "
        f"(({entered} = %s AND p.registered_on <= %s AND ({listed} IS NULL OR {listed} >= %s)) "
        f"OR ({listed} = %s AND ({entered} IS NULL OR {entered} >= %s)))",
        [
            first,
            min(as_of, dt.date(scope.year, 12, 31)),
            scope.year,
            scope.year,
            as_of,
            scope.year,
            scope.year,
            scope.year,
        ],
    )
    talent = _one(
        "SELECT COUNT(*) FROM investment_lead WHERE talent_project AND landed_on BETWEEN %s AND %s",
        [first, as_of],
    )
    cells = sql_stage_cells(scope.year)
    hundred_million = Decimal(10_000)
    return {
        "figures": [
            _n(signed),
            (_n(signed_cny) / hundred_million).quantize(Decimal("0.01")),
            (_n(domestic) / hundred_million).quantize(Decimal("0.01")),
            _n(foreign).quantize(Decimal("0.01")),
            _n(registered),
            _n(talent),
        ],
        "chart": [cells.get(stage, (0, 0))[0] for stage in ORDER],
    }


def sql_safety(scope: Any) -> dict[str, Any]:
    from xinqu.safety.flow import KIND

    today = timezone.localdate()
    where = f"FROM safety_hazard h JOIN workflow_item i ON i.id = h.item_id WHERE h.level = 'major' AND i.state NOT IN {_in(sorted(KIND.closed))}"
    count, late = _rows(f"SELECT COUNT(*), COUNT(CASE WHEN i.due_on < %s THEN 1 END) {where}", [today])[0]
    listed = _rows(f"SELECT i.number {where} ORDER BY i.due_on, i.number LIMIT 5", [])
    return {
        "figures": [int(count), int(late)],
        "lines": [r[0] for r in listed],
        "more": max(int(count) - 5, 0),
    }


INDICATOR_SQL = """
SELECT ind.id, o.ytd_value, ly.ytd_value, t.value
FROM indicators_indicator ind
LEFT JOIN indicators_observation o ON o.indicator_id = ind.id AND o.org_unit_id = %(unit)s AND o.period = %(p)s
LEFT JOIN indicators_observation ly ON ly.indicator_id = ind.id AND ly.org_unit_id = %(unit)s AND ly.period = %(ly)s
LEFT JOIN indicators_target t ON t.indicator_id = ind.id AND t.org_unit_id = %(unit)s AND t.year = %(year)s
WHERE ind.is_active AND ind.feed = '' AND ind.formula = '' AND ind.frequency = 'monthly'
ORDER BY ind.sort_order, ind.id
"""


def sql_indicators(scope: Any) -> dict[str, Any]:
    """The stored monthly figures of the unit at the month and the month before (the alerts), with
    last year's and the target; fed figures are the other tiles' numbers, counted there."""
    found: dict[str, Any] = {}
    for key, month in (("now", scope.month), ("before", scope.previous)):
        params = {
            "unit": scope.unit.pk,
            "p": month,
            "ly": month.replace(year=month.year - 1),
            "year": month.year,
        }
        with connection.cursor() as cursor:
            cursor.execute(INDICATOR_SQL, params)
            found[key] = {r[0]: None if r[1] is None else Decimal(str(r[1])) for r in cursor.fetchall()}
    return {"values": {k: v for k, v in found["now"].items() if v is not None}}


def sql_plans(scope: Any) -> dict[str, Any]:
    """The year's plan: its nodes, each KPI's latest approved value up to the month's end, and the
    nodes under open supervision (the lights are the plan's rule on these)."""
    plan = _rows("SELECT id FROM plans_plan WHERE year = %s", [scope.year])
    if not plan:
        return {"values": {}}
    nodes = _rows("SELECT id, parent_id, kind, source FROM plans_node WHERE plan_id = %s", [plan[0][0]])
    values: dict[int, Decimal] = {}
    for node, value in _rows(
        "SELECT l.node_id, l.value FROM plans_reportline l JOIN plans_report r ON r.id = l.report_id "
        "JOIN plans_period p ON p.id = r.period_id WHERE p.plan_id = %s AND r.status = 'approved' "
        "AND p.month <= %s AND l.value IS NOT NULL ORDER BY l.node_id, p.month DESC",
        [plan[0][0], scope.as_of],
    ):
        values.setdefault(int(node), Decimal(str(value)))
    # The open supervisions mark nodes (督办) on the tree: read, as the tile reads them, though
    # the tile shows no number of its own from them.
    _rows(
        "SELECT s.node_id FROM plans_supervision s JOIN plans_node n ON n.id = s.node_id "
        "JOIN workflow_item i ON i.id = s.item_id WHERE n.plan_id = %s AND i.state <> 'closed'",
        [plan[0][0]],
    )
    reported = {n[0] for n in nodes if n[2] == "kpi" and not n[3]}
    return {"values": {k: v for k, v in values.items() if k in reported}}


SQL = {
    "indicators": sql_indicators,
    "plans": sql_plans,
    "enterprises": sql_enterprises,
    "service_requests": sql_service_requests,
    "projects": sql_projects,
    "investment": sql_investment,
    "safety": sql_safety,
}


def _tail(url: str) -> str:
    return url.rstrip("/").split("/")[-1]


def shown(key: str, data: Any, user: Any, scope: Any) -> dict[str, Any]:
    """What the page shows of a tile, in the SQL's shape."""
    figures = [f.value for f in data.figures]
    if key == "enterprises":
        return {"figures": figures, "lines": [_tail(line.url) for line in data.lines], "more": data.more}
    if key in {"service_requests", "safety"}:
        return {
            "figures": figures,
            "lines": [line.label.split()[0] for line in data.lines],
            "more": data.more,
        }
    if key == "projects":
        return {"figures": figures, "issues": [_tail(line.url) for line in data.issues]}
    if key == "investment":
        return {"figures": figures, "chart": data.chart["series"][0]["data"]}
    if key == "indicators":
        from xinqu.indicators.selectors import overview

        rows = overview(user=user, unit=scope.unit, period=scope.month)
        return {
            "values": {
                r.indicator.pk: r.value
                for r in rows
                if r.value is not None
                and not r.indicator.feed
                and not r.indicator.formula
                and r.indicator.frequency == "monthly"
            }
        }
    if key == "plans":
        from xinqu.plans import selectors
        from xinqu.plans.models import Plan

        plan = Plan.objects.get(year=scope.year)
        return {
            "values": {
                r.node.pk: r.value
                for r in selectors.tree(plan, scope.month.month)
                if r.node.kind == "kpi" and not r.node.source and r.value is not None
            }
        }
    raise KeyError(key)


def touch() -> None:
    """A write to a record each tile reads (the same value written back), as a clerk's save is:
    whatever the cockpit keeps, the next view is a first view after a data change."""
    from xinqu.enterprises.models import Qualification
    from xinqu.indicators.models import Observation
    from xinqu.investment.models import Lead
    from xinqu.plans.models import ReportLine
    from xinqu.projects.models import Project
    from xinqu.workflow.models import Item

    for model, field in (
        (Observation, "ytd_value"),
        (Qualification, "expires_on"),
        (Item, "due_on"),
        (Project, "light"),
        (Lead, "last_activity_on"),
        (ReportLine, "value"),
    ):
        row = model.objects.order_by("-pk").values("pk", field).first()
        if row is not None:
            model.objects.filter(pk=row["pk"]).update(**{field: row[field]})


def measure(*, repeat: int, log: Callable[[str], None]) -> list[tuple[str, str]]:
    from django.conf import settings
    from django.core.management.base import CommandError
    from django.test import Client
    from django.utils.module_loading import import_string
    from django.utils.translation import override

    from xinqu.cockpit import selectors
    from xinqu.core.models import User
    from xinqu.demo.benchutil import timed
    from xinqu.enterprises.models import Enterprise
    from xinqu.indicators.models import Observation
    from xinqu.investment.models import Lead
    from xinqu.projects.models import Project
    from xinqu.workflow.models import Item

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    leader = User.objects.get(username="demo-leader")
    client = Client()
    client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
    scope = selectors.scope_for({})
    results: list[tuple[str, str]] = [
        ("database", connection.vendor),
        ("as of", f"{scope.month:%Y-%m} ({'closed' if scope.closed else 'open'})"),
        (
            "enterprises / indicator observations / workflow items / projects / leads",
            " / ".join(f"{m.objects.count():,}" for m in (Enterprise, Observation, Item, Project, Lead)),
        ),
    ]
    # Every tile's numbers must equal the SQL's before any time is reported.
    with override("zh-hans"):
        shown_tiles = selectors.tiles(leader, scope)
        keys = [s.tile.key for s in shown_tiles]
        missing = [k for k in SQL if k not in keys]
        if missing:
            raise CommandError(f"the cockpit shows no tile for {missing}: the zone is not built")
        for s in shown_tiles:
            if s.tile.key not in SQL:
                raise CommandError(f"tile {s.tile.key} has no hand-written SQL in this benchmark")
            on_page, floor = shown(s.tile.key, s.data, leader, scope), SQL[s.tile.key](scope)
            if on_page != floor:
                raise CommandError(
                    f"the {s.tile.key} tile disagrees with SQL:\n  page {on_page}\n  SQL  {floor}"
                )
        log("Every tile's numbers equal the SQL's.")
        total_sql = 0.0
        for s in shown_tiles:
            context: Callable[[Any, Any], Any] = import_string(s.tile.context)
            sql: Callable[[Any], dict[str, Any]] = SQL[s.tile.key]
            tile_ms = timed(partial(context, leader, scope), repeat)
            sql_ms = timed(partial(sql, scope), repeat)
            total_sql += sql_ms[0]
            results.append(
                (
                    f"tile {s.tile.key}",
                    f"median {tile_ms[0]:.0f} ms, p95 {tile_ms[1]:.0f} ms; SQL {sql_ms[0]:.0f} ms; ×{tile_ms[0] / max(sql_ms[0], 0.01):.1f}",
                )
            )
            log(f"  tile {s.tile.key}: {tile_ms[0]:.0f} ms, SQL {sql_ms[0]:.0f} ms")

    def page(url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        return get

    for label, url in (("cockpit page", "/cockpit/"), ("cockpit API", "/api/v1/cockpit")):
        get = page(url)
        cold: list[float] = []
        for _ in range(repeat):
            touch()
            started = time.perf_counter()
            get()
            cold.append((time.perf_counter() - started) * 1000)
        cold_median, cold_p95 = median_p95(cold)
        get()
        warm_median, warm_p95 = timed(get, repeat)
        results.append(
            (
                f"{label}, first view after a data change",
                f"median {cold_median:.0f} ms, p95 {cold_p95:.0f} ms; SQL of every tile {total_sql:.0f} ms; "
                f"×{cold_median / max(total_sql, 0.01):.1f}",
            )
        )
        results.append(
            (
                f"{label}, cached",
                f"median {warm_median:.0f} ms, p95 {warm_p95:.0f} ms; ×{warm_median / max(total_sql, 0.01):.1f}",
            )
        )
        log(f"  {label}: cold {cold_median:.0f} ms, warm {warm_median:.0f} ms, SQL {total_sql:.0f} ms")
    # One briefing of the month at this scale: the content the request writes (every tile as of
    # the month, with the briefing's charts), then the worker's documents.
    from xinqu.cockpit import briefing, services

    if scope.closed:
        times = max(3, repeat // 3)
        content_ms = timed(lambda: briefing.compose(reader=leader, scope=scope, language="zh-hans"), times)
        queued = services.briefing_request(actor=leader, scope=scope, language="zh-hans", background=True)
        worker_ms = timed(lambda: services.run_briefing(queued.pk), times)
        queued.refresh_from_db()
        if queued.status != queued.Status.DONE:
            raise CommandError(f"the briefing was not written: {queued.failure}")
        results.append(
            (
                f"briefing {scope.month:%Y-%m}: content written (the request's share)",
                f"median {content_ms[0]:.0f} ms, p95 {content_ms[1]:.0f} ms",
            )
        )
        results.append(
            (
                "briefing: the worker's job (charts, .docx, PDF written)",
                f"median {worker_ms[0]:.0f} ms, p95 {worker_ms[1]:.0f} ms",
            )
        )
        log(f"  briefing: content {content_ms[0]:.0f} ms, documents {worker_ms[0]:.0f} ms")
    results.append(("peak memory (this process)", f"{peak_rss_mb():.0f} MB"))
    return results
