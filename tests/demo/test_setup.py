"""Setting the demo up from nothing: what it refuses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinqu.core.models import User

pytestmark = pytest.mark.django_db


def test_demo_refuses_a_weak_password(db, settings):
    settings.DEMO_PASSWORD = "demo"
    with pytest.raises(CommandError, match="XINQU_DEMO_PASSWORD is too weak"):
        call_command("demo", "--setup-only")
    assert not User.objects.exists()
