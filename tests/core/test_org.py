from __future__ import annotations

import pytest

from xinqu.core.models import Department, OrgUnit

pytestmark = pytest.mark.django_db


def test_everyone_reads_the_org_tree(as_user, zone, econ_staff, econ):
    page = as_user(econ_staff).get("/org/").content.decode()
    assert "长春新区" in page and "高新区" in page and "长智光谷" in page and "经济发展局" in page


def test_sysadmin_adds_a_park_under_an_area(as_user, sysadmin, zone):
    area = OrgUnit.objects.get(code="gaoxin")
    response = as_user(sysadmin).post(
        "/org/units/new/",
        {"kind": "park", "code": "sensor", "name": "传感器产业园", "parent": area.pk, "sort_order": 2},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="sensor").parent == area


def test_a_park_cannot_hang_from_the_zone(as_user, sysadmin, zone):
    response = as_user(sysadmin).post(
        "/org/units/new/",
        {"kind": "park", "code": "bad", "name": "错位园区", "parent": zone.pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert "园区的上级必须是功能区" in response.content.decode()
    assert not OrgUnit.objects.filter(code="bad").exists()


def test_staff_cannot_change_the_org_structure(as_user, econ_staff, zone):
    response = as_user(econ_staff).post(
        "/org/departments/new/", {"code": "x", "name": "新局", "sort_order": 0}
    )
    assert response.status_code == 403
    assert not Department.objects.filter(code="x").exists()


def test_sysadmin_renames_a_department_and_the_change_is_audited(as_user, sysadmin, econ):
    from xinqu.core.models import AuditEntry

    as_user(sysadmin).post(
        f"/org/departments/{econ.pk}/",
        {"code": "econ", "name": "经济发展和统计局", "name_en": "", "is_active": "on", "sort_order": 0},
    )
    entry = AuditEntry.objects.get(action="update", object_type="core.Department")
    assert entry.changes["name"] == ["经济发展局", "经济发展和统计局"]
