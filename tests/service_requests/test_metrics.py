"""The tallies behind the metrics equal a recount of every request; the page shows each definition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

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
    for words in (
        "签收及时率",
        "派单后 1 个工作日内签收的诉求 ÷ 已派单的诉求",
        "已过办理期限仍未答复的诉求",
        "权重 0.8",
        "一次满意率",
        "以企业意见为准",
        "首派准确率",
    ):
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


def test_rates_follow_the_12345_definitions(db, clerk, econ, econ_staff, utilities):
    """Six requests worked by hand:
    A signed on time, replied on time, rated dissatisfied (solved? no), replied again, basically satisfied (yes);
    B signed on time, replied late, satisfied, the enterprise says solved;
    C signed on time, past its deadline and never answered;
    D signed on time, not yet due;
    E signed late (the sign-for day is past), not yet due;
    F dispatched and never signed for, under supervision.
    签收及时率 = on-time sign-fors 4 ÷ dispatched 6 = 66.7 (not 4 ÷ 5 signed = 80.0);
    按时办结率 = on time 1 ÷ (replied 2 + overdue unanswered 1) = 33.3 (not 1 ÷ 2 = 50.0);
    解决率 = the enterprises' yes 2 ÷ their answers 2 = 100.0; the departments' "solved" does not count;
    一次满意率 = (satisfied 1 + 0.8 × basically 0) ÷ rated 2 = 50.0; 满意率 = (1 + 0.8 × 1) ÷ 2 = 90.0;
    督办率 = supervised 1 ÷ all 6 = 16.7."""
    from xinqu.service_requests import metrics

    now = timezone.now()
    long_ago = now - dt.timedelta(days=40)
    made = {}
    for name in "ABCDEF":
        request, _token = services.request_file(actor=clerk, category=utilities, **FORM, now=long_ago)
        at = now if name in "DE" else long_ago
        services.request_act(actor=clerk, request=request, action="accept", now=at)
        services.request_act(actor=clerk, request=request, action="dispatch", department=econ, now=at)
        if name != "F":
            late = name == "E"
            services.request_act(
                actor=econ_staff,
                request=request,
                action="sign_for",
                now=at + dt.timedelta(days=5) if late else at,
            )
        made[name] = request

    def reply(name, at, outcome="solved"):
        services.request_act(
            actor=econ_staff, request=made[name], action="reply", comment="答复", outcome=outcome, now=at
        )

    reply("A", long_ago + dt.timedelta(hours=2), outcome="partly")
    services.requester_act(request=made["A"], action="rate_dissatisfied", comment="未解决", solved=False)
    reply("A", now)
    services.requester_act(request=made["A"], action="rate_basically", solved=True)
    reply("B", now)
    services.requester_act(request=made["B"], action="rate_satisfied", solved=True)
    engine.escalate(item=made["F"].item, level=1, reason="逾期未签收")

    total = metrics.metrics(year=long_ago.year, by="department")["total"]
    assert total.counts["total"] == 6
    counts = total.counts
    assert (counts["dispatched"], counts["signed_on_time"], counts["replied"], counts["overdue_open"]) == (
        6,
        4,
        2,
        1,
    )
    rates = total.rates
    assert rates["sign_for"] == Decimal("66.7")
    assert rates["on_time"] == Decimal("33.3")
    assert rates["resolution"] == Decimal("100.0")
    assert rates["first_satisfaction"] == Decimal("50.0")
    assert rates["satisfaction"] == Decimal("90.0")
    assert rates["supervision"] == Decimal("16.7")
    # Answering C late still counts it as not on time, now among the replied.
    reply("C", now)
    after = metrics.metrics(year=long_ago.year, by="department")["total"]
    assert (after.counts["replied"], after.counts["overdue_open"], after.rates["on_time"]) == (
        3,
        0,
        Decimal("33.3"),
    )
    assert _plain(metrics.metrics(year=long_ago.year, by="month")) == _plain(
        metrics.recounted(year=long_ago.year, by="month")
    )


def test_every_rate_stays_within_its_population(demo_requests):
    from xinqu.service_requests import metrics

    for year in (2023, 2024):
        for by in metrics.DIMENSIONS:
            result = metrics.metrics(year=year, by=by)
            for row in [result["total"], *result["rows"]]:
                for key, value in row.rates.items():
                    assert value is None or 0 <= value <= 100, (year, by, row.label, key, value)


def test_the_metrics_api_gives_the_page_s_rows_with_their_definitions(
    demo_requests, as_user, leader, sysadmin
):
    from xinqu.service_requests import metrics

    answer = as_user(leader).get("/api/v1/service-requests/metrics?year=2023&by=department")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    kept = metrics.metrics(year=2023, by="department")
    assert [row["label"] for row in body["rows"]] == [row.label for row in kept["rows"]]
    for shown, row in zip(body["rows"], kept["rows"], strict=True):
        assert shown["counts"] == row.counts and shown["rank"] == row.rank
        for key, value in row.rates.items():
            assert shown["rates"][key] == (None if value is None else float(value))
            assert not isinstance(shown["rates"][key], str)
    definitions = {rate["key"]: rate["definition"] for rate in body["rates"]}
    assert "已过办理期限仍未答复" in definitions["on_time"] and "0.8" in definitions["satisfaction"]
    page = as_user(leader).get("/service-requests/metrics/?year=2023").content.decode()
    on_time = kept["total"].rates["on_time"]
    assert f'data-rate="on_time">{on_time}%<' in page and body["total"]["rates"]["on_time"] == float(on_time)
    # A bad dimension or year is a 422 with the reason; the system administrator sees no business data.
    assert as_user(leader).get("/api/v1/service-requests/metrics?year=2023&by=colour").status_code == 422
    assert as_user(leader).get("/api/v1/service-requests/metrics?year=0").status_code == 422
    assert as_user(sysadmin).get("/api/v1/service-requests/metrics?year=2023").status_code == 403
