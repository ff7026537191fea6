"""`xinqu bench projects`: a ledger of 20,000 projects with 60 monthly reports each (1,200,000
reports), their milestones and yearly plans, written straight into the tables; each project's light
is computed by the same rule as `projects.lights` from the generated figures. Then the filtered
list, the statistics and the scheduling-meeting list are measured through the real views."""

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
from xinqu.core.models import Department, OrgUnit, User
from xinqu.demo.benchutil import timed
from xinqu.demo.registry import _industry_tree
from xinqu.demo.zone import load_demo_zone
from xinqu.enterprises.models import IndustryNode
from xinqu.indicators.selectors import classify
from xinqu.projects.models import Milestone, MonthlyReport, Project, ProjectYear
from xinqu.projects.selectors import filtered, meeting

SEED = 20_000
MONTHS = 60
KINDS = ["industrial"] * 7 + ["infrastructure", "social", "service"]
PROJECT_FIELDS = ["id", "code", "name", "area", "park", "chain_node", "kind", "total_investment", "stage",
                  "signed_on", "landed_on", "planned_start_on", "started_on", "completed_on", "registered_on",
                  "leader", "department", "light", "termination_reason", "created_at"]  # fmt: skip
REPORT_FIELDS = ["project", "month", "investment", "investment_ytd", "investment_total", "workers", "progress",
                 "reported_at"]  # fmt: skip


