"""Modules plug themselves in: what each AppConfig declares resolves, and core collects it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string

from xinqu.core import feeds, jobs, reminders
from xinqu.core.modules import demo_loaders, home_tiles, modules, navigation_entries

DOMAIN = {
    "home",
    "updates",
    "enterprises",
    "indicators",
    "workflow",
    "service_requests",
    "safety",
    "plans",
    "projects",
    "investment",
    "innovation",
    "cockpit",
}


def test_every_domain_app_is_a_module():
    assert {m.label for m in modules()} == DOMAIN


def test_every_declaration_resolves():
    for module in modules():
        for entry in module.nav:
            assert reverse(entry.url_name), entry
        if module.api:
            assert import_string(module.api[1]).__class__.__name__ == "Router"
        for tile in module.home_tiles:
            assert callable(import_string(tile.context))
    assert callable(demo_loaders()[0][1])


def test_core_collected_what_the_modules_declared():
    assert {
        "enterprises",
        "qualifications",
        "indicator_values",
        "plan_nodes",
        "projects",
        "project_reports",
    } <= set(jobs.IMPORT_KINDS)
    assert set(jobs.EXPORT_KINDS) == {"enterprises", "projects", "project_reports", "audit"}
    assert {"expiring qualifications", "workflow_items", "project_lights"} <= set(reminders.REMINDERS)
    assert {
        "enterprises.high_tech_total",
        "service_requests.on_time",
        "projects.landed",
        "projects.industrial_share",
        "investment.signed",
        "investment.paid_in_domestic",
        "investment.paid_in_foreign",
    } <= set(feeds.FEEDS)
    assert "indicator" in feeds.FAMILIES
    assert [label for label, _loader in demo_loaders()] == [
        "enterprises",
        "indicators",
        "service_requests",
        "safety",
        "projects",
        "investment",
        "innovation",
        "plans",
    ]
    assert [t.template for t in home_tiles()] == ["updates/_home_tile.html"]
    names = [e.url_name for e in navigation_entries()]
    assert names[0] == "home" and names.index("plans:list") < names.index("updates:list")


@pytest.mark.django_db
def test_the_header_shows_each_role_its_modules_only(as_user, econ_staff, auditor):
    staff_page = as_user(econ_staff).get("/").content.decode()
    assert "/enterprises/" in staff_page and "/audit/" not in staff_page
    audit_page = as_user(auditor).get("/").content.decode()
    assert "/audit/" in audit_page and "/enterprises/" not in audit_page
