"""The pages, the plan feed and the API keep the services' rules."""

from __future__ import annotations

from decimal import Decimal

from tests.projects.helpers import THIS_MONTH, TODAY, _months_ago, _started
from xinqu.projects import services
from xinqu.projects.models import (
    MonthlyReport,
    Project,
    ProjectYear,
)


def test_pages_and_the_plan_feed(clerk, places, econ_staff, as_user, sysadmin):
    from xinqu.plans.feeds import feed

    big = _started(clerk, places, code="BIG", total=150_000, months_ago=0)
    ProjectYear.objects.create(project=big, year=TODAY.year, planned_investment=Decimal(1000))
    fed = feed("projects.started_1bn").compute(TODAY.year, TODAY)
    assert fed.value == 1 and fed.records[0].label.startswith("BIG")
    client = as_user(econ_staff)
    for url in (
        "/projects/",
        "/projects/statistics/",
        "/projects/meeting/",
        "/projects/timeline/",
        f"/projects/{big.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/projects/{big.pk}/edit/").status_code == 403
    services.project_save(actor=clerk, project=big, planned_signed_on=_months_ago(3))
    page = client.get(f"/projects/{big.pk}/").content.decode()
    assert 'id="stage-dates"' in page and f"{_months_ago(3):%Y-%m-%d}" in page and "晚于计划" in page
    assert as_user(sysadmin).get("/projects/").status_code == 403
    refused = as_user(clerk).post(
        f"/projects/{big.pk}/",
        {"form": "report", "month": f"{_months_ago(-1):%Y-%m}", "investment": "10", "workers": "5"},
    )
    assert refused.status_code == 200 and "未来月份" in refused.content.decode()
    saved = as_user(clerk).post(
        f"/projects/{big.pk}/",
        {"form": "report", "month": f"{THIS_MONTH:%Y-%m}", "investment": "10", "workers": "5"},
    )
    assert saved.status_code == 302 and MonthlyReport.objects.filter(project=big).count() == 1


def test_the_api_has_the_pages_rules(clerk, places, econ, econ_staff, as_user):
    api = as_user(clerk)
    body = {
        "name": "传感器产业园二期",
        "kind": "industrial",
        "area": "gaoxin",
        "park": "jixing",
        "total_investment": "1000",
    }
    wrong = api.put("/api/v1/projects/XM-API", body, content_type="application/json")
    assert wrong.status_code == 422 and "不属于高新区" in str(wrong.json()["errors"])
    made = api.put("/api/v1/projects/XM-API", body | {"park": "optics"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["size_band"] == "small"
    skipped = api.post(
        "/api/v1/projects/XM-API/stage",
        {"stage": "started", "on": str(TODAY)},
        content_type="application/json",
    )
    assert skipped.status_code == 422 and Project.objects.get(code="XM-API").stage == "planned"
    for stage in ("signed", "landed", "started"):
        moved = api.post(
            "/api/v1/projects/XM-API/stage",
            {"stage": stage, "on": str(_months_ago(1))},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.json()
    month = f"{_months_ago(1):%Y-%m}"
    over = api.put(
        f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1200"}, content_type="application/json"
    )
    assert over.status_code == 422 and not MonthlyReport.objects.exists()
    fine = api.put(
        f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1200", "confirm_over_total": True},
        content_type="application/json",
    )  # fmt: skip
    assert fine.status_code == 200 and fine.json()["reports"][0]["investment_total"] == "1200.00"
    other = as_user(econ_staff)
    assert (
        other.put(
            f"/api/v1/projects/XM-API/reports/{month}", {"investment": "1"}, content_type="application/json"
        ).status_code
        == 403
    )
    listed = other.get("/api/v1/projects?band=small").json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == "XM-API"
    stats = other.get(f"/api/v1/projects-statistics?year={_months_ago(1).year}&by=band&scope=all").json()
    assert stats["total"]["projects"] == 1
    opened = api.post(
        "/api/v1/projects/XM-API/problems",
        {"department": "econ", "description": "用地指标"},
        content_type="application/json",
    )
    assert opened.status_code == 201
    number, version = opened.json()["number"], opened.json()["version"]
    act = f"/api/v1/project-problems/{number}/actions/sign_for"
    assert other.post(act, {"version": version}, content_type="application/json").status_code == 200
    assert other.post(act, {"version": version}, content_type="application/json").status_code == 409
