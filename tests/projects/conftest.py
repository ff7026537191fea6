"""Fixtures shared by this module's tests."""

from __future__ import annotations

import pytest

from xinqu.core.models import Department, OrgUnit
from xinqu.core.roles import Role


@pytest.fixture
def centre(db):
    return Department.objects.create(code="projects", name="重点项目服务中心")


@pytest.fixture
def clerk(make_user, centre):
    return make_user("project-clerk", Role.STAFF, centre)


@pytest.fixture
def places(zone):
    area = OrgUnit.objects.get(code="gaoxin")
    park = OrgUnit.objects.get(code="optics")
    other = OrgUnit.objects.create(kind="area", code="beihu", name="北湖区", parent=zone)
    far = OrgUnit.objects.create(kind="park", code="jixing", name="吉兴产业园", parent=other)
    return {"area": area, "other": other, "park": park, "far": far}
