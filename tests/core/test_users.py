"""The system administrator manages accounts and settings."""

from __future__ import annotations

import pytest

from xinqu.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def test_sysadmin_creates_an_account_that_must_change_its_password(as_user, sysadmin, econ):
    response = as_user(sysadmin).post(
        "/users/new/",
        {"username": "wang.fang", "full_name": "王芳", "department": econ.pk, "password": "Temp-Pass-2024"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="wang.fang")
    assert (user.role, user.department, user.must_change_password) == ("pending", econ, True)
    assert user.check_password("Temp-Pass-2024")
    entry = AuditEntry.objects.get(action="create", object_type="core.User")
    assert entry.changes["username"] == [None, "wang.fang"]
    assert "password" not in entry.changes


def test_weak_password_is_refused_and_nothing_is_created(as_user, sysadmin, econ):
    response = as_user(sysadmin).post(
        "/users/new/", {"username": "weak", "full_name": "弱", "department": econ.pk, "password": "password"}
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_duplicate_username_is_refused(as_user, sysadmin, econ, econ_staff):
    response = as_user(sysadmin).post(
        "/users/new/",
        {"username": "econ-staff", "full_name": "重名", "department": econ.pk, "password": "Temp-Pass-2024"},
    )
    assert response.status_code == 200
    assert User.objects.filter(username="econ-staff").count() == 1


@pytest.mark.parametrize("persona", ["secadmin", "auditor", "leader", "econ_head"])
def test_only_the_sysadmin_creates_accounts(request, as_user, persona, econ):
    response = as_user(request.getfixturevalue(persona)).post(
        "/users/new/",
        {"username": "x", "full_name": "x", "department": econ.pk, "password": "Temp-Pass-2024"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_sysadmin_resets_a_password_and_deactivates(as_user, sysadmin, econ_staff, econ):
    client = as_user(sysadmin)
    client.post(f"/users/{econ_staff.pk}/password/", {"password": "Reset-Pass-2024"})
    econ_staff.refresh_from_db()
    assert econ_staff.must_change_password and econ_staff.check_password("Reset-Pass-2024")
    client.post(
        f"/users/{econ_staff.pk}/",
        {"full_name": "李明", "email": "", "phone": "", "department": econ.pk, "is_active": ""},
    )
    econ_staff.refresh_from_db()
    assert not econ_staff.is_active


def test_sysadmin_cannot_deactivate_self(as_user, sysadmin):
    response = as_user(sysadmin).post(
        f"/users/{sysadmin.pk}/",
        {"full_name": "", "email": "", "phone": "", "department": "", "is_active": ""},
    )
    assert "不能停用自己的账户" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_sysadmin_lifts_a_lockout(client, as_user, sysadmin, econ_staff):
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "econ-staff", "password": "Wrong-pass-1"}, REMOTE_ADDR="10.3.3.3"
        )
    assert (
        client.post(
            "/accounts/login/",
            {"username": "econ-staff", "password": "Correct-Horse-42"},
            REMOTE_ADDR="10.3.3.4",
        ).status_code
        == 429
    )
    as_user(sysadmin).post(f"/users/{econ_staff.pk}/unlock/")
    assert (
        client.post(
            "/accounts/login/",
            {"username": "econ-staff", "password": "Correct-Horse-42"},
            REMOTE_ADDR="10.3.3.4",
        ).status_code
        == 302
    )


def test_a_write_service_refuses_a_field_it_does_not_write(sysadmin, econ_staff):
    from xinqu.core.services import user_update

    with pytest.raises(TypeError, match="role"):
        user_update(actor=sysadmin, user=econ_staff, full_name="改名", role="leader")
    econ_staff.refresh_from_db()
    assert (econ_staff.full_name, econ_staff.role) == ("李明", "staff")


def test_every_write_service_names_its_arguments():
    """No write service takes ``**fields``: each field is a named keyword argument, so a caller's
    typo fails at once and the signature says what the service writes."""
    import importlib
    import inspect
    import pkgutil

    import xinqu

    open_ended = []
    for module_info in pkgutil.walk_packages(xinqu.__path__, "xinqu."):
        if not module_info.name.endswith(".services"):
            continue
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name == "given":
                continue
            kinds = {p.kind for p in inspect.signature(function).parameters.values()}
            if inspect.Parameter.VAR_KEYWORD in kinds:
                open_ended.append(f"{module.__name__}.{name}")
    assert open_ended == []
