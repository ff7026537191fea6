"""`xinqu bench indicators`: 10 million observations (200 indicators × 100 org units × 500 months).

The observations are generated inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL), so building the zone takes minutes, not hours. The overview page and its API are
measured through the real views, against one hand-written SQL query that computes the same
numbers; the benchmark checks that both agree before it reports any time."""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.numbers import rounded
from xinqu.core.roles import Role
from xinqu.demo.benchutil import write_shared_strings_xlsx
from xinqu.indicators.models import DataVersion, Indicator, Observation, Target

INDICATORS, UNITS, MONTHS = 200, 100, 500
LAST_PERIOD = dt.date(2025, 12, 1)
MEASURED = dt.date(2025, 6, 1)  # the period the pages are measured at
DEPARTMENT = "bench-stats"
CLERK, HEAD, LEADER = "bench-clerk", "bench-head", "bench-leader"


def first_period(months: int) -> dt.date:
    index = LAST_PERIOD.year * 12 + LAST_PERIOD.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def build(*, indicators: int, units: int, months: int, log: Callable[[str], None]) -> int:
    """The synthetic zone: 1 zone, areas of 10 parks each, ``indicators`` monthly cumulative
    indicators, their observations for ``months`` months, and targets for the measured year."""
    with transaction.atomic():
        department, _ = Department.objects.get_or_create(
            code=DEPARTMENT, defaults={"name": "统计局（基准测试）"}
        )
        for username, role, dept in (
            (CLERK, Role.STAFF, department),
            (HEAD, Role.HEAD, department),
            (LEADER, Role.LEADER, None),
        ):
            user, created = User.objects.get_or_create(
                username=username, defaults={"role": role, "department": dept, "must_change_password": False}
            )
            if created:
                user.set_unusable_password()
                user.save()
        zone = OrgUnit.objects.create(kind="zone", code="bench-zone", name="基准新区")
        made = 1
        area = None
        area_count = 0
        while made < units:
            if area is None or area.children.count() >= 10:
                area_count += 1
                area = OrgUnit.objects.create(
                    kind="area",
                    code=f"bench-area-{area_count}",
                    name=f"功能区{area_count}",
                    parent=zone,
                    sort_order=area_count,
                )
            else:
                OrgUnit.objects.create(
                    kind="park",
                    code=f"bench-park-{made}",
                    name=f"园区{made}",
                    parent=area,
                    sort_order=made,
                )
            made += 1
        Indicator.objects.bulk_create(
            Indicator(
                code=f"bench_{i:03d}",
                name=f"基准指标{i:03d}",
                unit="亿元" if i % 3 else "万元",
                department=department,
                jan_feb_combined=False,
                price_basis="comparable" if i % 10 == 0 else "current",
                # The seasonal share is opt-in (months ÷ 12 by default); the benchmark keeps
                # measuring the costlier path, which its hand-written query computes too.
                seasonal_progress=True,
                direction="lower" if i % 25 == 0 else "higher",
                sort_order=i,
            )
            for i in range(1, indicators + 1)
        )
    log(f"Generating {indicators * units * months:,} observations in the database …")
    started = time.perf_counter()
    _generate(months)
    log(f"  done in {time.perf_counter() - started:.0f} s")
    head = User.objects.get(username=HEAD)
    targets = []
    for indicator in Indicator.objects.filter(department__code=DEPARTMENT):
        for unit_id in OrgUnit.objects.filter(code__startswith="bench-").values_list("pk", flat=True):
            # Every third unit has no target: it must show "–" and not be ranked.
            if unit_id % 3 == 0:
                continue
            december = Observation.objects.filter(
                indicator=indicator, org_unit_id=unit_id, period=dt.date(MEASURED.year - 1, 12, 1)
            ).values_list("ytd_value", flat=True)[:1]
            value = ((december[0] if december else None) or Decimal(100)) * Decimal("1.08")
            targets.append(
                Target(
                    indicator=indicator,
                    org_unit_id=unit_id,
                    year=MEASURED.year,
                    value=value.quantize(Decimal("0.0001")),
                    growth=Decimal("7.5") if indicator.price_basis == "comparable" else None,
                    updated_by=head,
                )
            )
    Target.objects.bulk_create(targets, batch_size=5000)
    with connection.cursor() as cursor:
        # As autovacuum would in a running zone (PostgreSQL's index-only scans need it).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Observation.objects.count()


# The value of a month: a per-series base, growing 4 % a year, accumulating month by month.
_SQLITE = """
WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < %(months)s - 1)
INSERT INTO indicators_observation
  (indicator_id, org_unit_id, period, ytd_value, ytd_derived, period_value, period_derived, growth, revision, approved_at)
SELECT ind.id, u.id, date(%(start)s, '+' || m.i || ' months'),
  ROUND((10 + (ind.id * 7 + u.id * 13) %% 90) * (1 + ((%(first_month)s - 1 + m.i) / 12) * 0.04)
        * ((%(first_month)s - 1 + m.i) %% 12 + 1) * (0.9 + ((ind.id + u.id + m.i) %% 7) * 0.03), 4),
  0, NULL, 0,
  CASE WHEN ind.price_basis = 'comparable' THEN ROUND(3 + ((ind.id + u.id + m.i) %% 9), 2) END,
  0, %(now)s
FROM indicators_indicator ind CROSS JOIN core_orgunit u CROSS JOIN m
WHERE ind.department_id = %(department)s AND u.code LIKE 'bench-%%'
ORDER BY ind.id, u.id, m.i
"""

