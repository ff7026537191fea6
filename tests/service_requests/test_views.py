"""The pages: departments kept apart, the public form and its limits, attachments, settings."""

from __future__ import annotations

from tests.service_requests.helpers import FORM, _file
from xinqu.core.models import Notification
from xinqu.core.roles import Role
from xinqu.service_requests import services
from xinqu.service_requests.models import ServiceRequest
from xinqu.workflow.models import Item


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


def test_the_public_form_takes_an_email_instead_of_a_phone_but_not_neither(client, centre, utilities):
    neither = _file(client, utilities, contact_phone="")
    assert "请填写联系电话或电子邮箱，至少一项。" in neither.content.decode()
    assert not ServiceRequest.objects.exists() and not Item.objects.exists()
    by_mail = _file(
        client, utilities, contact_phone="", contact_email="liu@example.com", address="硅谷大街 1 号"
    )
    assert "receipt-number" in by_mail.content.decode()
    sr = ServiceRequest.objects.get()
    assert (sr.contact_phone, sr.contact_email, sr.address) == ("", "liu@example.com", "硅谷大街 1 号")


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


def test_the_queue_puts_new_arrivals_first_and_overdue_work_in_its_own_band(
    client, as_user, clerk, econ, econ_staff, utilities
):
    """A department finds a request dispatched to it today at the top, not on page 3 behind the
    oldest deadlines; what is past its deadline comes next, in a band of its own."""
    import datetime as dt
    import re

    from django.utils import timezone

    from tests.service_requests.helpers import _public
    from xinqu.service_requests import services
    from xinqu.workflow.models import Item

    handled = []
    for _n in range(3):
        request, _link = _public(client, utilities)
        services.request_act(actor=clerk, request=request, action="accept")
        services.request_act(actor=clerk, request=request, action="dispatch", department=econ)
        services.request_act(actor=econ_staff, request=request, action="sign_for")
        handled.append(request.item.number)
    Item.objects.filter(number=handled[0]).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    Item.objects.filter(number=handled[1]).update(due_on=timezone.localdate() + dt.timedelta(days=2))
    Item.objects.filter(number=handled[2]).update(due_on=timezone.localdate() + dt.timedelta(days=1))
    fresh, _link = _public(client, utilities)
    services.request_act(actor=clerk, request=fresh, action="accept")
    services.request_act(actor=clerk, request=fresh, action="dispatch", department=econ)
    page = as_user(econ_staff).get("/service-requests/").content.decode()
    numbers = re.findall(r'<tr data-number="([^"]+)"', page)
    assert numbers == [fresh.item.number, handled[0], handled[2], handled[1]]
    assert re.findall(r'data-band="(\d)"', page) == ["0", "1", "2"]
    assert "已超过办理期限" in page


def test_a_done_action_says_what_happened_and_where_the_request_now_stands(
    client, as_user, clerk, econ, utilities
):
    from tests.service_requests.helpers import _public
    from xinqu.service_requests import services

    request, _link = _public(client, utilities)
    services.request_act(actor=clerk, request=request, action="accept")
    item = request.item
    item.refresh_from_db()
    page = as_user(clerk).post(
        f"/service-requests/{item.number}/",
        {"action": "dispatch", "dispatch-department": econ.pk, "dispatch-version": item.version},
        follow=True,
    )
    item.refresh_from_db()
    text = page.content.decode()
    assert (
        f"已派单：{item.number} 现为“待签收”，承办部门：{econ.name}，期限 {item.due_on.isoformat()}。" in text
    )
