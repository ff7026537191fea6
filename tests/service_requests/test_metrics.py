"""The tallies behind the metrics equal a recount of every request; the page shows each definition."""

from __future__ import annotations

import pytest

from tests.service_requests.helpers import FORM, _plain
from xinqu.core.models import Department
from xinqu.service_requests import services
from xinqu.service_requests.models import ServiceRequest
from xinqu.workflow import engine


def test_stored_facts_equal_a_recount_from_the_timeline_and_feed_the_metrics(demo_requests):
    from xinqu.service_requests import metrics

    requests = list(ServiceRequest.objects.select_related("item", "category"))
    assert requests
    for request in requests:
        assert metrics.facts(request) == metrics.recount(request), request.item.number
    result = metrics.metrics(year=2023, by="department")
    total = result["total"]
    assert total.counts["total"] == sum(r.counts["total"] for r in result["rows"])
    recounted = sum(1 for r in requests if r.item.opened_at.year == 2023 and r.rating == "satisfied")
    assert total.counts["satisfied"] == recounted
    assert total.rates["on_time"] is not None and 0 <= total.rates["on_time"] <= 100
    assert [r.rank for r in sorted(result["rows"], key=lambda r: r.rank or 99) if r.rank] == list(
        range(1, sum(1 for r in result["rows"] if r.rank) + 1)
    )


def test_kept_tallies_equal_a_full_recount(demo_requests):
    from xinqu.service_requests import metrics
    from xinqu.service_requests.models import Tally

    assert metrics.tallies_differ() == []
    for year in (2023, 2024):
        for by in metrics.DIMENSIONS:
            kept = metrics.metrics(year=year, by=by)
            assert kept["total"].counts["total"] > 0
            assert _plain(kept) == _plain(metrics.recounted(year=year, by=by)), (year, by)
    for request in ServiceRequest.objects.select_related("item"):
        assert request.department_id == request.item.department_id
        assert request.org_unit_id == request.item.org_unit_id
        assert request.supervised == (request.item.supervision_level > 0)
    # A tally that drifted is found, and named.
    cell = Tally.objects.order_by("pk").first()
    Tally.objects.filter(pk=cell.pk).update(satisfied=cell.satisfied + 1)
    assert [
        f"{cell.month:%Y-%m} department {cell.department_key}" in d for d in metrics.tallies_differ()
    ] == [True]
    metrics.tallies_rebuild()
    assert metrics.tallies_differ() == []


def test_a_transfer_and_an_escalation_move_the_request_between_tallies(db, clerk, econ, utilities):
    from xinqu.service_requests import metrics

    finance = Department.objects.create(code="finance", name="财政局")
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    year = request.item.opened_at.year
    rows = {r.label: r for r in metrics.metrics(year=year, by="department")["rows"]}
    assert set(rows) == {"经济发展局"} and rows["经济发展局"].counts["dispatched"] == 1
    services.request_act(
        actor=clerk, request=request, action="transfer", department=finance, comment="应由财政局办理"
    )
    engine.escalate(item=request.item, level=2, reason="逾期")
    rows = {r.label: r for r in metrics.metrics(year=year, by="department")["rows"]}
    assert set(rows) == {"财政局"}
    assert rows["财政局"].counts["total"] == 1
    assert rows["财政局"].counts["supervised"] == 1
    assert _plain(metrics.metrics(year=year, by="department")) == _plain(
        metrics.recounted(year=year, by="department")
    )


def test_the_metrics_page_shows_each_definition(demo_requests, as_user, leader):
    page = as_user(leader).get("/service-requests/metrics/?year=2023&by=category").content.decode()
    for words in ("签收及时率", "派单后 1 个工作日内签收的诉求", "基本满意的权重为 0.8", "首派准确率"):
        assert words in page
    assert as_user(leader).get("/service-requests/metrics/?year=2023&format=xlsx").status_code == 200


def test_recount_metrics_command_finds_and_fixes_a_drifted_tally(db, clerk, utilities):
    from django.core.management import CommandError, call_command

    from xinqu.service_requests.models import Tally

    services.request_file(actor=clerk, category=utilities, **FORM)
    call_command("recount_metrics")
    Tally.objects.update(total=5)
    with pytest.raises(CommandError, match="1 tallies differ"):
        call_command("recount_metrics")
    call_command("recount_metrics", "--fix")
    assert Tally.objects.get().total == 1
    call_command("recount_metrics")
