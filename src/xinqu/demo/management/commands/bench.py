"""`xinqu bench enterprises`: the registry at Shanghai-Pudong scale.

Builds (once) a synthetic zone of --size enterprises in the configured database, then measures
an .xlsx import of --import-rows rows (in a child process, so its peak memory is its own) and the
statistics page and name search through the real views. Run it on an empty database:

    XINQU_DATABASE_URL=sqlite:///var/bench.sqlite3 xinqu bench enterprises
    XINQU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench xinqu bench enterprises
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from xinqu.core.models import OrgUnit, User
from xinqu.demo import (
    bench_briefing,
    bench_cockpit,
    bench_indicators,
    bench_investment,
    bench_projects,
    bench_workflow,
)
from xinqu.demo.benchutil import peak_rss_mb, timed, write_shared_strings_xlsx
from xinqu.demo.generator import enterprises
from xinqu.demo.synthetic import build_zone
from xinqu.enterprises.imports import ENTERPRISE_COLUMNS, enterprises_import
from xinqu.enterprises.models import Enterprise
from xinqu.indicators import services
from xinqu.indicators.imports import indicator_values_import
from xinqu.indicators.models import Observation, Submission
from xinqu.indicators.selectors import overview


class Command(BaseCommand):
    help = (
        "Benchmarks. `xinqu bench enterprises` measures the registry at 500,000 enterprises; "
        "`xinqu bench indicators` the indicator overview at 10 million observations and the import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "suite",
            choices=[
                "enterprises",
                "import-file",
                "indicators",
                "indicator-import-file",
                "workflow",
                "projects",
                "investment",
                "briefing",
                "cockpit",
            ],
        )
        parser.add_argument("path", nargs="?", help="import-file only: the .xlsx to import")
        parser.add_argument("--size", type=int, default=500_000, help="enterprises in the synthetic zone")
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=15, help="requests per measured page")
        parser.add_argument("--reuse", action="store_true", help="measure a zone an earlier run built")
        parser.add_argument("--skip-import", action="store_true", help="measure the pages only")
        parser.add_argument("--indicators", type=int, default=200, help="indicators: catalog size")
        parser.add_argument("--units", type=int, default=100, help="indicators: org units")
        parser.add_argument("--months", type=int, default=500, help="indicators: months of history")
        parser.add_argument(
            "--import-periods", type=int, default=5, help="indicators: months in the import file"
        )
        parser.add_argument("--requests", type=int, default=1_000_000, help="workflow: service requests")
        parser.add_argument(
            "--filings", type=int, default=200, help="workflow: concurrent public filings over HTTP"
        )
        parser.add_argument("--skip-filings", action="store_true", help="workflow: measure the pages only")
        parser.add_argument("--projects", type=int, default=20_000, help="projects: projects in the ledger")
        parser.add_argument("--leads", type=int, default=200_000, help="investment: leads")
        parser.add_argument("--activities", type=int, default=2_000_000, help="investment: activities")

    def handle(self, *args: Any, suite: str, path: str | None, **options: Any) -> None:
        if suite == "import-file":
            self._import_file(Path(path or ""))
        elif suite == "indicator-import-file":
            self._indicator_import_file(Path(path or ""))
        elif suite == "indicators":
            self._indicators(**options)
        elif suite == "workflow":
            self._table(bench_workflow.run(log=self._log, **options))
        elif suite == "projects":
            self._table(bench_projects.run(log=self._log, **options))
        elif suite == "investment":
            self._table(bench_investment.run(log=self._log, **options))
        elif suite == "briefing":
            self._table(bench_briefing.run(log=self._log, **options))
        elif suite == "cockpit":
            self._table(bench_cockpit.run(log=self._log, **options))
        else:
            self._enterprises(**options)

    def _log(self, message: str) -> None:
        self.stderr.write(message)

    def _table(self, results: list[tuple[str, str]]) -> None:
        self.stdout.write("\n| measure | result |\n|---|---|")
        for name, value in results:
            self.stdout.write(f"| {name} | {value} |")

    def _child(self, suite: str, file: Path) -> dict[str, Any]:
        """Run ``xinqu bench <suite> <file>`` in a child process (so its peak memory is its own)
        and return the JSON it prints last."""
        child = subprocess.run(  # noqa: S603 - our own interpreter and a file we just wrote
            [sys.executable, "-m", "xinqu.cli", "bench", suite, str(file)],
            capture_output=True,
            text=True,
            check=True,
        )
        measured: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
        self._log(f"  {measured}")
        return measured

    def _enterprises(
        self, *, size: int, import_rows: int, repeat: int, reuse: bool, skip_import: bool, **_: Any
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        existing = Enterprise.objects.count()
        if existing and not reuse:
            raise CommandError(
                f"The database already holds {existing:,} enterprises. Run the benchmark on an empty database "
                "(e.g. XINQU_DATABASE_URL=sqlite:///var/bench.sqlite3), or pass --reuse to measure one it built."
            )
        if not existing:
            self._log(f"Building a synthetic zone of {size:,} enterprises …")
            build_zone(size=size, log=self._log)
        total = Enterprise.objects.count()
        results: list[tuple[str, str]] = [
            ("database", connection.vendor),
            ("enterprises in the zone", f"{total:,}"),
        ]

        # The pages are measured on the zone as built, before the imports add to it.
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append("testserver")  # the measuring client's host name
        client = Client()
        client.force_login(
            User.objects.get(username="demo-econ-staff"), backend="django.contrib.auth.backends.ModelBackend"
        )
        stats_url = "/enterprises/statistics/?day=2025-12-31&year=2025"
        results.append(("statistics page", _timed(client, [stats_url] * repeat)))
        results.append(("statistics page by park", _timed(client, [stats_url + "&by=park"] * repeat)))
        rng = random.Random(7)
        names = list(Enterprise.objects.order_by("?").values_list("name", "credit_code")[:repeat])
        searches = [f"/enterprises/?q={name[2:6]}" for name, _code in names]
        results.append(("name search (4-character substring)", _timed(client, searches)))
        codes = [f"/enterprises/?q={code[rng.randrange(0, 8) :][:10]}" for _name, code in names]
        results.append(("credit-code search (10-character fragment)", _timed(client, codes)))

        bench_dir = Path(settings.VAR_DIR) / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        for rows in () if skip_import else (import_rows // 4, import_rows):
            file = bench_dir / f"import-{rows}-{total}.xlsx"
            self._log(f"Writing {file.name} …")
            _write_import_file(file, rows=rows, seed=total + rows)
            self._log(f"Importing {rows:,} rows in a child process …")
            measured = self._child("import-file", file)
            results.append(
                (
                    f"import {rows:,} rows",
                    f"{measured['seconds']:.1f} s, {measured['rows_per_s']:,.0f} rows/s, peak RSS {measured['maxrss_mb']:.0f} MB"
                    f" ({measured['created']:,} created)",
                )
            )

        self.stdout.write("\n| measure | result |\n|---|---|")
        for name, value in results:
            self.stdout.write(f"| {name} | {value} |")

    def _import_file(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = User.objects.get(username="demo-econ-staff")
        started = time.perf_counter()
        with path.open("rb") as file:
            report = enterprises_import(actor=actor, file=file, dry_run=False)
        seconds = time.perf_counter() - started
        if not report.ok:
            raise CommandError(f"import failed: {report.fatal or report.errors[:3]}")
        self.stdout.write(
            json.dumps(
                {
                    "rows": report.total,
                    "created": report.created,
                    "seconds": seconds,
                    "rows_per_s": report.total / seconds,
                    "maxrss_mb": peak_rss_mb(),
                }
            )
        )

    def _indicators(
        self,
        *,
        indicators: int,
        units: int,
        months: int,
        import_periods: int,
        repeat: int,
        reuse: bool,
        skip_import: bool,
        **_: Any,
    ) -> None:
        import datetime as dt

        bench = bench_indicators

        call_command("migrate", interactive=False, verbosity=0)
        existing = OrgUnit.objects.filter(code="bench-zone").exists()
        if existing and not reuse:
            raise CommandError(
                "The database already holds the benchmark zone. Run on an empty database, or pass --reuse."
            )
        if not existing:
            if OrgUnit.objects.exists():
                raise CommandError(
                    "Run the benchmark on an empty database (e.g. XINQU_DATABASE_URL=sqlite:///var/bench.sqlite3)."
                )
            self._log(f"Building {indicators} indicators × {units} org units × {months} months …")
            bench.build(indicators=indicators, units=units, months=months, log=self._log)
        results: list[tuple[str, str]] = [
            ("database", connection.vendor),
            ("observations", f"{Observation.objects.count():,}"),
        ]
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append("testserver")
        leader = User.objects.get(username=bench.LEADER)
        client = Client()
        client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
        zone = OrgUnit.objects.get(code="bench-zone")
        area = OrgUnit.objects.get(code="bench-area-1")
        period = bench.MEASURED

        # The page and the hand-written query must agree before either is timed.
        rows = overview(user=leader, unit=zone, period=period)
        expected = bench.reference(zone, period)
        got = [{"value": r.value, "completion": r.completion, "time_progress": r.time_progress} for r in rows]
        if [{k: e[k] for k in ("value", "completion", "time_progress")} for e in expected] != got:
            raise CommandError("the overview and the reference query disagree")
        lit = sum(1 for r in rows if r.light)
        results.append(("overview rows (lit / with target)", f"{len(rows)} ({lit} lit)"))
        sql_median, sql_p95 = timed(lambda: bench.reference(zone, period), repeat)
        page = f"/indicators/?unit={zone.pk}&period={period:%Y-%m}"
        api = f"/api/v1/indicators-overview?unit=bench-zone&period={period:%Y-%m}"
        page_median, page_p95 = timed(lambda: _ok(client.get(page)), repeat)
        api_median, api_p95 = timed(lambda: _ok(client.get(api)), repeat)
        results.append(
            ("hand-written SQL (same numbers)", f"median {sql_median:.0f} ms, p95 {sql_p95:.0f} ms")
        )
        results.append(
            (
                "overview page",
                f"median {page_median:.0f} ms, p95 {page_p95:.0f} ms, {page_median / sql_median:.2f}× the SQL",
            )
        )
        results.append(
            (
                "overview API",
                f"median {api_median:.0f} ms, p95 {api_p95:.0f} ms, {api_median / sql_median:.2f}× the SQL",
            )
        )
        cold_page, cold_page_p95 = bench.timed_after_change(lambda: _ok(client.get(page)), repeat)
        cold_api, cold_api_p95 = bench.timed_after_change(lambda: _ok(client.get(api)), repeat)
        results.append(
            (
                "overview page, first view after a data change",
                f"median {cold_page:.0f} ms, p95 {cold_page_p95:.0f} ms",
            )
        )
        results.append(
            (
                "overview API, first call after a data change",
                f"median {cold_api:.0f} ms, p95 {cold_api_p95:.0f} ms",
            )
        )
        detail = f"/indicators/bench_001/?unit={area.pk}&period={period:%Y-%m}"
        detail_median, detail_p95 = timed(lambda: _ok(client.get(detail)), repeat)
        results.append(
            (
                "indicator page (area and its parks, trend)",
                f"median {detail_median:.0f} ms, p95 {detail_p95:.0f} ms",
            )
        )

        if not skip_import:
            bench_dir = Path(settings.VAR_DIR) / "bench"
            bench_dir.mkdir(parents=True, exist_ok=True)
            periods = [dt.date(2026, m, 1) for m in range(1, import_periods + 1)]
            file = bench_dir / f"indicator-import-{import_periods}.xlsx"
            self._log(f"Writing {file.name} …")
            count = bench.write_import_file(file, periods=periods)
            self._log(f"Importing {count:,} observations in a child process …")
            measured = self._child("indicator-import-file", file)
            results.append(
                (
                    f"import {count:,} observations",
                    f"{measured['seconds']:.1f} s, {measured['rows_per_s']:,.0f} observations/s, "
                    f"peak RSS {measured['maxrss_mb']:.0f} MB",
                )
            )
            results.append(
                (
                    f"approve one month's return ({measured['approved']:,} values)",
                    f"{measured['approve_seconds']:.1f} s",
                )
            )
        self.stdout.write("\n| measure | result |\n|---|---|")
        for name, value in results:
            self.stdout.write(f"| {name} | {value} |")

    def _indicator_import_file(self, path: Path) -> None:
        bench = bench_indicators

        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        clerk = User.objects.get(username=bench.CLERK)
        # Returns left open by an earlier run would turn this import into a re-import.
        Submission.objects.filter(department__code=bench.DEPARTMENT).exclude(status="approved").delete()
        started = time.perf_counter()
        with path.open("rb") as file:
            report = indicator_values_import(actor=clerk, file=file, dry_run=False)
        seconds = time.perf_counter() - started
        if not report.ok:
            raise CommandError(f"import failed: {report.fatal or report.errors[:3]}")
        submission = (
            Submission.objects.filter(department__code=bench.DEPARTMENT, status="draft")
            .order_by("period")
            .first()
        )
        assert submission is not None
        services.submission_submit(actor=clerk, submission=submission, confirm_warnings=True)
        started = time.perf_counter()
        approved = services.submission_approve(
            actor=User.objects.get(username=bench.HEAD), submission=submission
        )
        approve_seconds = time.perf_counter() - started
        self.stdout.write(
            json.dumps(
                {
                    "rows": report.total,
                    "seconds": seconds,
                    "rows_per_s": report.total / seconds,
                    "maxrss_mb": peak_rss_mb(),
                    "approved": approved,
                    "approve_seconds": approve_seconds,
                }
            )
        )


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise CommandError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response


def _write_import_file(path: Path, *, rows: int, seed: int) -> None:
    """A registry sheet as Excel and WPS save it: text in the shared-strings table, cells by reference."""
    taken = set(Enterprise.objects.values_list("credit_code", flat=True).iterator(chunk_size=20_000))
    sizes = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
    table: list[list[Any]] = [[c.header for c in ENTERPRISE_COLUMNS]]
    for e in enterprises(count=rows, seed=seed, department_id=0, parks=[], start=10_000_000 + seed):
        if e.credit_code in taken:
            continue
        table.append(
            [
                e.credit_code,
                e.name,
                "",
                "高新区",
                "长智光谷",
                e.industry_code,
                sizes[e.size_class],
                "是" if e.above_scale else "否",
                e.above_scale_year or "",
                e.established_on.isoformat() if e.established_on else "",
                e.contact_name,
                e.contact_phone,
                "否",
                "",
            ]
        )
    write_shared_strings_xlsx(path, table)


def _timed(client: Client, urls: list[str]) -> str:
    durations = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    return f"median {statistics.median(durations):.0f} ms, p95 {p95:.0f} ms ({len(durations)} requests)"
