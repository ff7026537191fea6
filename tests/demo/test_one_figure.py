"""One figure, one source, walked on the demo: every plan KPI that reads an indicator shows, for
every month of 2024, the value and the target the indicator overview shows, on the page and in
the API; and its target is held once, on the indicator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.demo.figures import figures_agree_every_month
from xinqu.core.feeds import feed
from xinqu.core.models import OrgUnit, User
from xinqu.core.numbers import json_number, places_for, rounded
from xinqu.indicators.selectors import overview
from xinqu.plans import selectors as plan_selectors
from xinqu.plans.models import Node, Plan
from xinqu.service_requests import metrics


def test_plan_kpis_read_their_indicator_value_and_target_every_month(demo, client):
    leader = User.objects.get(username="demo-leader")
    zone = OrgUnit.objects.get(kind="zone")
    plan = Plan.objects.get(year=2024)
    fed = [n for n in plan.nodes.filter(kind=Node.Kind.KPI).exclude(source="") if feed(n.source).holds_target]
    assert {n.code for n in fed} >= {"1.1", "6.1"}
    client.force_login(leader)
    for node in fed:
        assert node.target_value is None  # held once, on the indicator
    for month in range(1, 13):
        rows = {r.indicator.code: r for r in overview(user=leader, unit=zone, period=dt.date(2024, month, 1))}
        statuses = {s.node.code: s for s in plan_selectors.tree(plan, month)}
        api = {n["code"]: n for n in client.get(f"/api/v1/plans/2024/tree?month={month}").json()}
        for node in fed:
            _prefix, code, measure = node.source.split(".")
            row, status = rows[code], statuses[node.code]
            shown = row.value if measure == "value" else row.growth
            target = row.target_value if measure == "value" else row.target_growth
            places = places_for(node.unit)
            got = None if status.value is None else rounded(status.value, places)
            want = None if shown is None else rounded(shown, places)
            assert got == want, (node.code, month, status.value, shown)
            assert status.target == target, (node.code, month)
            assert api[node.code]["target_value"] == (None if target is None else float(target))
    # The demo's 2024 targets as the indicators hold them: GDP growth 7.5, 外资 a value.
    statuses = {s.node.code: s for s in plan_selectors.tree(plan, 12)}
    assert statuses["1.1"].target == Decimal("7.5")
    assert statuses["6.1"].target is not None and statuses["6.1"].target_fed


def test_service_request_kpis_equal_the_metrics_page(demo, client):
    plan = Plan.objects.get(year=2024)
    client.force_login(User.objects.get(username="demo-leader"))
    for month in (3, 6, 12):
        statuses = {s.node.code: s for s in plan_selectors.tree(plan, month)}
        through = dt.date(2024, month, 28)
        total = metrics.metrics(year=2024, by="month", through=through)["total"]
        assert statuses["7.2"].value == total.rates["satisfaction"]
        assert statuses["7.3"].value == total.rates["on_time"]
        body = client.get(f"/api/v1/service-requests/metrics?year=2024&by=month&through={through}").json()
        assert body["total"]["rates"]["satisfaction"] == json_number(total.rates["satisfaction"])


def test_fed_figures_have_one_value_on_every_page_every_month(demo, client):
    """高企 (registry), 开复工, 落地 and 产业项目占比 (ledger), 满意率 and 按时办结率 (service
    requests): the indicator overview, the module's own feed and statistics page, the plan KPI
    that reads the figure and the API agree for every month from January 2024 to last month."""
    leader = User.objects.get(username="demo-leader")
    zone = OrgUnit.objects.get(kind="zone")
    client.force_login(leader)
    checked = figures_agree_every_month(client, leader, zone)
    assert checked >= 12
    rows = {r.indicator.code: r for r in overview(user=leader, unit=zone, period=dt.date(2023, 12, 1))}
    assert (
        rows["high_tech_enterprises"].value,
        rows["projects_started"].value,
        rows["projects_landed"].value,
        rounded(rows["industrial_project_share"].value, 1),
    ) == (845, 147, 128, Decimal("76.3"))


def test_the_cockpit_shows_each_figure_as_its_module_does(demo, client):
    """Every number on the leaders' cockpit is the register's (or the indicator overview's) for
    the current reporting period; an area's headline figures are the overview's for that area."""
    from xinqu.core.periods import month_end, reporting_period

    leader = User.objects.get(username="demo-leader")
    client.force_login(leader)
    assert client.get("/")["Location"] == "/cockpit/"
    current = reporting_period()
    for unit in OrgUnit.objects.filter(kind__in=["zone", "area"]):
        answer = client.get(f"/api/v1/cockpit?unit={unit.code}").json()
        assert answer["period"] == f"{current.month:%Y-%m}"
        rows = {r.indicator.code: r for r in overview(user=leader, unit=unit, period=current.month)}
        checked = 0
        for tile in answer["tiles"]:
            for figure in tile["figures"]:
                key = figure["key"]
                if not key:
                    continue
                if key.startswith("indicator."):
                    row = rows[key.split(".")[1]]
                    want = json_number(row.value, row.indicator.decimals)
                    assert figure["light"] == (row.light or None), key
                else:
                    found = feed(key)
                    want = json_number(
                        found.compute(current.month.year, month_end(current.month)).value,
                        places_for(found.unit),
                    )
                assert figure["value"] == want, (unit.code, key)
                checked += 1
        assert checked >= (20 if unit.kind == "zone" else 5), unit.code
    page = client.get("/cockpit/").content.decode()
    assert current.label in page and 'data-tile="plans"' in page
