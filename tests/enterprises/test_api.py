from __future__ import annotations

import json

import pytest

from tests.enterprises.conftest import row, xlsx
from xinqu.core.services import api_token_issue
from xinqu.enterprises.models import Enterprise, Visit, VisitRule

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(actor=None, user=user)}"}


def post(client, url, data, user):
    return client.post(url, data=json.dumps(data), content_type="application/json", **auth(user))


def test_create_read_update_and_list(client, econ_staff, parks, codes):
    code = codes(1)[0]
    created = post(
        client,
        "/api/v1/enterprises",
        {"credit_code": code, "name": "API 企业", "park_id": parks["optics"].pk},
        econ_staff,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["area_id"], body["park_id"]) == (parks["gaoxin"].pk, parks["optics"].pk)
    patched = client.patch(
        f"/api/v1/enterprises/{body['id']}",
        data=json.dumps({"name": "API 企业（更名）"}),
        content_type="application/json",
        **auth(econ_staff),
    )
    assert patched.json()["name"] == "API 企业（更名）"
    listed = client.get("/api/v1/enterprises", {"q": "更名"}, **auth(econ_staff)).json()
    assert [e["credit_code"] for e in listed["items"]] == [code]


def test_bad_code_is_422_with_the_reason(client, econ_staff):
    response = post(
        client, "/api/v1/enterprises", {"credit_code": "91350100M000100Y44", "name": "错"}, econ_staff
    )
    assert response.status_code == 422
    assert "第 18 位应为“3”" in json.dumps(response.json(), ensure_ascii=False)
    assert not Enterprise.objects.exists()


def test_other_department_cannot_patch_and_confidential_is_404(client, make_enterprise, invest_staff):
    open_one = make_enterprise(name="公开企业")
    secret = make_enterprise(name="保密企业", confidential=True)
    response = client.patch(
        f"/api/v1/enterprises/{open_one.pk}",
        data=json.dumps({"name": "改"}),
        content_type="application/json",
        **auth(invest_staff),
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/enterprises/{secret.pk}", **auth(invest_staff)).status_code == 404
    assert client.get("/api/v1/enterprises", **auth(invest_staff)).json()["count"] == 1


def test_qualifications_and_visits(client, econ_staff, make_enterprise):
    VisitRule.objects.create(max_inspections_per_year=1)
    enterprise = make_enterprise()
    q = post(
        client,
        f"/api/v1/enterprises/{enterprise.pk}/qualifications",
        {"kind": "high_tech", "granted_on": "2023-11-06"},
        econ_staff,
    )
    assert q.status_code == 201 and q.json()["expires_on"] == "2026-11-05"
    assert (
        post(
            client,
            f"/api/v1/enterprises/{enterprise.pk}/qualifications",
            {"kind": "nope", "granted_on": "2023-11-06"},
            econ_staff,
        ).status_code
        == 422
    )
    first = post(
        client,
        f"/api/v1/enterprises/{enterprise.pk}/visits",
        {"visited_on": "2024-03-01", "kind": "inspection", "purpose": "检查"},
        econ_staff,
    )
    assert first.status_code == 201
    second = post(
        client,
        f"/api/v1/enterprises/{enterprise.pk}/visits",
        {"visited_on": "2024-04-01", "kind": "inspection", "purpose": "复查"},
        econ_staff,
    )
    assert second.status_code == 422 and "达到上限" in json.dumps(second.json(), ensure_ascii=False)
    assert Visit.objects.count() == 1
    assert client.get("/api/v1/visits", {"year": 2024}, **auth(econ_staff)).json()["count"] == 1


def test_import_endpoint_dry_run_and_commit(client, econ_staff, parks, codes):
    a, b = codes(2)
    data = xlsx([row(a, "甲"), row(b, "乙")]).getvalue()
    from django.core.files.uploadedfile import SimpleUploadedFile

    dry = client.post(
        "/api/v1/enterprises-import",
        {"file": SimpleUploadedFile("x.xlsx", data), "kind": "enterprises"},
        **auth(econ_staff),
    )
    assert dry.status_code == 200 and dry.json()["created"] == 2
    assert not Enterprise.objects.exists()
    done = client.post(
        "/api/v1/enterprises-import",
        {"file": SimpleUploadedFile("x.xlsx", data), "kind": "enterprises", "dry_run": "false"},
        **auth(econ_staff),
    )
    assert done.json()["created"] == 2 and Enterprise.objects.count() == 2
    bad = client.post(
        "/api/v1/enterprises-import", {"file": SimpleUploadedFile("x.xlsx", b"not a zip")}, **auth(econ_staff)
    )
    assert bad.status_code == 422 and "不是 .xlsx" in bad.json()["fatal"]


def test_statistics_endpoint(client, econ_staff, make_enterprise, leader):
    make_enterprise()
    body = client.get("/api/v1/enterprises-statistics", {"by": "area"}, **auth(leader)).json()
    assert body["dimension"] == "area" and {g["code"] for g in body["groups"]} >= {"high_tech", "srdi"}


def test_admins_get_nothing_from_the_registry_api(client, sysadmin, make_enterprise):
    make_enterprise()
    assert client.get("/api/v1/enterprises", **auth(sysadmin)).status_code == 403
