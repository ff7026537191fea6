from __future__ import annotations

import pytest
from django.core.cache import cache

from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.service_requests.models import Category


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public-form limit counts filings per address in the cache, which outlives a test.
    cache.clear()


@pytest.fixture
def centre(db):
    return Department.objects.create(code="business-env", name="企业服务中心")


@pytest.fixture
def clerk(make_user, centre):
    return make_user("centre-clerk", Role.STAFF, centre)


@pytest.fixture
def utilities():
    return Category.objects.get(name="水电气暖")


@pytest.fixture
def demo_requests(db, settings):
    from django.core.management import call_command

    settings.DEMO_REQUESTS = 50
    call_command("demo", "--setup-only")
