"""The request's path through the workflow, from filing to rating, and every way to misuse it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.service_requests.helpers import FORM, _public
from xinqu.core.models import Notification
from xinqu.service_requests import services
from xinqu.workflow import engine
from xinqu.workflow.models import Item


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
    assert "您反映的问题是否已经解决" in client.get(link).content.decode()
    version = Item.objects.get(pk=request.pk).version
    # A rating without the callback answer is refused, and nothing moves.
    client.post(link, {"action": "rate_satisfied", "requester-version": version})
    request.refresh_from_db()
    assert (request.item.state, request.rating) == ("replied", "")
    client.post(link, {"action": "rate_satisfied", "requester-version": version, "requester-solved": "no"})
    request.refresh_from_db()
    assert (request.item.state, request.rating, request.outcome) == ("closed", "satisfied", "solved")
    # The department said solved; the enterprise said not: 解决率 takes the enterprise's word.
    assert (request.first_rating, request.confirmed_solved) == ("satisfied", False)
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
        services.requester_act(
            request=request, action="rate_dissatisfied", comment="问题仍未解决", solved=False
        )
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


def test_a_public_filing_is_told_to_the_service_centre(client, centre, clerk, econ_staff, utilities):
    request, _link = _public(client, utilities)
    notice = Notification.objects.get(user=clerk)
    assert request.item.number in notice.title and "待受理" in notice.title
    assert not Notification.objects.filter(user=econ_staff).exists()  # not dispatched yet


def test_the_tracking_page_shows_each_step_the_department_and_the_outcome(
    client, centre, clerk, econ, econ_staff, utilities
):
    request, link = _public(client, utilities)
    page = client.get(link).content.decode()
    assert "尚未派单" in page and "尚未答复" in page
    services.request_act(actor=clerk, request=request, action="accept")
    services.request_act(
        actor=clerk, request=request, action="dispatch", department=econ, comment="内部：优先办"
    )
    services.request_act(actor=econ_staff, request=request, action="sign_for")
    services.request_act(
        actor=econ_staff, request=request, action="reply", comment="增容已批复", outcome="solved"
    )
    page = client.get(link).content.decode()
    import re

    steps = re.findall(r'data-step="([a-z_]+)"', page)
    assert steps[:5] == ["open", "accept", "dispatch", "sign_for", "reply"]
    assert f"→ {econ.name}" in page and f'id="handling-department">{econ.name}<' in page
    assert 'id="request-outcome">已解决<' in page and "增容已批复" in page
    assert "内部：优先办" not in page and econ_staff.display_name not in page  # no internal notes or names
