"""Shared personas for the zone, after healthchecks' Alice/Bob/Charlie:

- ``leader``: 管委会领导, reads everything;
- ``econ_staff`` and ``econ_head``: 经济发展局 staff and head;
- ``invest_staff``: 招商局 staff (another department);
- ``sysadmin``, ``secadmin``, ``auditor``: the three separated administrators;
- ``outsider``: an anonymous visitor (the ``client`` fixture, not logged in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.roles import Role
from xinqu.updates.models import WorkUpdate

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is slow by design; tests that are about hashing restore it themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def zone(db: Any) -> OrgUnit:
    root = OrgUnit.objects.create(kind="zone", code="zone", name="长春新区", name_en="Changchun New Area")
    area = OrgUnit.objects.create(
        kind="area", code="gaoxin", name="高新区", name_en="High-tech Area", parent=root
    )
    OrgUnit.objects.create(kind="park", code="optics", name="长智光谷", parent=area)
    return root


@pytest.fixture
def econ(db: Any) -> Department:
    return Department.objects.create(code="econ", name="经济发展局", name_en="Economic Development Bureau")


@pytest.fixture
def invest(db: Any) -> Department:
    return Department.objects.create(code="invest", name="招商局", name_en="Investment Promotion Bureau")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, role: str, department: Department | None = None, **extra: Any) -> User:
        user = User(username=username, role=role, department=department, must_change_password=False, **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def leader(make_user: Callable[..., User]) -> User:
    return make_user("leader", Role.LEADER, full_name="王主任")


@pytest.fixture
def econ_staff(make_user: Callable[..., User], econ: Department) -> User:
    return make_user("econ-staff", Role.STAFF, econ, full_name="李明")


@pytest.fixture
def econ_head(make_user: Callable[..., User], econ: Department) -> User:
    return make_user("econ-head", Role.HEAD, econ, full_name="张局长")


@pytest.fixture
def invest_staff(make_user: Callable[..., User], invest: Department) -> User:
    return make_user("invest-staff", Role.STAFF, invest, full_name="赵敏")


@pytest.fixture
def sysadmin(make_user: Callable[..., User]) -> User:
    return make_user("sysadmin", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(make_user: Callable[..., User]) -> User:
    return make_user("secadmin", Role.SECURITY_ADMIN)


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("auditor", Role.AUDIT_ADMIN)


@pytest.fixture
def as_user() -> Callable[[User], Client]:
    """A test client logged in as the given persona (through the real login, so axes sees it)."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def make_update() -> Callable[..., WorkUpdate]:
    def make(
        author: User, *, status: str = WorkUpdate.Status.DRAFT, confidential: bool = False, **extra: Any
    ) -> WorkUpdate:
        assert author.department is not None
        fields: dict[str, Any] = {
            "department": author.department,
            "author": author,
            "title": extra.pop("title", f"{author.department.name}动态"),
            "body": "正文",
            "happened_on": dt.date(2024, 3, 1),
            "status": status,
            "confidential": confidential,
        }
        if status == WorkUpdate.Status.APPROVED:
            fields["reviewed_by"] = author
        fields.update(extra)
        return WorkUpdate.objects.create(**fields)

    return make
