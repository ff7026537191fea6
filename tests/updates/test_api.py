from __future__ import annotations

import json

import pytest

from xinqu.core.services import api_token_issue
from xinqu.updates.models import WorkUpdate

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(actor=None, user=user)}"}


def test_api_hides_other_departments_confidential_update(client, econ_staff, invest_staff, make_update):
    secret = make_update(invest_staff, status="approved", confidential=True)
    public = make_update(invest_staff, status="approved", title="公开")
    headers = bearer(econ_staff)
    assert client.get(f"/api/v1/work-updates/{secret.pk}", **headers).status_code == 404
    listed = client.get("/api/v1/work-updates", **headers).json()
    assert [item["id"] for item in listed["items"]] == [public.pk]


def test_api_create_submit_approve(client, econ_staff, econ_head):
    response = client.post(
        "/api/v1/work-updates",
        data=json.dumps({"title": "API 填报", "body": "正文", "happened_on": "2024-05-01"}),
        content_type="application/json",
        **bearer(econ_staff),
    )
    assert response.status_code == 201, response.content
    update_id = response.json()["id"]
    assert (
        client.post(f"/api/v1/work-updates/{update_id}/submit", **bearer(econ_staff)).json()["status"]
        == "submitted"
    )
    denied = client.post(
        f"/api/v1/work-updates/{update_id}/approve",
        data="{}",
        content_type="application/json",
        **bearer(econ_staff),
    )
    assert denied.status_code == 403
    assert "部门负责人" in denied.json()["detail"]
    approved = client.post(
        f"/api/v1/work-updates/{update_id}/approve",
        data="{}",
        content_type="application/json",
        **bearer(econ_head),
    )
    assert approved.json()["status"] == "approved"


def test_api_refuses_editing_other_departments_update(client, econ_staff, invest_staff, make_update):
    update = make_update(invest_staff, status="approved", title="原标题")
    response = client.patch(
        f"/api/v1/work-updates/{update.pk}",
        data=json.dumps({"title": "改"}),
        content_type="application/json",
        **bearer(econ_staff),
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.title == "原标题"


def test_api_bad_input_is_422_and_writes_nothing(client, econ_staff):
    response = client.post(
        "/api/v1/work-updates",
        data=json.dumps({"title": "", "body": "正文", "happened_on": "not a date"}),
        content_type="application/json",
        **bearer(econ_staff),
    )
    assert response.status_code == 422
    assert not WorkUpdate.objects.exists()


def test_api_forbidden_transition_is_422(client, econ_staff, make_update):
    update = make_update(econ_staff, status="approved")
    response = client.post(f"/api/v1/work-updates/{update.pk}/submit", **bearer(econ_staff))
    assert response.status_code == 422
    assert "已发布" in json.dumps(response.json(), ensure_ascii=False)
