"""The "无事不扰" visit register: rules checked before saving, reasons required, reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinqu.enterprises import services
from xinqu.enterprises.models import Visit, VisitRule
from xinqu.enterprises.selectors import visit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    return VisitRule.objects.create(
        max_inspections_per_year=2, max_visits_per_month=None, quiet_requires_announcement=True
    )


def visit(actor, enterprise, day, kind="inspection", **extra):
    return services.visit_record(
        actor=actor, enterprise=enterprise, visited_on=day, kind=kind, purpose="检查", **extra
    )


def test_third_inspection_in_a_year_needs_a_reason(econ_staff, invest_staff, make_enterprise, rules):
    enterprise = make_enterprise()
    day = timezone.localdate().replace(month=1, day=10)
    visit(econ_staff, enterprise, day)
    visit(invest_staff, enterprise, day)  # the limit counts every department together
    with pytest.raises(ValidationError) as caught:
        visit(econ_staff, enterprise, day)
    assert "全区已对该企业检查 2 次，达到上限 2 次" in str(caught.value)
    assert Visit.objects.count() == 2
    third = visit(econ_staff, enterprise, day, override_reason="发生安全事故，需立即复查")
    assert "达到上限" in third.breaches and third.override_reason
    # A service visit is not an inspection.
    assert visit(econ_staff, enterprise, day, kind="service").breaches == ""


def test_quiet_enterprise_takes_announced_visits_only(econ_staff, make_enterprise, rules):
    enterprise = make_enterprise(is_quiet=True)
    with pytest.raises(ValidationError, match="只接受事先告知的走访"):
        visit(econ_staff, enterprise, timezone.localdate(), kind="service")
    assert visit(econ_staff, enterprise, timezone.localdate(), kind="service", announced=True).breaches == ""


def test_future_visits_are_refused(econ_staff, make_enterprise, rules):
    with pytest.raises(ValidationError, match="走访日期不能晚于今天"):
        visit(econ_staff, make_enterprise(), timezone.localdate() + dt.timedelta(days=1))


def test_the_form_flags_the_breach_before_saving(as_user, econ_staff, make_enterprise, rules):
    enterprise = make_enterprise(is_quiet=True)
    client = as_user(econ_staff)
    check = client.get(
        f"/enterprises/{enterprise.pk}/visits/check/",
        {"visited_on": timezone.localdate().isoformat(), "kind": "service"},
    ).content.decode()
    assert "只接受事先告知的走访" in check
    ok = client.get(
        f"/enterprises/{enterprise.pk}/visits/check/",
        {"visited_on": timezone.localdate().isoformat(), "kind": "service", "announced": "on"},
    ).content.decode()
    assert "visit-breaches" not in ok
    response = client.post(
        f"/enterprises/{enterprise.pk}/visits/new/",
        {"visited_on": timezone.localdate().isoformat(), "kind": "service", "purpose": "了解情况"},
    )
    assert "请写明理由后再保存" in response.content.decode()
    assert not Visit.objects.exists()


def test_report_shows_most_visited_and_busiest_departments(
    econ_staff, invest_staff, make_enterprise, rules, as_user
):
    busy, calm = make_enterprise(name="常被走访"), make_enterprise(name="少被走访")
    day = timezone.localdate().replace(month=1, day=5)
    for actor in (econ_staff, invest_staff, econ_staff):
        visit(actor, busy, day, kind="service")
    visit(invest_staff, calm, day, kind="survey")
    report = visit_report(year=day.year, user=econ_staff)
    assert [(r["enterprise__name"], r["n"]) for r in report["enterprises"]] == [
        ("常被走访", 3),
        ("少被走访", 1),
    ]
    assert [(r["department__name"], r["n"], r["enterprises"]) for r in report["departments"]] == [
        ("招商局", 2, 2),
        ("经济发展局", 2, 1),
    ]
    page = as_user(econ_staff).get("/enterprises/visits/", {"year": day.year}).content.decode()
    assert "常被走访" in page


def test_only_heads_set_the_rules(as_user, econ_staff, econ_head, rules):
    response = as_user(econ_staff).post("/enterprises/visits/", {"max_inspections_per_year": 5})
    assert response.status_code == 403
    as_user(econ_head).post(
        "/enterprises/visits/", {"max_inspections_per_year": 4, "quiet_requires_announcement": "on"}
    )
    rules.refresh_from_db()
    assert rules.max_inspections_per_year == 4
