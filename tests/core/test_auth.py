"""Account security: hashing, password policy, lockout, forced change, idle timeout."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from xinqu.core.models import User
from xinqu.core.services import user_change_own_password
from xinqu.core.validators import character_classes

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS  # the module's own list
    from xinqu import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = module.PASSWORD_HASHERS
    assert make_password("Correct-Horse-42").startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short-A1", False),
        ("alllowercaseletters", False),
        ("lowercase12345", False),
        ("Lowercase12345", True),
        ("lower-case-12", True),
    ],
)
def test_password_policy(econ_staff, password, ok):
    if ok:
        user_change_own_password(user=econ_staff, password=password)
    else:
        with pytest.raises(ValidationError):
            user_change_own_password(user=econ_staff, password=password)


def test_character_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB3!") == 4
    assert character_classes("密码Ab") == 3


def test_five_failures_lock_the_username_from_any_address(client, econ_staff):
    for attempt in range(5):
        login(client, "econ-staff", "Wrong-pass-1", ip=f"10.0.0.{attempt + 1}")
    response = login(client, "econ-staff", "Correct-Horse-42", ip="10.0.0.99")
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_for_every_username(client, econ_staff):
    for attempt in range(5):
        login(client, f"guess{attempt}", "Wrong-pass-1", ip="10.7.7.7")
    assert login(client, "econ-staff", "Correct-Horse-42", ip="10.7.7.7").status_code == 429
    assert login(client, "econ-staff", "Correct-Horse-42", ip="10.7.7.8").status_code == 302


def test_four_failures_do_not_lock(client, econ_staff):
    for _ in range(4):
        login(client, "econ-staff", "Wrong-pass-1")
    assert login(client, "econ-staff", "Correct-Horse-42").status_code == 302


def test_failed_login_does_not_reveal_whether_the_user_exists(client, econ_staff):
    unknown = login(client, "no-such-user", "Wrong-pass-1", ip="10.0.1.1").content.decode()
    known = login(client, "econ-staff", "Wrong-pass-1", ip="10.0.1.2").content.decode()
    strip = lambda page: page.replace("no-such-user", "X").replace("econ-staff", "X")  # noqa: E731
    import re

    token = re.compile(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"')
    assert token.sub("", strip(unknown)) == token.sub("", strip(known))
    assert "用户名或密码不正确" in known


def test_inactive_account_gets_the_same_message(client, econ_staff):
    econ_staff.is_active = False
    econ_staff.save()
    page = login(client, "econ-staff", "Correct-Horse-42").content.decode()
    assert "用户名或密码不正确" in page


def test_first_login_forces_a_password_change(client, make_user, econ):
    user = make_user("newbie", "staff", econ)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    login(client, "newbie", "Correct-Horse-42")
    response = client.get("/updates/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/api/v1/whoami").status_code == 403
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Correct-Horse-42",
            "new_password1": "Brand-New-Pass-7",
            "new_password2": "Brand-New-Pass-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/updates/").status_code == 200


def test_sessions_expire_after_thirty_idle_minutes_and_use_moves_the_expiry_on_once_a_minute(
    as_user, econ_staff
):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from xinqu.core.middleware import SESSION_SEEN_KEY

    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    client = as_user(econ_staff)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    # Ten minutes later by the session's clock: the next request moves the expiry on.
    stale = timezone.now() - dt.timedelta(minutes=10)
    session = client.session
    session[SESSION_SEEN_KEY] = int(stale.timestamp())
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=stale + dt.timedelta(minutes=30))
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert dt.timedelta(minutes=29) < expiry - timezone.now() <= dt.timedelta(minutes=30)
    # Within the minute, a request writes nothing.
    Session.objects.filter(session_key=key).update(expire_date=expiry - dt.timedelta(minutes=5))
    assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expiry - dt.timedelta(minutes=5)


def test_idle_session_is_logged_out(as_user, econ_staff):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = as_user(econ_staff)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert dt.timedelta(minutes=29) < expiry - timezone.now() <= dt.timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_every_page_and_api_answer_carries_a_content_security_policy(client, as_user, econ_staff):
    for response in (client.get("/accounts/login/"), as_user(econ_staff).get("/api/v1/whoami")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_no_template_has_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    import xinqu

    found = []
    for path in Path(xinqu.__file__).parent.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+=\"", text) or re.search(
            r"<script(?![^>]*\b(src|type=\"application/json\")\b)", text
        ):
            found.append(path.name)
    assert found == []


def test_the_api_answers_json_when_the_database_is_down(econ_staff, monkeypatch):
    from django.db import OperationalError
    from django.test import Client

    from xinqu.api import BearerToken

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(BearerToken, "authenticate", down)
    response = Client(raise_request_exception=False).get(
        "/api/v1/whoami", HTTP_AUTHORIZATION="Bearer xq_anything"
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "数据库暂时无法连接，请稍后重试。"
    assert response["Retry-After"] == "30"