def _month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def build(*, size: int, months: int, log: Callable[[str], None]) -> int:
    load_demo_zone(skip={"enterprises"})
    rng = random.Random(SEED)
    areas = list(OrgUnit.objects.filter(kind="area").values_list("pk", flat=True))
    parks = {a: list(OrgUnit.objects.filter(parent_id=a).values_list("pk", flat=True)) for a in areas}

    if not IndustryNode.objects.exists():
        _industry_tree()
    nodes = list(IndustryNode.objects.filter(kind="node").values_list("pk", flat=True))
    leaders = list(User.objects.filter(role="leader").values_list("pk", flat=True))
    departments = list(Department.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    last = today.year * 12 + today.month - 2  # the last finished month
    first = last - months + 1
    now = timezone.now()
    start_id = (Project.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    batch = 1000
    for offset in range(0, size, batch):
        projects, reports, milestones, years = [], [], [], []
        for n in range(offset, min(size, offset + batch)):
            pk = start_id + n
            total = Decimal(rng.choice([3_000, 6_000, 12_000, 30_000, 80_000, 150_000]))
            begin = first - rng.randint(0, 24)  # every project reports all of the last `months` months
            start = _month(begin).replace(day=rng.randint(1, 28))
            area = rng.choice(areas)
            pace = rng.choices([1.0, 0.8, 0.5], [16, 3, 1])[0]
            monthly = total * Decimal("0.9") / 96
            spent, ytd, year_done = Decimal(0), Decimal(0), 0
            by_year: dict[int, Decimal] = {}
            stage = "building"
            light = ""
            for index in range(max(begin, first), last + 1):
                month = _month(index)
                if month.month == 1:
                    ytd = Decimal(0)
                amount = (monthly * Decimal(pace) * Decimal(rng.uniform(0.8, 1.2))).quantize(Decimal("0.01"))
                amount = min(amount, total - spent)
                spent += amount
                ytd += amount
                year_done = month.year
                by_year[month.year] = ytd
                reports.append((pk, month, amount, ytd, spent, rng.randint(10, 300), "按计划推进", now))
            plan_year = today.year if _month(last).year == today.year else _month(last).year
            planned = (monthly * 12).quantize(Decimal("0.01"))
            for year in range(_month(max(begin, first)).year, plan_year + 1):
                years.append((pk, year, planned, True, by_year.get(year, Decimal(0))))
            if year_done == plan_year and planned:
                elapsed = Decimal(_month(last).month) / 12 * 100
                light = classify(elapsed - ytd / planned * 100, Decimal(10), Decimal(30))
            if rng.random() < 0.1:  # completed lately: reports up to the end, no light
                stage, light = "completed", ""
            planned_start = start - dt.timedelta(days=rng.randint(0, 90))
            topping = start + dt.timedelta(days=300)
            milestones += [
                (pk, "start", planned_start, start),
                (pk, "topping", topping, None if rng.random() < 0.05 or topping > today else topping),
                (pk, "completion", start + dt.timedelta(days=rng.randint(1800, 2600)), None),
            ]
            projects.append(
                (pk, f"BX{pk:06d}", f"基准项目{pk:06d}{rng.choice(['智能制造', '生物医药', '光电', '新材料', '物流'])}",
                 area, rng.choice(parks[area]) if parks[area] else None, rng.choice(nodes) if nodes else None,
                 rng.choice(KINDS), total, stage, start - dt.timedelta(days=120), start - dt.timedelta(days=60),
                 planned_start, start, None, start + dt.timedelta(days=20), rng.choice(leaders),
                 rng.choice(departments), light, "", now)
            )  # fmt: skip
        with transaction.atomic():
            insert_rows(Project, PROJECT_FIELDS, projects)
            insert_rows(MonthlyReport, REPORT_FIELDS, reports)
            insert_rows(Milestone, ["project", "kind", "planned_on", "actual_on"], milestones)
            insert_rows(
                ProjectYear,
                ["project", "year", "planned_investment", "planned_to_start", "completed_investment"],
                years,
            )
        log(f"  projects {offset + len(projects):,}/{size:,} ({time.perf_counter() - started:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('projects_project', 'id'), (SELECT MAX(id) FROM projects_project))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return size


def _close_through_last_month() -> None:
    """A zone in use has closed each month up to the last, so its pages default to last month (the
    demo alone closes 2023–2024, which would measure this year as of January)."""
    from xinqu.core.models import ClosedMonth
    from xinqu.core.periods import last_finished_month

    closer = User.objects.get(username="demo-stats-head")
    month = (ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()) or dt.date(
        2023, 1, 1
    )
    last = last_finished_month()
    missing = []
    while month < last:
        month = (month.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
        missing.append(ClosedMonth(month=month, closed_by=closer))
    ClosedMonth.objects.bulk_create(missing, ignore_conflicts=True)


def run(
    *, projects: int, repeat: int, reuse: bool, log: Callable[[str], None], **_: Any
) -> list[tuple[str, str]]:
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    existing = Project.objects.filter(code__startswith="BX").count()
    if existing and not reuse:
        raise CommandError(
            "The database already holds the benchmark projects. Run on an empty database, or pass --reuse."
        )
    if not existing:
        if Project.objects.exclude(code__startswith="BX").count() > 1_000:
            raise CommandError("Run the benchmark on an empty database.")
        log(f"Writing {projects:,} projects with {MONTHS} monthly reports each …")
        build(size=projects, months=MONTHS, log=log)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    _close_through_last_month()
    results: list[tuple[str, str]] = [
        ("database", connection.vendor),
        ("projects", f"{Project.objects.count():,}"),
        ("monthly reports", f"{MonthlyReport.objects.count():,}"),
        ("milestones", f"{Milestone.objects.count():,}"),
    ]
    client = Client()
    client.force_login(
        User.objects.get(username="demo-projects-staff"), backend="django.contrib.auth.backends.ModelBackend"
    )
    area = OrgUnit.objects.filter(kind="area").order_by("sort_order").first()
    leader = User.objects.filter(role="leader").order_by("pk").first()
    year = timezone.localdate().year
    assert area is not None and leader is not None
    pages = [
        ("list: all projects, page 1", "/projects/"),
        ("list: one area, building, page 3", f"/projects/?area={area.pk}&stage=building&page=3"),
        ("list: red lights of 1亿–10亿", "/projects/?light=red&band=100m"),
        ("list: name search", "/projects/?q=生物医药"),
        (f"statistics {year} by stage (≥ 5000万)", f"/projects/statistics/?year={year}&by=stage"),
        (f"statistics {year} by park", f"/projects/statistics/?year={year}&by=park"),
        (f"statistics {year} by chain", f"/projects/statistics/?year={year}&by=chain"),
        (
            f"statistics {year} by size band, all projects",
            f"/projects/statistics/?year={year}&by=band&scope=all",
        ),
        ("scheduling meeting: one area", f"/projects/meeting/?area={area.pk}"),
        ("scheduling meeting: one leader", f"/projects/meeting/?leader={leader.pk}"),
    ]

    def getter(url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        return get

    for label, url in pages:
        median, p95 = timed(getter(url), repeat)
        extra = ""
        if "meeting" in url:
            params = {"area": str(area.pk)} if "area" in url else {"leader": str(leader.pk)}
            extra = f" ({sum(len(r) for r in meeting(filtered(params)).values()):,} projects listed)"
        results.append((label + extra, f"median {median:.0f} ms, p95 {p95:.0f} ms"))
        log(f"  {label}: {median:.0f} ms{extra}")
    return results
