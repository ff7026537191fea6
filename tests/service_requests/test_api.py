from __future__ import annotations

import pytest

from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.service_requests.models import ServiceRequest

PAYLOAD = {
    "category": "融资",
    "enterprise_name": "长春某生物医药有限公司",
    "contact_name": "王总",
    "contact_phone": "13900000000",
    "description": "申请贷款贴息，材料已齐",
}


@pytest.fixture
def centre_clerk(db, make_user):
    return make_user(
        "centre", Role.STAFF, Department.objects.create(code="business-env", name="企业服务中心")
    )


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_file_act_and_conflict(as_user, centre_clerk, econ, econ_staff, sysadmin):
    centre = as_user(centre_clerk)
    filed = _post(centre, "/api/v1/service-requests", PAYLOAD)
    assert filed.status_code == 201
    body = filed.json()
    number, version = body["number"], body["version"]
    assert body["state"] == "submitted" and body["token"]
    accepted = _post(centre, f"/api/v1/service-requests/{number}/actions/accept", {"version": version})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    stale = _post(
        centre,
        f"/api/v1/service-requests/{number}/actions/dispatch",
        {"version": version, "department": "econ"},
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["detail"]
    version = accepted.json()["version"]
    dispatched = _post(
        centre,
        f"/api/v1/service-requests/{number}/actions/dispatch",
        {"version": version, "department": "econ"},
    )
    assert dispatched.json()["department"] == "经济发展局"
    detail = as_user(econ_staff).get(f"/api/v1/service-requests/{number}").json()
    assert "sign_for" in detail["actions"] and [e["action"] for e in detail["timeline"]] == [
        "open",
        "accept",
        "dispatch",
    ]
    wrong = _post(
        as_user(econ_staff),
        f"/api/v1/service-requests/{number}/actions/reply",
        {"version": detail["version"], "comment": "x", "outcome": "solved"},
    )
    assert wrong.status_code == 422  # not signed for yet
    assert ServiceRequest.objects.get().item.state == "dispatched"
    assert as_user(sysadmin).get("/api/v1/service-requests").status_code == 403
    assert len(as_user(econ_staff).get("/api/v1/service-requests").json()["items"]) == 1


def test_actions_with_attachments_through_the_api(db, as_user, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinqu.core.models import Department
    from xinqu.core.roles import Role
    from xinqu.service_requests import services
    from xinqu.service_requests.models import Category
    from xinqu.workflow.models import Attachment, Item

    centre = Department.objects.create(code="business-env", name="企业服务中心")
    clerk = make_user("api-clerk", Role.STAFF, centre)
    request, _token = services.request_file(
        actor=clerk, category=Category.objects.get(name="政策咨询"), enterprise_name="某公司",
        contact_name="王", contact_phone="13900000000", description="咨询政策",
    )  # fmt: skip
    item = Item.objects.get(pk=request.pk)
    url = f"/api/v1/service-requests/{item.number}/actions/comment/files"
    disguised = SimpleUploadedFile("说明.pdf", b"MZ\\x90\\x00 not a pdf", content_type="application/pdf")
    refused = as_user(clerk).post(url, {"version": item.version, "comment": "附说明", "files": [disguised]})
    assert refused.status_code == 422 and not Attachment.objects.exists()
    assert Item.objects.get(pk=item.pk).version == item.version
    pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    done = as_user(clerk).post(url, {"version": item.version, "comment": "附说明", "files": [pdf]})
    assert done.status_code == 200
    assert done.json()["timeline"][-1]["attachments"] == ["说明.pdf"]
