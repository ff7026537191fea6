"""Open311 GeoReport v2 as the spec says, checked by the client in georeport.py: XML and JSON,
phone or e-mail, the location kept, the filters and their 90-day default, full timestamps, the
spec's errors for every status, and a public GET that shows only what the zone publishes."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest
from django.db import DatabaseError
from django.test import RequestFactory
from django.utils import timezone

from tests.service_requests.georeport import GeoReportClient
from xinqu.core import services as core_services
from xinqu.core.models import AuditEntry, Department
from xinqu.core.roles import Role
from xinqu.core.views import server_error
from xinqu.service_requests import services
from xinqu.service_requests.models import Category, Publication, ServiceRequest
from xinqu.workflow.models import Item

PLACE = {"lat": "43.886841", "long": "125.324500", "address_string": "长春新区硅谷大街 1 号"}
FILING = {
    "description": "新厂房电力增容申请迟迟未办理",
    "first_name": "刘",
    "last_name": "经理",
    "email": "liu@example.com",
    "attribute[enterprise_name]": "长春某光电科技有限公司",
    **PLACE,
}


@pytest.fixture
def code(db):
    return str(Category.objects.get(name="融资").pk)


@pytest.fixture
def head(make_user, centre):
    return make_user("centre-head", Role.HEAD, centre)


@pytest.fixture(params=["xml", "json"])
def fmt(request):
    return request.param


def _file_at(moment, category, **extra):
    sr, _token = services.request_file(
        actor=None,
        category=category,
        enterprise_name=extra.pop("enterprise_name", "某机密光电企业"),
        contact_name="王",
        contact_phone="13900000000",
        description=extra.pop("description", "内部诉求文字"),
        now=moment,
        **extra,
    )
    return sr.item.number


def test_services_discovery_and_definitions_read_alike_in_xml_and_json(client, db):
    xml, json_ = GeoReportClient(client, "xml").services(), GeoReportClient(client, "json").services()
    assert xml.status == json_.status == 200 and xml.body == json_.body
    loan = next(s for s in xml.body if s["service_name"] == "融资")
    assert loan["metadata"] == "true" and "工作日" in loan["description"]
    for fmt in ("xml", "json"):
        spec = GeoReportClient(client, fmt)
        definition = spec.definition(loan["service_code"])
        assert definition.status == 200
        assert [a["code"] for a in definition.body["attributes"]] == ["enterprise_name", "credit_code"]
        assert {a["datatype"] for a in definition.body["attributes"]} == {"string"}
        assert spec.definition("999").status == 404
        discovery = GeoReportClient(client, fmt, base="/open311/").get("discovery", "discovery")
        assert discovery.body["endpoints"][0]["formats"] == [
            "text/xml; charset=utf-8",
            "application/json; charset=utf-8",
        ]


def test_a_client_files_with_an_email_and_a_place_and_reads_them_back(client, as_user, clerk, code, fmt):
    filed = GeoReportClient(client, fmt).file(service_code=code, **FILING)
    assert filed.status == 201, filed.body
    number = filed.body[0]["service_request_id"]
    assert "/service/track/" in filed.body[0]["service_notice"]
    sr = ServiceRequest.objects.get(item__number=number)
    assert (sr.contact_phone, sr.contact_email, sr.contact_name) == ("", "liu@example.com", "刘 经理")
    assert (sr.latitude, sr.longitude, sr.address) == (
        Decimal("43.886841"),
        Decimal("125.3245"),
        PLACE["address_string"],
    )
    one = GeoReportClient(as_user(clerk), fmt).request(number).body[0]
    assert (one["status"], one["service_name"], one["description"]) == ("open", "融资", FILING["description"])
    assert (float(one["lat"]), float(one["long"]), one["address"]) == (
        43.886841,
        125.3245,
        PLACE["address_string"],
    )
    # The deadline is a full timestamp in the zone's time: the last second of the due working day.
    assert one["expected_datetime"] == f"{sr.item.due_on.isoformat()}T23:59:59+08:00"
    assert one["requested_datetime"].endswith("+08:00")


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"service_code": "999"}, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, "lat"),
        ({"lat": "", "long": "", "address_string": "", "address_id": "A-1"}, "address_id"),
        ({"email": "", "phone": ""}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"long": ""}, "lat"),
        ({"lat": "91"}, "lat"),
        ({"long": "abc"}, "long"),
        ({"lat": "NaN"}, "lat"),
        ({"description": ""}, "description"),
        ({"attribute[credit_code]": "91220101MA0000000X"}, "attribute[credit_code]"),
    ],
)
def test_bad_filings_name_the_argument_and_write_nothing(client, code, fmt, change, argument):
    fields = {"service_code": code, **FILING, **change}
    answer = GeoReportClient(client, fmt).file(**fields)
    assert answer.status == 400, answer.body
    assert argument in answer.error
    assert not ServiceRequest.objects.exists() and not Item.objects.exists()


def test_the_public_reads_only_what_the_zone_publishes(client, as_user, head, clerk, code, fmt):
    number = _file_at(
        timezone.now(),
        Category.objects.get(pk=code),
        address="某厂区",
        latitude=Decimal("43.9"),
        longitude=Decimal("125.3"),
    )
    Item.objects.filter(number=number).update(
        department=Department.objects.create(code="water", name="水务局")
    )
    public = GeoReportClient(client, fmt)
    record = public.requests().body[0]
    assert (record["service_request_id"], record["service_name"], record["status"]) == (
        number,
        "融资",
        "open",
    )
    assert record["requested_datetime"] and record["expected_datetime"]
    assert (record["description"], record["address"], record["lat"], record["agency_responsible"]) == (
        "",
        "",
        "",
        "",
    )
    assert public.request(number).body == [record]
    for answer in (
        client.get(f"/open311/v2/requests.{fmt}"),
        client.get(f"/open311/v2/requests/{number}.{fmt}"),
    ):
        assert (
            "某机密光电企业" not in answer.content.decode() and "内部诉求文字" not in answer.content.decode()
        )
    # The zone chooses: the handling department too, or nothing at all.
    services.publication_set(actor=head, level=Publication.Level.AGENCY)
    assert public.requests().body[0]["agency_responsible"] == "水务局"
    services.publication_set(actor=head, level=Publication.Level.NONE)
    assert public.requests().status == 403
    assert public.request(number).status == 404
    assert GeoReportClient(as_user(clerk), fmt).requests().body[0]["description"] == "内部诉求文字"


def test_staff_read_in_full_by_token_and_others_read_the_public_form(client, as_user, clerk, make_user, code):
    number = _file_at(timezone.now(), Category.objects.get(pk=code))
    key = core_services.api_token_issue(actor=None, user=clerk)
    by_header = GeoReportClient(client, "json", Authorization=f"Bearer {key}").request(number)
    assert by_header.body[0]["description"] == "内部诉求文字"
    by_key = GeoReportClient(client, "xml").get("requests", "requests", api_key=key)
    assert by_key.body[0]["description"] == "内部诉求文字"
    outsider = make_user("other", Role.STAFF, Department.objects.create(code="tax", name="税务局"))
    seen = GeoReportClient(as_user(outsider), "json").request(number).body[0]
    assert seen["service_request_id"] == number and seen["description"] == ""


def test_filters_and_the_ninety_day_window_follow_the_spec(client, code, fmt):
    loan, water = Category.objects.get(pk=code), Category.objects.get(name="水电气暖")
    now = timezone.now()
    old = _file_at(now - dt.timedelta(days=100), loan)
    recent = _file_at(now - dt.timedelta(days=10), water)
    today = _file_at(now, loan)
    Item.objects.filter(number=recent).update(state="closed")
    spec = GeoReportClient(client, fmt)

    def ids(**params):
        answer = spec.requests(**params)
        assert answer.status == 200, answer.body
        return [r["service_request_id"] for r in answer.body]

    assert ids() == [today, recent]  # the last 90 days, newest first
    assert ids(status="open") == [today] and ids(status="closed") == [recent]
    assert ids(status="open,closed") == [today, recent]
    assert ids(service_code=str(water.pk)) == [recent]
    assert ids(service_code=f"{water.pk},{loan.pk}") == [today, recent]
    start = (now - dt.timedelta(days=120)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - dt.timedelta(days=50)).isoformat(timespec="seconds")
    assert ids(start_date=start, end_date=end) == [old]
    assert ids(start_date=start) == [old]  # ninety days on from the start
    assert ids(service_request_id=f"{old},{today}", status="closed") == [today, old]  # ids override the rest
    for bad in (
        {"status": "pending"},
        {"service_code": "loan"},
        {"start_date": "yesterday"},
        {"start_date": "99999-01-01T00:00:00Z"},
        {"start_date": "0001-01-01T00:00:00Z"},
        {"start_date": end, "end_date": start},
        {"start_date": start, "end_date": now.isoformat()},  # 120 days: more than the spec's 90
    ):
        answer = spec.requests(**bad)
        assert answer.status == 400, bad
        assert next(iter(bad)) in answer.error or "90" in answer.error


def test_every_refusal_is_the_spec_s_error_document(client, code, fmt, settings):
    spec = GeoReportClient(client, fmt)
    assert spec.get("no-such-thing").status == 404
    assert GeoReportClient(client, fmt, base="/open311/v3/").get("services").status == 404
    assert spec.request("SR-0000-0000").status == 404
    wrong = spec._read(client.delete(f"/open311/v2/requests.{fmt}"), "requests")
    assert wrong.status == 405 and wrong.headers["Allow"] == "GET, POST"
    settings.PUBLIC_FILINGS_PER_10_MIN = 1
    assert spec.file(service_code=code, **FILING).status == 201
    flood = spec.file(service_code=code, **FILING)
    assert flood.status == 429 and "十分钟" in flood.error
    # The database down: the spec's document with 503, as the server's own error handler writes it.
    request = RequestFactory().get(f"/open311/v2/requests.{fmt}")
    try:
        raise DatabaseError("connection refused")
    except DatabaseError:
        assert sys.exc_info()[0] is DatabaseError
        down = spec._read(server_error(request), "requests")
    assert down.status == 503 and down.headers["Retry-After"] == "30"


def test_the_centre_head_sets_what_is_published_and_others_may_not(as_user, head, clerk):
    page = as_user(head).post("/service-requests/settings/", {"form": "publication", "level": "none"})
    assert page.status_code == 302
    assert Publication.objects.get().level == "none"
    entry = AuditEntry.objects.filter(object_type="service_requests.Publication").latest("at")
    assert entry.actor_id == head.pk
    refused = as_user(clerk).post("/service-requests/settings/", {"form": "publication", "level": "basic"})
    assert refused.status_code == 403 and Publication.objects.get().level == "none"
    shown = as_user(clerk).get("/service-requests/settings/").content.decode()
    assert "不公开" in shown and "/open311/v2/requests.xml" in shown
    bad = as_user(head).post("/service-requests/settings/", {"form": "publication", "level": "everything"})
    assert bad.status_code == 200 and Publication.objects.get().level == "none"
