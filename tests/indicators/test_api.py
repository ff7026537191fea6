from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinqu.indicators.models import Observation, Submission, SubmissionValue, Target

D = Decimal


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_catalog_and_overview(db, units, output, as_user, leader, econ_head, observe):
    observe(output, units["zone"], dt.date(2024, 5, 1), 380)
    Target.objects.create(
        indicator=output, org_unit=units["zone"], year=2024, value=1000, updated_by=econ_head
    )
    client = as_user(leader)
    catalog = client.get("/api/v1/indicators").json()
    assert catalog[0]["code"] == "industrial_output" and "黄灯" in catalog[0]["light_rule"]
    body = client.get("/api/v1/indicators-overview?period=2024-05").json()
    row = body["rows"][0]
    assert (row["ytd_value"], row["completion"], row["time_progress"], row["light"]) == (
        380,
        38,
        41.7,
        "yellow",
    )
    breakdown = client.get("/api/v1/indicators/industrial_output/breakdown?period=2024-05").json()
    assert breakdown["total"]["org_unit"] == "zone"


def test_bulk_upsert_submit_and_approve(db, units, output, as_user, econ_staff, econ_head):
    items = [
        {
            "indicator": "industrial_output",
            "org_unit": "zone",
            "period": "2024-03",
            "ytd_value": "1,234.5亿元",
        },
        {
            "indicator": "规上工业总产值",
            "org_unit": "gaoxin",
            "period": "2024-03",
            "ytd_value": 700,
            "growth": "7.2%",
        },
    ]
    response = _post(as_user(econ_staff), "/api/v1/indicator-observations", {"items": items, "submit": True})
    assert response.status_code == 200, response.content
    [ret] = response.json()
    assert ret["status"] == "submitted" and ret["values"] == 2
    assert not Observation.objects.exists()
    approved = _post(as_user(econ_head), f"/api/v1/indicator-returns/{ret['id']}/approve", {})
    assert approved.json()["status"] == "approved"
    assert Observation.objects.get(org_unit=units["zone"]).ytd_value == D("1234.5")


def test_one_bad_item_refuses_all_with_its_position(db, units, output, as_user, econ_staff):
    items = [
        {"indicator": "industrial_output", "org_unit": "zone", "period": "2024-03", "ytd_value": 1},
        {"indicator": "industrial_output", "org_unit": "zone", "period": "2024-04", "ytd_value": "1,23"},
        {"indicator": "nope", "org_unit": "zone", "period": "2024-04", "ytd_value": 1},
        {"indicator": "industrial_output", "org_unit": "zone", "period": "2999-04", "ytd_value": 1},
    ]
    response = _post(as_user(econ_staff), "/api/v1/indicator-observations", {"items": items})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"items[1]", "items[2]", "items[3]"}
    assert not Submission.objects.exists() and not SubmissionValue.objects.exists()


def test_submitting_with_unconfirmed_warnings_is_refused(db, units, output, as_user, econ_staff, observe):
    observe(output, units["zone"], dt.date(2024, 2, 1), 300)
    items = [{"indicator": "industrial_output", "org_unit": "zone", "period": "2024-03", "ytd_value": 200}]
    response = _post(as_user(econ_staff), "/api/v1/indicator-observations", {"items": items, "submit": True})
    assert response.status_code == 422
    assert not Submission.objects.exists()  # the whole call rolled back
    response = _post(
        as_user(econ_staff),
        "/api/v1/indicator-observations",
        {"items": items, "submit": True, "confirm_warnings": True},
    )
    assert response.json()[0]["warnings"][0]["messages"][0].startswith("累计值")


def test_other_departments_and_admins_are_refused(
    db, units, output, as_user, invest_staff, sysadmin, econ_staff
):
    items = [{"indicator": "industrial_output", "org_unit": "zone", "period": "2024-03", "ytd_value": 1}]
    assert _post(as_user(invest_staff), "/api/v1/indicator-observations", {"items": items}).status_code == 422
    assert as_user(sysadmin).get("/api/v1/indicators").status_code == 403
    _post(as_user(econ_staff), "/api/v1/indicator-observations", {"items": items})
    submission = Submission.objects.get()
    assert (
        _post(as_user(invest_staff), f"/api/v1/indicator-returns/{submission.pk}/submit", {}).status_code
        == 404
    )


def test_targets_are_set_all_or_none(db, units, output, gdp, as_user, econ_staff, invest_staff):
    good = {"indicator": "industrial_output", "org_unit": "zone", "value": "1,000", "phasing": []}
    bad = {"indicator": "gdp", "org_unit": "optics", "growth": 7.5}  # GDP has no park targets
    response = as_user(econ_staff).put(
        "/api/v1/indicator-targets", {"year": 2024, "items": [good, bad]}, content_type="application/json"
    )
    assert response.status_code == 422 and not Target.objects.exists()
    response = as_user(econ_staff).put(
        "/api/v1/indicator-targets", {"year": 2024, "items": [good]}, content_type="application/json"
    )
    assert response.status_code == 200 and Target.objects.get().value == D("1000")
    refused = as_user(invest_staff).put(
        "/api/v1/indicator-targets",
        {"year": 2024, "items": [good | {"value": 5}]},
        content_type="application/json",
    )
    assert refused.status_code == 403 and Target.objects.get().value == D("1000")
