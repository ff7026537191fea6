"""Real-browser tests: Playwright for Python driving Debian's chromium.

Without /usr/bin/chromium they skip, unless XINQU_E2E=required (as in CI), where a missing
browser is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

CHROMIUM = os.environ.get("XINQU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("XINQU_E2E") == "required":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield instance
            instance.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: Any, live_server: Any, _relax_audit_guard: None) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def _relax_audit_guard(transactional_db: Any) -> Iterator[None]:
    """Live-server tests end with a flush of every table. The audit log's database guard
    rightly refuses that, so it is dropped once the test is done (these tests run last).
    A flush also empties what the data migrations wrote, so that is written again first."""
    from importlib import import_module

    from django.apps import apps

    defaults = import_module("xinqu.enterprises.migrations.0002_default_kinds_and_tiers")
    defaults.create(apps, None)
    import_module("xinqu.service_requests.migrations.0002_default_categories").create(apps, None)
    import_module("xinqu.workflow.migrations.0003_default_escalation").create(apps, None)
    import_module("xinqu.projects.migrations.0002_problem_escalation").create(apps, None)
    import_module("xinqu.core.migrations.0007_holiday_arrangements").load(apps, None)
    from xinqu.indicators.models import DataVersion

    DataVersion.objects.get_or_create(pk=1, defaults={"token": "e2e"})
    yield
    guard = import_module("xinqu.core.migrations.0002_audit_log_append_only")
    statements = {"sqlite": guard.SQLITE_DOWN, "postgresql": guard.POSTGRES_DOWN}[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