_POSTGRES = """
INSERT INTO indicators_observation
  (indicator_id, org_unit_id, period, ytd_value, ytd_derived, period_value, period_derived, growth, revision, approved_at)
SELECT ind.id, u.id, (%(start)s::date + make_interval(months => m.i))::date,
  ROUND(((10 + (ind.id * 7 + u.id * 13) %% 90) * (1 + ((%(first_month)s - 1 + m.i) / 12) * 0.04)
        * ((%(first_month)s - 1 + m.i) %% 12 + 1) * (0.9 + ((ind.id + u.id + m.i) %% 7) * 0.03))::numeric, 4),
  false, NULL, false,
  CASE WHEN ind.price_basis = 'comparable' THEN ROUND((3 + ((ind.id + u.id + m.i) %% 9))::numeric, 2) END,
  0, %(now)s
FROM indicators_indicator ind CROSS JOIN core_orgunit u CROSS JOIN generate_series(0, %(months)s - 1) AS m(i)
WHERE ind.department_id = %(department)s AND u.code LIKE 'bench-%%'
ORDER BY ind.id, u.id, m.i
"""


def _generate(months: int) -> None:
    start = first_period(months)
    params: dict[str, Any] = {
        "months": months,
        "start": start.isoformat(),
        "first_month": start.month,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "department": Department.objects.get(code=DEPARTMENT).pk,
    }
    sql = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# The same numbers as selectors.overview, in one hand-written query: value, last year's value,
# reported growth, target value and growth, and the three-year seasonal shares.
REFERENCE_SQL = """
SELECT ind.id,
  o.ytd_value, o.period_value, o.growth, ly.ytd_value,
  t.value, t.growth,
  (SELECT SUM(s.ytd_value) FROM indicators_observation s
     WHERE s.indicator_id = ind.id AND s.org_unit_id = %(unit)s AND s.period IN (%(s1)s, %(s2)s, %(s3)s)
     HAVING COUNT(*) = 3),
  (SELECT SUM(d.ytd_value) FROM indicators_observation d
     WHERE d.indicator_id = ind.id AND d.org_unit_id = %(unit)s AND d.period IN (%(d1)s, %(d2)s, %(d3)s)
     HAVING COUNT(*) = 3)
FROM indicators_indicator ind
LEFT JOIN indicators_observation o ON o.indicator_id = ind.id AND o.org_unit_id = %(unit)s AND o.period = %(p)s
LEFT JOIN indicators_observation ly ON ly.indicator_id = ind.id AND ly.org_unit_id = %(unit)s AND ly.period = %(ly)s
LEFT JOIN indicators_target t ON t.indicator_id = ind.id AND t.org_unit_id = %(unit)s AND t.year = %(year)s
WHERE ind.is_active AND ind.department_id = %(department)s
ORDER BY ind.sort_order, ind.id
"""


def reference(unit: OrgUnit, period: dt.date) -> list[dict[str, Any]]:
    """Run the hand-written query and finish each row with the same arithmetic as the page."""
    y, m = period.year, period.month
    params: dict[str, Any] = {
        "unit": unit.pk,
        "p": period,
        "ly": dt.date(y - 1, m, 1),
        "year": y,
        "department": Department.objects.get(code=DEPARTMENT).pk,
        **{f"s{k}": dt.date(y - k, m, 1) for k in (1, 2, 3)},
        **{f"d{k}": dt.date(y - k, 12, 1) for k in (1, 2, 3)},
    }
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL, params)
        rows = cursor.fetchall()
    out = []
    for _id, ytd, _single, reported, last, target, _target_growth, part, whole in rows:
        ytd, last, target = (None if v is None else Decimal(str(v)) for v in (ytd, last, target))
        # Rounded half up, as the overview rounds.
        completion = None if not target or ytd is None else rounded(ytd / target * 100, 1)
        progress = None
        if completion is not None:
            if part is not None and whole:
                progress = rounded(Decimal(str(part)) / Decimal(str(whole)) * 100, 1)
            else:
                progress = rounded(Decimal(m) / 12 * 100, 1)
        out.append({"value": ytd, "completion": completion, "time_progress": progress, "reported": reported})
    return out


def timed_after_change(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Like ``timed``, but each run follows a data change, so nothing comes from the cache."""
    durations = []
    for _ in range(repeat):
        DataVersion.objects.filter(pk=1).update(token=uuid.uuid4().hex)
        started = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[min(len(durations) - 1, int(len(durations) * 0.95))]


def write_import_file(path: Path, *, periods: list[dt.date]) -> int:
    """A statistics workbook with 地区 and 期间 columns: every bench indicator × unit × period, each
    value 5 % above the same month of the last year on file, as a real month mostly is."""
    table: list[list[Any]] = [["指标名称", "计量单位", "地区", "期间", "本月", "累计", "同比增长%"]]
    indicators = dict(Indicator.objects.filter(department__code=DEPARTMENT).values_list("pk", "name"))
    units = dict(OrgUnit.objects.filter(code__startswith="bench-").values_list("pk", "name"))
    units_of = dict(Indicator.objects.filter(department__code=DEPARTMENT).values_list("pk", "unit"))
    for period in periods:
        base = dt.date(LAST_PERIOD.year, period.month, 1)
        history = {
            (i, u): v
            for i, u, v in Observation.objects.filter(
                indicator__department__code=DEPARTMENT, period=base
            ).values_list("indicator_id", "org_unit_id", "ytd_value")
        }
        for indicator_id, name in indicators.items():
            for unit_id, place in units.items():
                value = round(float(history.get((indicator_id, unit_id)) or 100) * 1.05, 1)
                table.append([name, units_of[indicator_id], place, f"{period:%Y-%m}", "", value, "5.0%"])
    write_shared_strings_xlsx(path, table)
    return len(table) - 1
