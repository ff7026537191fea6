"""Every list page, dashboard, export and API list reads a fixed number of queries, however many
rows it shows: an N+1 fails here. Each URL is read with a few records of every kind, then with
three times as many; the second read must issue exactly the queries of the first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from xinqu.core.models import Department
from xinqu.core.roles import Role

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

    def add(n: int) -> None:
        for _ in range(n):
            firm = factories.enterprise(econ)
            factories.qualification(firm)
            factories.visit(firm, econ_staff)
            factories.place(firm)
            factories.work_update(econ_staff)
            factories.service_request(clerk, econ)
            factories.hazard(inspector, firm)
            factories.project(econ, area, enterprise=firm)
        import datetime as dt

        factories.submission(econ_staff, dt.date(2026, next(months), 1))

    return add


@pytest.mark.parametrize("url", PAGES)
def test_the_query_count_does_not_grow_with_the_rows(as_user, leader, grow, url):
    client = as_user(leader)
    grow(2)
    client.get(url)  # warm what is cached once per process (calendar, content types)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200, url
    grow(4)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), (
        url,
        [q["sql"][:120] for q in many.captured_queries[len(few.captured_queries) :]],
    )
