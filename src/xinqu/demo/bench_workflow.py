"""`xinqu bench workflow`: the service requests of a busy zone, 1,000,000 of them over six years.

Requests are written straight into the tables (one prepared statement per 124 rows on SQLite,
COPY on PostgreSQL) in states and with facts a real life would give them: most old requests are
closed and rated, a few old ones still open, overdue and under supervision; the last two months
spread over every state. Each gets its filing in the timeline. The demo zone's departments,
areas and accounts are used, so the measured pages see what a clerk sees."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xinqu.core.bulk import insert_rows
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.workdays import calendar
from xinqu.demo.benchutil import timed
from xinqu.demo.zone import load_demo_zone
from xinqu.service_requests.metrics import metrics, recounted, tallies_rebuild
from xinqu.service_requests.models import Category, ServiceRequest
from xinqu.workflow.models import Event, Item

SEED = 311
YEARS = 6
CHUNK = 50_000
# Where requests go, most to least: the bureaus enterprises need most.
SHARES = {
    "econ": 24,
    "invest": 14,
    "talent": 12,
    "projects": 12,
    "finance": 10,
    "tech": 10,
    "safety": 6,
    "stats": 4,
    "office": 4,
    "business-env": 4,
}
RECENT_STATES = [
    ("submitted", 4),
    ("accepted", 4),
    ("dispatched", 6),
    ("returned", 2),
    ("in_progress", 20),
    ("waiting", 4),
    ("replied", 10),
    ("closed", 50),
]
STAGE = {
    "submitted": 0,
    "rejected": 0,
    "accepted": 1,
    "dispatched": 2,
    "returned": 2,
    "in_progress": 3,
    "waiting": 3,
    "replied": 4,
    "closed": 5,
    "merged": 0,
}
ITEM_FIELDS = [
    "id",
    "kind",
    "number",
    "state",
    "title",
    "department",
    "org_unit",
    "opened_at",
    "due_on",
    "paused_since",
    "paused_days",
    "supervision_level",
    "closed_at",
    "merged_into",
    "version",
]
REQUEST_FIELDS = [
    "item",
    "category",
    "enterprise",
    "enterprise_name",
    "contact_name",
    "contact_phone",
    "description",
    "channel",
    "filed_by",
    "token_digest",
    "first_department",
    "outcome",
    "rating",
    "first_rating",
    "confirmed_solved",
    "reopened",
    "returns",
    "accepted_on",
    "signed_on_time",
    "responded",
    "replied_on_time",
    "handling_days",
    "department",
    "org_unit",
    "month",
    "supervised",
]
EVENT_FIELDS = ["item", "at", "actor_label", "action", "from_state", "to_state", "comment", "public", "data"]


def build(*, size: int, log: Callable[[str], None]) -> int:
    """Fill an empty database with the demo zone and ``size`` service requests."""
    load_demo_zone(skip={"enterprises"})
    departments = dict(Department.objects.values_list("code", "pk"))
    weighted = [departments[code] for code, share in SHARES.items() for _ in range(share)]
    areas = list(OrgUnit.objects.filter(kind="area").values_list("pk", flat=True))
    categories = list(Category.objects.values_list("pk", "time_limit"))
    first_id = (Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    made = 0
    for chunk in _chunks(
        size=size, first_id=first_id, departments=weighted, areas=areas, categories=categories
    ):
        items, requests, events = chunk
        with transaction.atomic():
            insert_rows(Item, ITEM_FIELDS, items)
            insert_rows(ServiceRequest, REQUEST_FIELDS, requests)
            insert_rows(Event, EVENT_FIELDS, events, raw=("data",))
        made += len(items)
        log(f"  requests {made:,}/{size:,} ({time.perf_counter() - started:.0f} s)")
    log("Adding up the metrics' tallies …")
    tallies_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('workflow_item', 'id'), (SELECT MAX(id) FROM workflow_item))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return made


def _chunks(
    *, size: int, first_id: int, departments: list[int], areas: list[int], categories: list[tuple[int, int]]
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    rng = random.Random(SEED)
    cal = calendar()
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    first = dt.datetime(today.year - YEARS, today.month, 1, 8, tzinfo=zone)
    span = (timezone.now() - dt.timedelta(hours=1) - first).total_seconds()  # the last, an hour ago
    serials: dict[dt.date, int] = {}  # the day's last serial, after the demo's own requests
    for taken in Item.objects.filter(number__startswith="SR").values_list("number", flat=True):
        day = dt.date(int(taken[2:6]), int(taken[6:8]), int(taken[8:10]))
        serials[day] = max(serials.get(day, 0), int(taken[10:]))
    items: list[tuple[Any, ...]] = []
    requests: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for n in range(size):
        pk = first_id + n
        opened = first + dt.timedelta(seconds=span * n / size + rng.random() * 60)
        day = opened.astimezone(zone).date()
        serials[day] = serials.get(day, 0) + 1
        number = f"SR{day:%Y%m%d}{serials[day]:04d}"
        age = (today - day).days
        category, limit = rng.choice(categories)
        department = rng.choice(departments)
        area = rng.choice(areas)
        if age > 60:
            r = rng.random()
            state = (
                "rejected"
                if r < 0.02
                else "merged"
                if r < 0.025
                else rng.choice(["in_progress", "waiting", "replied"])
                if r < 0.035
                else "closed"
            )
        else:
            state = rng.choices([s for s, _ in RECENT_STATES], [w for _, w in RECENT_STATES])[0]
        stage = STAGE[state]
        accepted_on = cal.add(day, rng.choice((0, 0, 1))) if stage >= 1 else None
        first_department = department if stage >= 2 and rng.random() < 0.9 else None
        if stage >= 2 and first_department is None:
            first_department = rng.choice(departments)
        returns = 1 if stage >= 2 and (state == "returned" or rng.random() < 0.04) else 0
        signed = (rng.random() < 0.93) if stage >= 3 else None
        replied_day = cal.add(accepted_on, rng.randint(1, limit + 3)) if stage >= 4 and accepted_on else None
        handling = cal.between(accepted_on, replied_day) if replied_day and accepted_on else None
        replied_on_time = (handling <= limit + 1) if handling is not None else None
        outcome = rng.choices(["solved", "partly", "explained"], [80, 12, 8])[0] if stage >= 4 else ""
        rating = rng.choices(["satisfied", "basically"], [85, 15])[0] if state == "closed" else ""
        reopened = 1 if state == "closed" and rng.random() < 0.03 else 0
        first_rating = "dissatisfied" if reopened else rating
        confirmed_solved = (rng.random() < 0.9) if rating else None
        overdue_open = age > 60 and state in {"in_progress", "waiting", "replied"}
        due = cal.add(accepted_on or day, limit + 1)
        level = min(3, 1 + age // 60) if overdue_open else 0
        closed_at = (
            dt.datetime.combine(replied_day or day, dt.time(16), tzinfo=zone)
            if state in {"closed", "rejected", "merged"}
            else None
        )
        paused_since = day if state == "waiting" else None
        items.append(
            (
                pk,
                "service_request",
                number,
                state,
                f"企业诉求（基准）{number}",
                department if stage >= 2 else None,
                area,
                opened,
                None if state in {"closed", "rejected", "merged"} else due,
                paused_since,
                0,
                level,
                closed_at,
                pk - 1 if state == "merged" and n else None,
                stage,
            )
        )
        requests.append(
            (
                pk,
                category,
                None,
                f"基准企业{pk % 50_000:05d}有限公司",
                "联系人",
                "0431-80000000",
                "基准测试诉求",
                "public" if pk % 3 else "officer",
                None,
                f"bench{pk:059d}",
                first_department,
                outcome,
                rating,
                first_rating,
                confirmed_solved,
                reopened,
                returns,
                accepted_on,
                signed,
                stage >= 4 or state == "waiting",
                replied_on_time,
                handling,
                department if stage >= 2 else None,
                area,
                day.replace(day=1),
                level > 0,
            )
        )
        events.append((pk, opened, "企业", "open", "", "submitted", "基准测试诉求", True, "{}"))
        if len(items) == CHUNK:
            yield items, requests, events
            items, requests, events = [], [], []
    if items:
        yield items, requests, events


def run(
    *,
    requests: int,
    filings: int,
    repeat: int,
    reuse: bool,
    skip_filings: bool,
    log: Callable[[str], None],
    **_: Any,
) -> list[tuple[str, str]]:
    """Build (once) and measure: two work queues and the metrics page through the real views,
    then ``filings`` concurrent public filings through gunicorn on loopback."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    existing = ServiceRequest.objects.count()
    if existing and not reuse:
        raise CommandError(
            f"The database already holds {existing:,} service requests. Run on an empty database "
            "(e.g. XINQU_DATABASE_URL=sqlite:///var/bench.sqlite3), or pass --reuse."
        )
    if not existing:
        log(f"Writing {requests:,} service requests …")
        build(size=requests, log=log)
    results: list[tuple[str, str]] = [
        ("database", connection.vendor),
        ("service requests", f"{ServiceRequest.objects.count():,}"),
        ("timeline events", f"{Event.objects.count():,}"),
    ]
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    year = timezone.localdate().year - 1

    def client(username: str) -> Client:
        c = Client()
        c.force_login(
            User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
        return c

    def getter(c: Client, url: str) -> Callable[[], None]:
        def get() -> None:
            response = c.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        return get

    econ = Department.objects.get(code="econ")
    in_queue = Item.objects.filter(kind="service_request", department=econ)
    pages = [
        (
            f"department work queue, open requests ({in_queue.exclude(state__in=['closed', 'rejected', 'merged']).count():,} of {in_queue.count():,})",
            "demo-econ-staff",
            "/service-requests/",
        ),
        (
            "department work queue, all requests, page 40",
            "demo-econ-staff",
            "/service-requests/?state=all&page=40",
        ),
        (
            "department work queue, search by company name",
            "demo-econ-staff",
            "/service-requests/?q=基准企业01234",
        ),
        ("service centre queue, open requests (whole zone)", "demo-service-clerk", "/service-requests/"),
        (
            f"metrics page {year}, by department (with league table)",
            "demo-leader",
            f"/service-requests/metrics/?year={year}&by=department",
        ),
        (f"metrics page {year}, by month", "demo-leader", f"/service-requests/metrics/?year={year}&by=month"),
        (
            f"metrics page {year}, by category",
            "demo-leader",
            f"/service-requests/metrics/?year={year}&by=category",
        ),
        (f"metrics page {year}, by area", "demo-leader", f"/service-requests/metrics/?year={year}&by=area"),
    ]
    # The tallies the page reads must equal a count over every request before anything is timed.

    for by in ("department", "month", "category", "area"):
        started = time.perf_counter()
        counted = recounted(year=year, by=by)
        seconds = time.perf_counter() - started
        kept = metrics(year=year, by=by)
        if [(r.label, r.counts, r.average_days) for r in [kept["total"], *kept["rows"]]] != [
            (r.label, r.counts, r.average_days) for r in [counted["total"], *counted["rows"]]
        ]:
            raise CommandError(f"the kept tallies and a recount of the requests disagree (by {by})")
        if by == "department":
            results.append(
                (
                    f"the same metrics counted from every request of {year} (no tallies)",
                    f"{seconds * 1000:.0f} ms, {kept['total'].counts['total']:,} requests; equal to the tallies",
                )
            )
    for label, username, url in pages:
        median, p95 = timed(getter(client(username), url), repeat)
        results.append((label, f"median {median:.0f} ms, p95 {p95:.0f} ms"))
        log(f"  {label}: {median:.0f} ms")
    if not skip_filings:
        results.extend(concurrent_filings(filings, log=log))
    return results


def concurrent_filings(count: int, *, log: Callable[[str], None]) -> list[tuple[str, str]]:
    """``count`` enterprises file at the same moment through gunicorn on loopback, each from its
    own address (behind one trusted proxy, as the zone's web server would pass them on), so the
    public form's flood limit stays as configured. Every filing must get a receipt, and every
    receipt must be a request in the database that its secret link opens."""
    import concurrent.futures
    import os
    import re
    import socket
    import subprocess
    import sys
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    from django.conf import settings
    from django.core.management.base import CommandError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workers = max(2, 2 * (os.cpu_count() or 1) + 1)
    env = {
        **os.environ,
        "XINQU_SECRET_KEY": settings.SECRET_KEY,
        "XINQU_DEBUG": "0",
        "XINQU_HTTPS": "0",
        "XINQU_PROXY_COUNT": "1",
        "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static files
        "XINQU_DATABASE_URL": os.environ.get("XINQU_DATABASE_URL", ""),
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter running gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "xinqu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/service/new/", timeout=5).read()  # noqa: S310 - loopback
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            raise CommandError("gunicorn did not start")
        category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
        since = timezone.now()
        ready = threading.Barrier(count)

        def file_one(n: int) -> tuple[int, str, str, float]:
            jar = CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            address = f"10.{n // 250}.{n % 250}.7"  # one address per enterprise
            headers = {"X-Forwarded-For": address}
            form = opener.open(urllib.request.Request(f"{base}/service/new/", headers=headers), timeout=120)  # noqa: S310
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.read().decode())
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                    "category": category,
                    "enterprise_name": f"并发测试企业{n:03d}有限公司",
                    "contact_name": "测试",
                    "contact_phone": "0431-81234567",
                    "description": f"并发提交第 {n} 件：厂区供水压力不足，请协调。",
                }
            ).encode()
            ready.wait(timeout=120)
            started = time.perf_counter()
            try:
                response = opener.open(
                    urllib.request.Request(f"{base}/service/new/", data=body, headers=headers),  # noqa: S310
                    timeout=120,
                )
                status, page = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                status, page = exc.code, exc.read().decode(errors="replace")
            seconds = time.perf_counter() - started
            number = re.search(r'id="receipt-number">([^<]+)<', page)
            link = re.search(r'id="track-link">([^<]+)<', page)
            return status, number.group(1) if number else "", link.group(1) if link else "", seconds

        log(f"Filing {count} requests at once through gunicorn ({workers} workers) …")
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            outcomes = list(pool.map(file_one, range(count)))
        wall = time.perf_counter() - started
        errors = [o for o in outcomes if o[0] != 200 or not o[1]]
        numbers = [o[1] for o in outcomes if o[1]]
        stored = set(Item.objects.filter(number__in=numbers).values_list("number", flat=True))
        filed_now = Item.objects.filter(kind="service_request", opened_at__gte=since).count()
        lost = len(set(numbers) - stored) + (len(numbers) - len(set(numbers)))
        unreadable = 0
        for _status, _number, link, _seconds in outcomes:
            if link:
                path = urllib.parse.urlsplit(link).path
                try:
                    urllib.request.urlopen(f"{base}{path}", timeout=30).read()  # noqa: S310 - loopback
                except urllib.error.HTTPError:
                    unreadable += 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    durations = sorted(o[3] * 1000 for o in outcomes)
    if errors:
        log(f"  first errors: {[(o[0], o[2]) for o in errors[:3]]}")
    return [
        (
            f"{count} concurrent public filings (gunicorn, {workers} workers, loopback)",
            f"{len(errors)} errors, {lost} lost, {filed_now - len(stored)} unexplained, "
            f"{unreadable} links that do not open; all done in {wall:.1f} s, "
            f"median {statistics.median(durations):.0f} ms, slowest {durations[-1]:.0f} ms",
        )
    ]
