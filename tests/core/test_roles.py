"""One role per account; the three administrators' duties stay separate."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from xinqu.core.models import AuditEntry, User
from xinqu.core.services import user_set_role

pytestmark = pytest.mark.django_db


def test_no_account_can_be_a_superuser(econ_staff):
    econ_staff.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        econ_staff.save()


def test_createsuperuser_makes_a_system_administrator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Correct-Horse-42")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn")
    user = User.objects.get(username="root")
    assert (user.role, user.is_superuser) == ("system_admin", False)


def test_security_admin_sets_a_role_and_it_is_audited(secadmin, econ_staff):
    user_set_role(actor=secadmin, user=econ_staff, role="head")
    econ_staff.refresh_from_db()
    assert econ_staff.role == "head"
    entry = AuditEntry.objects.get(action="update", object_id=str(econ_staff.pk))
    assert entry.changes == {"role": ["staff", "head"]}


def test_security_admin_cannot_change_own_role(secadmin):
    with pytest.raises(ValidationError, match="不能修改自己的角色"):
        user_set_role(actor=secadmin, user=secadmin, role="system_admin")


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "leader", "econ_head"])
def test_only_the_security_admin_sets_roles(request, persona, econ_staff):
    with pytest.raises(PermissionDenied):
        user_set_role(actor=request.getfixturevalue(persona), user=econ_staff, role="head")
    econ_staff.refresh_from_db()
    assert econ_staff.role == "staff"


def test_becoming_an_administrator_drops_the_business_department(secadmin, econ_staff):
    user_set_role(actor=secadmin, user=econ_staff, role="audit_admin")
    econ_staff.refresh_from_db()
    assert (econ_staff.role, econ_staff.department_id) == ("audit_admin", None)


def test_department_role_needs_a_department(secadmin, auditor):
    with pytest.raises(ValidationError, match="必须属于一个部门"):
        user_set_role(actor=secadmin, user=auditor, role="staff")
    auditor.refresh_from_db()
    assert auditor.role == "audit_admin"


def test_role_page_is_for_the_security_admin_only(as_user, secadmin, sysadmin, econ_staff, econ):
    assert as_user(sysadmin).get(f"/users/{econ_staff.pk}/role/").status_code == 403
    client = as_user(secadmin)
    response = client.post(f"/users/{econ_staff.pk}/role/", {"role": "head", "department": econ.pk})
    assert response.status_code == 302
    econ_staff.refresh_from_db()
    assert econ_staff.role == "head"


BUSINESS_PAGES = ["/enterprises/", "/updates/", "/indicators/", "/service-requests/", "/projects/", "/plans/"]


def test_a_new_account_has_no_business_access_until_the_security_admin_grants_it(
    as_user, sysadmin, secadmin, econ
):
    from xinqu.core.services import user_create

    user = user_create(actor=sysadmin, username="new.clerk", password="Temp-Pass-2024", department=econ)
    user.must_change_password = False
    user.save()
    client = as_user(user)
    assert "尚未授权" in client.get("/").content.decode()
    for page in BUSINESS_PAGES:
        assert client.get(page).status_code == 403, page
    assert client.get("/api/v1/enterprises").status_code == 403
    user_set_role(actor=secadmin, user=user, role="staff", department=econ)
    for page in BUSINESS_PAGES:
        assert client.get(page).status_code == 200, page
