from __future__ import annotations

import pytest
from django.core.management import call_command

from xinqu.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_whoami_with_a_bearer_token(client, econ_staff, capsys):
    call_command("api_token", "econ-staff")
    token = capsys.readouterr().out.strip()
    assert token.startswith("xq_")
    assert not ApiToken.objects.filter(digest=token).exists()  # only the digest is stored
    body = client.get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["username"] == "econ-staff"
    assert body["department"]["name"] == "经济发展局"


def test_whoami_with_a_session(as_user, leader):
    assert as_user(leader).get("/api/v1/whoami").json()["role"] == "leader"


def test_unauthenticated_and_wrong_token_are_refused(client, econ_staff):
    assert client.get("/api/v1/whoami").status_code == 401
    assert client.get("/api/v1/whoami", HTTP_AUTHORIZATION="Bearer xq_wrong").status_code == 401


def test_token_of_deactivated_user_stops_working(client, econ_staff, capsys):
    call_command("api_token", "econ-staff")
    token = capsys.readouterr().out.strip()
    econ_staff.is_active = False
    econ_staff.save()
    assert client.get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_org_units_departments_and_users(as_user, zone, econ_staff, invest_staff):
    client = as_user(econ_staff)
    units = client.get("/api/v1/org-units").json()
    assert [u["name"] for u in units["items"]] == ["长春新区", "高新区", "长智光谷"]
    parks = client.get("/api/v1/org-units", {"kind": "park"}).json()
    assert parks["count"] == 1
    assert client.get(f"/api/v1/org-units/{zone.pk}").json()["kind"] == "zone"
    departments = client.get("/api/v1/departments").json()
    assert {d["code"] for d in departments["items"]} == {"econ", "invest"}
    users = client.get("/api/v1/users").json()
    assert {u["username"] for u in users["items"]} == {"econ-staff", "invest-staff"}
    assert client.get("/api/v1/org-units/99999").status_code == 404


def test_openapi_document_and_docs_are_served(as_user, econ_staff):
    client = as_user(econ_staff)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/whoami" in schema["paths"]
    assert "/api/v1/work-updates/{update_id}" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs  # served by us, not a CDN
