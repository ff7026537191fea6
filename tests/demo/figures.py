"""The figure register's consistency, walked month by month on a loaded demo zone: shared by the
test on today's demo and the tests that build it on other days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from xinqu.core.feeds import feed
from xinqu.core.models import OrgUnit, User
from xinqu.core.numbers import json_number, rounded
from xinqu.core.periods import last_finished_month, month_end
from xinqu.indicators.selectors import overview
from xinqu.plans import selectors as plan_selectors
from xinqu.plans.models import Plan
from xinqu.projects import selectors as project_selectors
from xinqu.service_requests import metrics

# The fed figures, and the plan KPI that reads each (None: no KPI reads it).
FED = {
    "high_tech_enterprises": "4.4",
    "projects_started": "2.1",
    "projects_landed": None,
    "industrial_project_share": None,
    "service_satisfaction": "7.2",
    "service_on_time": "7.3",
}


def figures_agree_every_month(client: Any, leader: User, zone: OrgUnit, today: dt.date | None = None) -> int:
    """For every month from January 2024 to last month: the overview, the feed, the API, the plan
    KPI and the source module's own statistics show one value. Returns the months checked."""
    last = last_finished_month(today)
    day, checked = dt.date(2024, 1, 1), 0
    plans = {p.year: p for p in Plan.objects.all()}
    while day <= last:
        year, month = day.year, day.month
        rows = {r.indicator.code: r for r in overview(user=leader, unit=zone, period=day)}
        statuses = {s.node.code: s for s in plan_selectors.tree(plans[year], month)}
        answer = client.get(f"/api/v1/indicators-overview?period={year}-{month:02d}")
        assert answer.status_code == 200, (day, answer.status_code)
        api = {r["indicator"]: r for r in answer.json()["rows"]}
        for code, kpi in FED.items():
            row = rows[code]
            source = feed(row.indicator.feed).compute(year, month_end(day)).value
            assert row.value == source, (code, day)
            assert api[code]["ytd_value"] == json_number(source, row.indicator.decimals), (code, day)
            if kpi:
                assert statuses[kpi].value == source, (kpi, day)
                assert statuses[kpi].target == row.target_value, (kpi, day)
        # The source modules' own pages, as of the same month's end.
        stats = project_selectors.statistics(year, "kind", min_total=Decimal(5000), as_of=month_end(day))
        assert rounded(rows["industrial_project_share"].value, 1) == stats.industrial_share, day
        assert rows["projects_started"].value == stats.started_or_resumed, day
        assert rows["projects_landed"].value == stats.landed, day
        total = metrics.metrics(year=year, by="month", through=month_end(day))["total"]
        assert rows["service_satisfaction"].value == total.rates["satisfaction"], day
        assert rows["service_on_time"].value == total.rates["on_time"], day
        checked += 1
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return checked
