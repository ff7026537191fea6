"""Out-of-range parameters answer a clear 4xx (or the page's own message), never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/calendar/?year={y}",
    "/enterprises/statistics/?year={y}",
    "/enterprises/visits/?year={y}",
    "/projects/statistics/?year={y}",
    "/projects/meeting/?year={y}",
    "/service-requests/metrics/?year={y}",
    "/indicators/targets/?year={y}",
    "/plans/{y}/",
    "/indicators/gdp/peers/?year={y}",
]
API = [
    "/api/v1/calendar?year={y}",
    "/api/v1/enterprises-statistics?year={y}",
    "/api/v1/visits?year={y}",
    "/api/v1/projects-statistics?year={y}",
    "/api/v1/indicator-targets?year={y}",
    "/api/v1/indicators/gdp/peers?year={y}",
    "/api/v1/plans/{y}/tree",
    "/api/v1/plans/{y}/scores",
]
LISTS = ["/api/v1/service-requests", "/api/v1/projects", "/api/v1/work-updates"]


@pytest.mark.parametrize("year", [0, -1, 99999, 10**20])
@pytest.mark.parametrize("url", PAGES + API)
def test_an_impossible_year_is_refused_not_a_server_error(as_user, leader, url, year):
    response = as_user(leader).get(url.format(y=year))
    assert response.status_code in {200, 400, 404, 422}, (url, year, response.status_code)
    if response.status_code == 400:
        assert "年份须为 1990 至 2100 之间的整数" in response.content.decode()


@pytest.mark.parametrize("offset", [10**6, 10**19, 10**30])
@pytest.mark.parametrize("url", LISTS)
def test_a_huge_offset_is_refused_or_empty_not_a_server_error(as_user, econ_staff, url, offset):
    response = as_user(econ_staff).get(url, {"offset": offset})
    assert response.status_code in {200, 422}, (url, offset, response.status_code)


def test_the_expiring_qualifications_answer_their_list(as_user, econ_staff):
    response = as_user(econ_staff).get("/api/v1/qualifications/expiring")
    assert response.status_code == 200
    assert response.json()["items"] == []
