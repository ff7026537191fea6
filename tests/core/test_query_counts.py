"""Every list page, dashboard, export and API list reads a fixed number of queries, however many
rows it shows: an N+1 fails here. Each URL is read with a few records of every kind, then with
three times as many; the second read must issue exactly the queries of the first."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from xinqu.core.models import Department, OrgUnit
from xinqu.core.roles import Role
from xinqu.indicators.models import DataVersion, Indicator, Observation, PeerFigure, PeerZone
from xinqu.plans.models import Node, Plan

pytestmark = pytest.mark.django_db

PAGES = [
    "/updates/",
    "/enterprises/",
    "/enterprises/export.xlsx",
    "/enterprises/visits/?year=2026",
    "/enterprises/statistics/",
    "/service-requests/?state=all",
    "/service-requests/metrics/?year=2026",
    "/service-requests/metrics/?year=2026&format=xlsx",
    "/safety/?state=all",
    "/projects/",
    "/projects/?format=xlsx",
    "/projects/statistics/",
    "/projects/meeting/",
    "/indicators/returns/",
    "/indicators/catalog/",
    "/indicators/catalog/?format=xlsx",
    "/api/v1/work-updates",
    "/api/v1/enterprises",
    "/api/v1/visits",
    "/api/v1/service-requests?state=all",
    "/api/v1/hazards",
    "/api/v1/projects",
    "/api/v1/indicator-returns",
    "/open311/v2/requests.json",
    "/enterprises/expiring/",
    "/api/v1/qualifications/expiring",
    "/projects/timeline/",
    "/projects/reports.xlsx?month=2026-03",
    "/indicators/",
    "/indicators/?format=xlsx",
    "/api/v1/indicators-overview?unit=zone&period=2026-02",
    "/api/v1/indicators",
    "/api/v1/projects-meeting",
    "/notifications/",
    "/cockpit/",  # a leader's home
    "/plans/2026/?month=3",
    "/plans/2026/scores/?month=3",
    "/api/v1/plans/2026/tree?month=3",
    "/indicators/output/?unit=AREA&period=2026-03",
    "/indicators/output/?unit=AREA&period=2026-03&format=xlsx",
    "/indicators/output/peers/?year=2025",
]


@pytest.fixture
def grow(econ, econ_staff, econ_head, zone, make_user):
    """Adds ``n`` records of every kind each time it is called."""
    centre = Department.objects.create(code="business-env", name="营商环境建设局")
    clerk = make_user("clerk", Role.STAFF, centre)
    safety_department = Department.objects.create(code="safety", name="应急管理局")
    inspector = make_user("inspector", Role.STAFF, safety_department)
    area = zone.children.get()
    months = iter(range(1, 13))
    plan = Plan.objects.create(year=2026, title="2026 年计划")
    strategy = Node.objects.create(plan=plan, kind=Node.Kind.STRATEGY, code="1", title="总策略")
    output = Indicator.objects.create(code="output", name="产值", unit="亿元", department=econ)
    counter = iter(range(1, 1000))

    def add(n: int) -> None:
        for _ in range(n):
            k = next(counter)
            measure = Node.objects.create(
                plan=plan, parent=strategy, kind=Node.Kind.MEASURE, code=f"1.{k}", title=f"举措{k}",
                lead_department=econ,
            )  # fmt: skip
            Node.objects.create(
                plan=plan, parent=measure, kind=Node.Kind.KPI, code=f"1.{k}.1", title=f"指标{k}",
                lead_department=econ, target_value=100, unit="个",
            )  # fmt: skip
            park = OrgUnit.objects.create(
                kind=OrgUnit.Kind.PARK, parent=area, code=f"park-{k}", name=f"园区{k}"
            )
            Observation.objects.create(
                indicator=output,
                org_unit=park,
                period=dt.date(2026, 3, 1),
                ytd_value=k,
                approved_at=timezone.now(),
            )
            peer = PeerZone.objects.create(name=f"新区{k}")
            PeerFigure.objects.create(peer=peer, indicator=output, year=2025, value=k, growth=5)
            firm = factories.enterprise(econ)
            factories.qualification(firm)
            factories.visit(firm, econ_staff)
            factories.place(firm)
            factories.work_update(econ_staff)
            factories.service_request(clerk, econ)
            factories.hazard(inspector, firm)
            factories.project(econ, area, enterprise=firm)
        factories.submission(econ_staff, dt.date(2026, next(months), 1))

    return add


def _stale() -> None:
    """Both reads compute: a new data version, so no cached indicator page answers either."""
    DataVersion.objects.update(token=uuid.uuid4().hex)


@pytest.mark.parametrize("url", PAGES)
def test_the_query_count_does_not_grow_with_the_rows(as_user, leader, grow, url, zone):
    client = as_user(leader)
    url = url.replace("AREA", str(zone.children.get().pk))
    grow(2)
    client.get(url)  # warm what is cached once per process (calendar, content types)
    _stale()
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200, url
    grow(4)
    _stale()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), (
        url,
        [q["sql"][:120] for q in many.captured_queries[len(few.captured_queries) :]],
    )
