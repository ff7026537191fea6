"""Open311 GeoReport v2: a civic-tech client files and follows a request."""

from __future__ import annotations

import pytest

from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.service_requests.models import Category, ServiceRequest


@pytest.fixture
def centre_clerk(db, make_user):
    return make_user(
        "centre", Role.STAFF, Department.objects.create(code="business-env", name="企业服务中心")
    )


def test_a_client_lists_services_files_and_follows(client, as_user, centre_clerk):
    services = client.get("/open311/v2/services.json").json()
    code = next(s["service_code"] for s in services if s["service_name"] == "融资")
    created = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": code,
            "description": "申请贷款贴息",
            "first_name": "王",
            "phone": "13900000000",
            "attribute[enterprise_name]": "某企业",
        },
    )
    assert created.status_code == 201
    number = created.json()[0]["service_request_id"]
    assert "/service/track/" in created.json()[0]["service_notice"]
    assert ServiceRequest.objects.get(item__number=number).channel == "public"
    assert client.get("/open311/v2/requests.json").status_code == 403  # listing needs a sign-in or token
    listed = as_user(centre_clerk).get("/open311/v2/requests.json?status=open").json()
    assert [r["service_request_id"] for r in listed] == [number]
    one = as_user(centre_clerk).get(f"/open311/v2/requests/{number}.json").json()[0]
    assert (one["status"], one["service_name"]) == ("open", "融资")


def test_bad_filings_are_refused_with_open311_errors(client, centre_clerk):
    unknown = client.post("/open311/v2/requests.json", {"service_code": "999", "description": "x"})
    assert unknown.status_code == 400 and unknown.json()[0]["code"] == 400
    code = Category.objects.first().pk
    empty = client.post(
        "/open311/v2/requests.json",
        {"service_code": code, "description": "", "first_name": "王", "phone": "13800000000"},
    )
    assert empty.status_code == 400 and "description" in empty.json()[0]["description"]
    assert not ServiceRequest.objects.exists()
