from __future__ import annotations

from typing import Any

import pytest

from xinqu.core.models import Department, Role


@pytest.fixture
def tech(db: Any) -> Department:
    return Department.objects.create(
        code="tech", name="科技创新局", name_en="Science and Technology Innovation Bureau"
    )


@pytest.fixture
def tech_staff(make_user: Any, tech: Department) -> Any:
    return make_user("tech-staff", Role.STAFF, tech, full_name="林峰")
