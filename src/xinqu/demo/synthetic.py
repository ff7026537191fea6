"""The large synthetic zone for `xinqu bench`: the demo zone's structure with as many
enterprises as asked, from the same seeded generator the demo uses."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal

from xinqu.core.models import Department, OrgUnit, User
from xinqu.demo.generator import day_in, enterprises
from xinqu.demo.registry import _industry_tree
from xinqu.demo.zone import load_demo_zone
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    Visit,
    YearlyFigure,
)
from xinqu.enterprises.rules import add_months

SEED = 500


def build_zone(*, size: int, log: Callable[[str], None]) -> None:
    """Fill an empty registry with ``size`` enterprises, ~12% of them qualified, yearly figures for
    the above-scale ones and about one visit for every five enterprises."""
    started = time.perf_counter()
    load_demo_zone(skip={"enterprises"})
    _industry_tree()
    econ = Department.objects.get(code="econ")
    tech = Department.objects.get(code="tech")
    officer = User.objects.get(username="demo-econ-staff")
    parks = list(OrgUnit.objects.filter(kind="park").values_list("pk", "parent_id"))
    batch = 20_000
    for start in range(0, size, batch):
        count = min(batch, size - start)
        Enterprise.objects.bulk_create(
            enterprises(count=count, seed=SEED + start, department_id=econ.pk, parks=parks, start=start),
            batch_size=2000,
        )
        log(f"  enterprises {start + count:,}/{size:,}")
    rng = random.Random(SEED)
    kinds = list(QualificationKind.objects.all())
    nodes = list(IndustryNode.objects.filter(kind="node").values_list("pk", flat=True))
    ids = Enterprise.objects.order_by("pk").values_list("pk", "above_scale")
    quals: list[Qualification] = []
    figures: list[YearlyFigure] = []
    positions: list[ChainPosition] = []
    visits: list[Visit] = []

    def flush() -> None:
        Qualification.objects.bulk_create(quals, batch_size=2000, ignore_conflicts=True)
        YearlyFigure.objects.bulk_create(figures, batch_size=2000)
        ChainPosition.objects.bulk_create(positions, batch_size=2000, ignore_conflicts=True)
        Visit.objects.bulk_create(visits, batch_size=2000)
        for items in (quals, figures, positions, visits):
            items.clear()

    for index, (pk, above) in enumerate(ids.iterator(chunk_size=5000)):
        if rng.random() < 0.12:
            kind = rng.choice(kinds)
            granted = day_in(rng, rng.choice([2019, 2020, 2021, 2022, 2023, 2024, 2025]))
            quals.append(
                Qualification(
                    enterprise_id=pk,
                    kind=kind,
                    granted_on=granted,
                    expires_on=add_months(granted, kind.validity_months) - dt.timedelta(days=1)
                    if kind.validity_months
                    else None,
                    department_id=tech.pk,
                )
            )
        if above:
            base = Decimal(10 ** rng.uniform(3.3, 5.3)).quantize(Decimal("0.01"))
            figures.extend(
                YearlyFigure(enterprise_id=pk, year=y, revenue=base * (1 + Decimal(y - 2022) / 10))
                for y in (2022, 2023, 2024)
            )
        if rng.random() < 0.02:
            positions.append(ChainPosition(enterprise_id=pk, node_id=rng.choice(nodes)))
        if rng.random() < 0.2:
            visits.append(
                Visit(
                    enterprise_id=pk,
                    department=econ,
                    visited_on=day_in(rng, rng.choice([2024, 2025])),
                    kind=rng.choice(Visit.Kind.values),
                    purpose="走访",
                    recorded_by=officer,
                )
            )
        if len(visits) >= 20_000:
            flush()
            log(f"  related rows for {index + 1:,} enterprises")
    flush()
    # What autovacuum would do in a running zone: fresh statistics for the planner (and, on
    # PostgreSQL, a visibility map that lets counts use index-only scans).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"  built in {time.perf_counter() - started:.0f} s")
