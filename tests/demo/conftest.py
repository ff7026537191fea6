"""The demo zone takes a while to build, so each test module here builds it once: inside a
transaction that stays open for the module and is rolled back at its end. Each test runs in a
savepoint within it (pytest-django's ``db``), so what one test writes, the next never sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from xinqu.demo.zone import load_demo_zone


@pytest.fixture(scope="module")
def demo_zone(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo_zone()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_zone: None, db: Any) -> None:
    """The demo zone, as ``load_demo_zone`` builds it today."""
