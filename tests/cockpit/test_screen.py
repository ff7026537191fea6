"""The big screen (大屏): a leader issues a display token, the screen shows the cockpit without a
login and read-only, rotates through the areas, and stops the moment the token is revoked."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xinqu.cockpit.models import DisplayToken
from xinqu.core.models import AuditEntry
from xinqu.core.roles import Role

pytestmark = pytest.mark.django_db


def _issue(client: Client, label: str = "三楼会议室") -> str:
    answer = client.post("/api/v1/cockpit/screens", {"label": label}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()["token"]


def test_a_leader_issues_a_token_and_the_screen_shows_the_cockpit_without_a_login(as_user, leader, zone):
    token = _issue(as_user(leader))
    screen = Client().get(f"/cockpit/screen/{token}/")
    assert screen.status_code == 200
    body = screen.content.decode()
    assert 'data-tile="safety"' in body and 'data-tile="investment"' in body
    assert "数据截至" in body and "长春新区" in body
    # Read-only: no links into the system, no form, no session handed out.
    assert "<a " not in body and "<form" not in body
    assert "sessionid" not in screen.cookies
    assert screen["Cache-Control"] == "no-store" and screen["Referrer-Policy"] == "no-referrer"
    # It moves on to the next area, then back to the zone.
    assert re.search(rf'data-next="/cockpit/screen/{token}/\?unit=gaoxin"', body)
    area = Client().get(f"/cockpit/screen/{token}/?unit=gaoxin").content.decode()
    assert "高新区" in area and 'data-tile="safety"' not in area
    assert f'data-next="/cockpit/screen/{token}/?unit=zone"' in area
    display = DisplayToken.objects.get()
    assert display.last_seen_at is not None and token not in display.digest
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.TOKEN, object_type__icontains="display"
    ).exists()


def test_a_revoked_token_or_one_whose_leader_left_shows_nothing(as_user, leader, zone):
    client = as_user(leader)
    token = _issue(client)
    display = DisplayToken.objects.get()
    page = client.post("/cockpit/screens/", {"form": "revoke", "id": display.pk})
    assert page.status_code == 200 and "已吊销" in page.content.decode()
    refused = Client().get(f"/cockpit/screen/{token}/", follow=True)
    assert refused.redirect_chain[-1][0].startswith("/accounts/login/"), "the login page"
    assert (
        "大屏令牌无效或已吊销" in refused.content.decode() and 'id="id_username"' in refused.content.decode()
    )
    assert 'data-tile="' not in refused.content.decode()
    again = client.post(f"/api/v1/cockpit/screens/{display.pk}/revoke")
    assert again.status_code == 422 and "已经吊销" in str(again.json())
    # A leader moved to another role takes their screens with them.
    token = _issue(client, "展厅")
    assert Client().get(f"/cockpit/screen/{token}/").status_code == 200
    leader.role = Role.PENDING
    leader.save()
    assert Client().get(f"/cockpit/screen/{token}/")["Location"].startswith("/accounts/login/?screen=refused")
    assert Client().get("/cockpit/screen/not-a-token/")["Location"].startswith("/accounts/login/")


def test_only_leaders_manage_screens_and_a_label_is_required(as_user, leader, econ_head, zone):
    head = as_user(econ_head)
    assert head.get("/cockpit/screens/").status_code == 403
    assert head.get("/api/v1/cockpit/screens").status_code == 403
    refused = head.post("/api/v1/cockpit/screens", {"label": "x"}, content_type="application/json")
    assert refused.status_code == 403 and DisplayToken.objects.count() == 0
    page = as_user(leader).post("/cockpit/screens/", {"form": "issue", "label": "  "})
    assert page.status_code == 400 and "请填写大屏名称" in page.content.decode()
    assert DisplayToken.objects.count() == 0
    page = as_user(leader).post("/cockpit/screens/", {"form": "issue", "label": "三楼会议室"})
    body = page.content.decode()
    assert page.status_code == 200 and "/cockpit/screen/" in body
    listed = as_user(leader).get("/api/v1/cockpit/screens").json()
    assert [(s["label"], s["active"]) for s in listed] == [("三楼会议室", True)]
    assert "token" not in listed[0], "a token is shown once, when issued"
    assert 'id="cockpit-screens"' in as_user(leader).get("/cockpit/").content.decode()
    assert 'id="cockpit-screens"' not in head.get("/cockpit/").content.decode()


def test_a_token_lapses_after_the_days_the_leader_chose_and_then_shows_the_login_page(as_user, leader, zone):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    client = as_user(leader)
    answer = client.post(
        "/api/v1/cockpit/screens", {"label": "展厅", "days": 30}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["expires_at"]
    token = answer.json()["token"]
    assert Client().get(f"/cockpit/screen/{token}/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        lapsed = Client().get(f"/cockpit/screen/{token}/", follow=True)
        assert lapsed.redirect_chain[-1][0].startswith("/accounts/login/")
        assert "大屏令牌无效或已吊销" in lapsed.content.decode()
        listed = as_user(leader).get("/cockpit/screens/").content.decode()
        assert "已过期" in listed
    wrong = client.post(
        "/api/v1/cockpit/screens", {"label": "大厅", "days": 7}, content_type="application/json"
    )
    assert wrong.status_code == 422 and "30、90、180 或 365" in str(wrong.json())
    page = client.post("/cockpit/screens/", {"form": "issue", "label": "大厅", "days": "x"})
    assert page.status_code == 400 and DisplayToken.objects.count() == 1
