"""An enterprise's request from the public form to the rating, and every way to misuse it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinqu.core.models import Department, Notification
from xinqu.core.roles import Role
from xinqu.service_requests import services
from xinqu.service_requests.models import Category, ServiceRequest
from xinqu.workflow import engine
from xinqu.workflow.models import Item

FORM = {
    "enterprise_name": "长春某光电科技有限公司",
    "contact_name": "刘经理",
    "contact_phone": "13800000000",
    "description": "新厂房电力增容申请迟迟未办理\n已等待两个月",
}


@pytest.fixture
def centre(db):
    return Department.objects.create(code="business-env", name="企业服务中心")


@pytest.fixture
def clerk(make_user, centre):
    return make_user("centre-clerk", Role.STAFF, centre)


@pytest.fixture
def utilities():
    return Category.objects.get(name="水电气暖")


def _file(client, category, **extra):
    return client.post("/service/new/", {**FORM, "category": category.pk, **extra})


def _public(client, category):
    response = _file(client, category)
    link = re.search(r'id="track-link">([^<]+)<', response.content.decode()).group(1)
    return ServiceRequest.objects.get(item__number=response.context["sr"].item.number), link.replace(
        "http://testserver", ""
    )


def test_public_filing_to_closing(client, centre, clerk, econ, econ_staff, utilities):
    request, link = _public(client, utilities)
    assert request.item.state == "submitted" and request.channel == "public"
    assert client.get(link).status_code == 200
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    assert Notification.objects.filter(user=econ_staff).exists()
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    request.item.refresh_from_db()
    assert request.item.state == "in_progress"
    services.request_act(
        actor=econ_staff, request=request, action="comment", comment="已联系供电公司，内部协调中"
    )
    services.request_act(actor=econ_staff, request=request, action="request_info", comment="请提供用电负荷表")
    page = client.get(link).content.decode()
    assert "请提供用电负荷表" in page and "内部协调中" not in page  # internal notes never reach the requester
    client.post(
        link,
        {
            "action": "supplement",
            "requester-comment": "已上传负荷表",
            "requester-version": Item.objects.get(pk=request.pk).version,
        },
    )
    request.item.refresh_from_db()
    assert request.item.state == "in_progress"
    services.request_act(
        actor=econ_staff, request=request, action="reply", comment="增容已批复", outcome="solved"
    )
    client.post(
        link, {"action": "rate_satisfied", "requester-version": Item.objects.get(pk=request.pk).version}
    )
    request.refresh_from_db()
    assert (request.item.state, request.rating, request.outcome) == ("closed", "satisfied", "solved")
    assert request.item.closed_at is not None
    actions = list(request.item.events.values_list("action", flat=True))
    assert actions == [
        "open",
        "accept",
        "dispatch",
        "sign_for",
        "comment",
        "request_info",
        "supplement",
        "reply",
        "rate_satisfied",
    ]


def test_dissatisfied_reopens_once_then_goes_to_supervision(db, centre, clerk, econ, econ_staff, utilities):
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    for action, extra in (("accept", {}), ("dispatch", {"department": econ})):
        services.request_act(actor=clerk, request=request, action=action, **extra)
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    for round_ in (1, 2):
        services.request_act(
            actor=econ_staff, request=request, action="reply", comment="已答复", outcome="partly"
        )
        services.requester_act(request=request, action="rate_dissatisfied", comment="问题仍未解决")
        request.refresh_from_db()
        assert request.item.state == "in_progress" and request.reopened == round_
    assert request.item.supervision_level == 1


def test_a_return_goes_back_to_the_centre_which_may_overrule(db, centre, clerk, econ, econ_staff, utilities):
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    with pytest.raises(ValidationError):
        services.request_act(actor=econ_staff, request=request, action="return")  # a return needs a reason
    services.request_act(actor=econ_staff, request=request, action="return", comment="不属于本部门职责")
    request.refresh_from_db()
    assert request.item.state == "returned" and request.returns == 1
    services.request_act(actor=clerk, request=request, action="overrule", comment="属于经发局职责，请办理")
    request.item.refresh_from_db()
    assert request.item.state == "dispatched" and request.item.department == econ


def test_the_handling_department_cannot_rate_or_act_out_of_turn(
    db, centre, clerk, econ, econ_staff, invest_staff, utilities
):
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    with pytest.raises(PermissionDenied):
        services.request_act(actor=econ_staff, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    services.request_act(
        actor=econ_staff, request=request, action="reply", comment="已答复", outcome="solved"
    )
    for action in ("rate_satisfied", "supplement"):
        with pytest.raises(PermissionDenied):
            services.request_act(actor=econ_staff, request=request, action=action)
    with pytest.raises(PermissionDenied):
        services.request_act(actor=invest_staff, request=request, action="comment", comment="x")
    request.item.refresh_from_db()
    assert request.item.state == "replied" and not request.rating


def test_pages_keep_departments_apart_and_refuse_forbidden_actions(
    db, as_user, client, centre, clerk, econ, econ_staff, invest_staff, utilities
):
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    number = request.item.number
    assert as_user(invest_staff).get(f"/service-requests/{number}/").status_code == 404
    assert client.get(f"/service/track/{number}/wrong-token/").status_code == 404
    response = as_user(clerk).get(f"/service-requests/{number}/")
    assert response.status_code == 200 and "action-accept" in response.content.decode()
    version = request.item.version
    # Two clerks accept at once: one succeeds, the other is told.
    as_user(clerk).post(f"/service-requests/{number}/", {"action": "accept", "accept-version": version})
    second = as_user(clerk).post(
        f"/service-requests/{number}/", {"action": "accept", "accept-version": version}, follow=True
    )
    assert "当前状态" in second.content.decode() or "已被他人处理" in second.content.decode()
    assert Item.objects.get(pk=request.pk).events.filter(action="accept").count() == 1
    refused = as_user(econ_staff).post(
        f"/service-requests/{number}/", {"action": "accept", "accept-version": version}
    )
    assert refused.status_code == 404  # not yet dispatched to econ: not even visible


def test_the_public_form_is_rate_limited(client, centre, utilities, settings):
    settings.PUBLIC_FILINGS_PER_10_MIN = 2
    from django.core.cache import cache

    cache.clear()
    assert _file(client, utilities).status_code == 200
    assert _file(client, utilities).status_code == 200
    flooded = _file(client, utilities)
    assert flooded.status_code == 429 and ServiceRequest.objects.count() == 2


def test_a_wrong_credit_code_is_refused_in_words(client, centre, utilities):
    response = _file(client, utilities, credit_code="91220101MA0000000X")
    assert response.status_code == 200 and "receipt-number" not in response.content.decode()
    assert not ServiceRequest.objects.exists() and not Item.objects.exists()


def test_every_state_and_action_pair_not_allowed_is_refused(db, centre, clerk, econ, utilities):
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    kind = engine.KINDS["service_request"]
    for state in kind.states:
        for action, transition in kind.transitions.items():
            if state in transition.sources or action.startswith("rate_") or action == "supplement":
                continue
            Item.objects.filter(pk=request.pk).update(state=state, department=econ)
            with pytest.raises((ValidationError, PermissionDenied)):
                services.request_act(
                    actor=clerk,
                    request=request,
                    action=action,
                    comment="x",
                    department=econ,
                    outcome="solved",
                )
            assert Item.objects.get(pk=request.pk).state == state


def test_remind_warns_before_the_deadline_and_escalates_after_it(
    db, centre, clerk, econ, econ_staff, econ_head, leader, utilities
):
    import datetime as dt

    from django.core.management import call_command

    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    today = dt.date.today()
    Item.objects.filter(pk=request.pk).update(due_on=today)
    call_command("remind")
    assert Notification.objects.filter(user=econ_staff, title__contains="到期").exists()
    # Ten days overdue: straight to the highest level its lateness reaches, once.
    Item.objects.filter(pk=request.pk).update(due_on=today - dt.timedelta(days=14))
    call_command("remind")
    call_command("remind")
    item = Item.objects.get(pk=request.pk)
    assert item.supervision_level == 3
    assert item.events.filter(action="supervise").count() == 1
    assert Notification.objects.filter(user=leader, title__contains="3 级督办").count() == 1
    assert Notification.objects.filter(user=econ_head, title__contains="督办").exists()


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


def _plain(result):
    return [
        (row.label, row.counts, row.rates, row.average_days, row.rank)
        for row in [result["total"], *result["rows"]]
    ]


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


@pytest.fixture
def demo_requests(db, settings):
    from django.core.management import call_command

    settings.DEMO_REQUESTS = 50
    call_command("demo", "--setup-only")


def test_notifications_also_go_by_mail(
    db, centre, clerk, econ, make_user, utilities, mailoutbox, django_capture_on_commit_callbacks
):
    handler = make_user("mail-staff", Role.STAFF, econ, email="handler@example.gov.cn")
    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    services.request_act(actor=clerk, request=request, action="accept")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    assert [m.to for m in mailoutbox] == [["handler@example.gov.cn"]]
    assert request.item.number in mailoutbox[0].subject
    assert Notification.objects.filter(user=handler).count() == 1


def test_attachments_are_served_only_to_who_may_see_them(
    client, as_user, centre, clerk, econ, econ_staff, invest_staff, utilities, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4 demo"
    request, token = services.request_file(
        actor=clerk, category=utilities, attachments=[SimpleUploadedFile("负荷表.pdf", pdf)], **FORM
    )
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    services.request_act(
        actor=econ_staff,
        request=request,
        action="comment",
        comment="内部材料",
        attachments=[SimpleUploadedFile("内部.pdf", pdf)],
    )
    public, internal = (
        e.attachments.get() for e in request.item.events.exclude(attachments=None).order_by("id")
    )
    number = request.item.number
    response = as_user(econ_staff).get(f"/service-requests/{number}/files/{internal.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert as_user(invest_staff).get(f"/service-requests/{number}/files/{public.pk}/").status_code == 404
    assert client.get(f"/service/track/{number}/{token}/files/{public.pk}/").status_code == 200
    assert client.get(f"/service/track/{number}/{token}/files/{internal.pk}/").status_code == 404
    assert client.get(f"/service/track/{number}/wrong/files/{public.pk}/").status_code == 404


def test_the_centre_head_sets_time_limits_and_escalation_rules(
    db, as_user, centre, make_user, econ_head, utilities
):
    from xinqu.workflow.models import EscalationRule

    head = make_user("centre-head", Role.HEAD, centre)
    client = as_user(head)
    form = {
        "form": f"category-{utilities.pk}",
        f"c{utilities.pk}-name": "水电气暖",
        f"c{utilities.pk}-name_en": "Utilities",
        f"c{utilities.pk}-time_limit": 3,
        f"c{utilities.pk}-sort_order": 5,
    }
    assert client.post("/service-requests/settings/", form).status_code == 302
    utilities.refresh_from_db()
    assert utilities.time_limit == 3
    bad = client.post(
        "/service-requests/settings/", {"form": "escalation", "level_1": 3, "level_2": 2, "level_3": 5}
    )
    assert "逐级增加" in bad.content.decode()
    client.post(
        "/service-requests/settings/", {"form": "escalation", "level_1": 2, "level_2": 4, "level_3": 8}
    )
    assert sorted(
        EscalationRule.objects.filter(kind="service_request").values_list("level", "overdue_days")
    ) == [(1, 2), (2, 4), (3, 8)]
    assert as_user(econ_head).post("/service-requests/settings/", form).status_code == 403
    assert as_user(econ_head).get("/service-requests/settings/").status_code == 200


def test_a_duplicate_is_merged_with_both_timelines_intact(db, as_user, centre, clerk, econ_staff, utilities):
    first, _t1 = services.request_file(actor=clerk, category=utilities, **FORM)
    second, _t2 = services.request_file(actor=clerk, category=utilities, **FORM)
    with pytest.raises(PermissionDenied):
        engine.item_merge(actor=econ_staff, duplicate=second.item, into=first.item)
    response = as_user(clerk).post(
        f"/service-requests/{second.item.number}/",
        {"action": "merge", "into": first.item.number, "comment": "同一事项"},
    )
    assert response.status_code == 302
    second.item.refresh_from_db()
    assert (second.item.state, second.item.merged_into_id) == ("merged", first.pk)
    assert list(second.item.events.values_list("action", flat=True)) == ["open", "merge"]
    assert list(first.item.events.values_list("action", flat=True)) == ["open", "merged_in"]
    with pytest.raises(ValidationError):
        services.request_merge(
            actor=clerk, request=first, into_number=second.item.number
        )  # into a merged one
    with pytest.raises(ValidationError):
        services.request_merge(actor=clerk, request=first, into_number="SR-nope")
    # Through the API: the same rules.
    third, _t3 = services.request_file(actor=clerk, category=utilities, **FORM)
    api = f"/api/v1/service-requests/{third.item.number}/merge"
    assert as_user(clerk).post(api, {"into": "SR-nope"}, content_type="application/json").status_code == 422
    assert (
        as_user(clerk).post(api, {"into": third.item.number}, content_type="application/json").status_code
        == 422
    )
    merged = as_user(clerk).post(
        api, {"into": first.item.number, "comment": "重复"}, content_type="application/json"
    )
    assert merged.status_code == 200 and merged.json()["state"] == "merged"


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


def test_item_numbers_continue_the_day_and_survive_a_race(db, clerk, utilities, monkeypatch):
    first, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    prefix = first.item.number[:10]
    assert first.item.number == f"{prefix}0001"
    # The day already reached 9999: the next is 10000, not another 9999 or 1000.
    Item.objects.filter(pk=first.pk).update(number=f"{prefix}9999")
    second, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    assert second.item.number == f"{prefix}10000"
    # Another filing takes the number between our look and our insert: we take the next one.
    real = engine._number
    calls = []

    def racing(kind, now):
        calls.append(1)
        return f"{prefix}10000" if len(calls) == 1 else real(kind, now)

    monkeypatch.setattr(engine, "_number", racing)
    third, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    assert third.item.number == f"{prefix}10001"
    assert len(calls) == 2


def test_an_extension_needs_the_centres_approval(db, as_user, centre, clerk, econ, econ_staff, utilities):
    from xinqu.core.workdays import calendar

    request, _token = services.request_file(actor=clerk, category=utilities, **FORM)
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    item = Item.objects.get(pk=request.pk)
    due = item.due_on
    # Bad input changes nothing: no reason, no days, too many days; and the centre cannot ask.
    for bad in (
        {"comment": "", "days": 3},
        {"comment": "需协调供电公司", "days": None},
        {"comment": "x", "days": 31},
    ):
        with pytest.raises(ValidationError):
            services.request_act(actor=econ_staff, request=request, action="ask_extension", **bad)
    with pytest.raises(PermissionDenied):
        services.request_act(actor=clerk, request=request, action="ask_extension", comment="x", days=2)
    assert Item.objects.get(pk=request.pk).version == item.version
    # Asked through the page; the centre sees it waiting and approves it.
    asked = as_user(econ_staff).post(
        f"/service-requests/{item.number}/",
        {
            "action": "ask_extension",
            "ask_extension-comment": "需协调供电公司现场勘查",
            "ask_extension-days": "3",
            "ask_extension-version": item.version,
        },
    )
    assert asked.status_code == 302
    item.refresh_from_db()
    assert (item.extension_days, item.due_on) == (3, due)
    with pytest.raises(PermissionDenied):  # the department cannot approve its own request for time
        services.request_act(actor=econ_staff, request=request, action="approve_extension")
    with pytest.raises(ValidationError):  # one request at a time
        services.request_act(
            actor=econ_staff, request=request, action="ask_extension", comment="再延", days=2
        )
    waiting = as_user(clerk).get("/service-requests/?state=extension").content.decode()
    assert item.number in waiting and "延期待批" in waiting
    services.request_act(actor=clerk, request=request, action="approve_extension")
    item.refresh_from_db()
    assert item.extension_days is None and item.due_on == calendar().add(due, 3)
    event = item.events.get(action="approve_extension")
    assert event.data["days"] == 3 and event.data["due_after"] == item.due_on.isoformat()
    # Asked again and refused with a reason: the deadline stays.
    services.request_act(actor=econ_staff, request=request, action="ask_extension", comment="再延", days=2)
    with pytest.raises(ValidationError):
        services.request_act(actor=clerk, request=request, action="refuse_extension", comment="")
    services.request_act(
        actor=clerk, request=request, action="refuse_extension", comment="已延期一次，请按期办结"
    )
    assert Item.objects.get(pk=request.pk).due_on == item.due_on
    # A pending request lapses when the step ends.
    services.request_act(actor=econ_staff, request=request, action="ask_extension", comment="又延", days=1)
    services.request_act(
        actor=econ_staff, request=request, action="reply", comment="已协调", outcome="solved"
    )
    assert Item.objects.get(pk=request.pk).extension_days is None
    # Through the API as well.
    api = as_user(econ_staff)
    assert "ask_extension" not in api.get(f"/api/v1/service-requests/{item.number}").json()["actions"]


def test_the_public_filing_limit_holds_for_the_full_ten_minutes(
    client, centre, utilities, settings, monkeypatch
):
    import time as clock

    settings.PUBLIC_FILINGS_PER_10_MIN = 2
    start = clock.time()
    now = {"t": start}
    monkeypatch.setattr("xinqu.core.ratelimit.time.time", lambda: now["t"])
    assert _file(client, utilities).status_code == 200
    assert _file(client, utilities).status_code == 200
    for minutes in (1, 5.5, 9.5):
        now["t"] = start + minutes * 60
        assert _file(client, utilities).status_code == 429, minutes
    now["t"] = start + 10 * 60 + 1
    assert _file(client, utilities).status_code == 200
    assert ServiceRequest.objects.count() == 3
