"""Working days on the State Council's holiday arrangements, kept by the system administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xinqu.core import services, workdays
from xinqu.core.models import AuditEntry, CalendarDay

D = dt.date


def test_the_2023_to_2026_arrangements_ship_with_every_install(db):
    assert CalendarDay.objects.count() == 142
    assert CalendarDay.objects.get(date=D(2024, 2, 18)).kind == "workday"  # a Sunday worked for 春节


def test_deadlines_skip_holidays_and_count_make_up_days(db):
    cal = workdays.calendar()
    assert cal.add(D(2024, 2, 8), 1) == D(2024, 2, 9)  # Thursday → Friday
    assert cal.add(D(2024, 2, 9), 1) == D(2024, 2, 18)  # over 春节 to the Sunday worked
    assert cal.add(D(2024, 9, 30), 1) == D(2024, 10, 8)  # over 国庆
    assert cal.add(D(2024, 9, 27), 1) == D(2024, 9, 29)  # the Sunday before 国庆 is worked
    assert cal.add(D(2024, 3, 1), 5) == D(2024, 3, 8)  # a plain week
    assert cal.add(D(2024, 3, 1), 0) == D(2024, 3, 1)
    assert cal.between(D(2024, 2, 9), D(2024, 2, 18)) == 1
    assert cal.between(D(2024, 2, 18), D(2024, 2, 9)) == -1
    assert cal.next_working_day(D(2024, 10, 1)) == D(2024, 10, 8)


def test_the_calendar_notices_changes(db, sysadmin):
    assert workdays.calendar().is_working_day(D(2027, 1, 1))
    services.calendar_days_set(actor=sysadmin, days=[(D(2027, 1, 1), "holiday", "元旦")])
    assert not workdays.calendar().is_working_day(D(2027, 1, 1))
    services.calendar_day_delete(actor=sysadmin, day=D(2027, 1, 1))
    assert workdays.calendar().is_working_day(D(2027, 1, 1))


def test_pasting_the_yearly_notice(db, as_user, sysadmin, econ_staff):
    client = as_user(sysadmin)
    response = client.post("/calendar/?year=2027", {"lines": "2027-01-01 放假 元旦\n2027-02-07 上班 春节\n"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2027, 2, 7)).kind == "workday"
    assert AuditEntry.objects.filter(object_type="core.CalendarDay", action="create").count() == 2
    page = client.get("/calendar/?year=2027").content.decode()
    assert 'data-date="2027-02-07" data-working="1"' in page
    assert as_user(econ_staff).get("/calendar/?year=2027").status_code == 200
    assert as_user(econ_staff).post("/calendar/?year=2027", {"lines": "2027-05-03 放假"}).status_code == 403


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("2027-13-01 放假 元旦", "不是日期"),
        ("2027-01-04 请假", "类型应为"),
        ("2027-01-04 上班", "本来就是工作日"),
        ("2027-01-02 放假", "本来就休息"),
        ("2027-01-01 放假\n2027-01-01 放假", "重复"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(db, sysadmin, lines, message):
    before = CalendarDay.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.calendar_days_set(
            actor=sysadmin, days=services.parse_calendar_lines("2027-10-01 放假 国庆\n" + lines)
        )
    assert CalendarDay.objects.count() == before


def test_the_api(db, as_user, sysadmin, econ_staff):
    body = as_user(econ_staff).get("/api/v1/calendar?year=2024").json()
    assert body["working_days"] == 251  # as published for 2024
    assert as_user(econ_staff).get("/api/v1/calendar?year=2025").json()["working_days"] == 248
    assert {"date": "2024-02-18", "kind": "workday", "name": "春节"} in body["days"]
    due = as_user(econ_staff).get("/api/v1/calendar/working-days?start=2024-02-09&days=1").json()
    assert due["due"] == "2024-02-18"
    payload = [{"date": "2027-05-03", "kind": "holiday", "name": "劳动节"}]
    assert (
        as_user(econ_staff).post("/api/v1/calendar", payload, content_type="application/json").status_code
        == 403
    )
    response = as_user(sysadmin).post("/api/v1/calendar", payload, content_type="application/json")
    assert response.status_code == 200 and CalendarDay.objects.filter(date=D(2027, 5, 3)).exists()
    bad = as_user(sysadmin).post(
        "/api/v1/calendar", [{"date": "2027-05-08", "kind": "holiday"}], content_type="application/json"
    )
    assert bad.status_code == 422


def test_a_deadline_past_the_last_year_entered_is_flagged_not_silent(db, caplog, as_user, sysadmin):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    cal = workdays.calendar()
    assert cal.last_year == 2026
    with caplog.at_level("WARNING", logger="xinqu.core.workdays"):
        assert cal.add(D(2026, 12, 30), 5) == D(2027, 1, 6)
    assert "last year of holiday arrangements" in caplog.text
    late = SimpleNamespace(due_on=D(2027, 1, 6), supervision_level=0, extension_days=None)
    assert "已录入的节假日安排（至 2026 年）" in render_to_string("workflow/_flags.html", {"item": late})
    known = SimpleNamespace(due_on=D(2026, 12, 30), supervision_level=0, extension_days=None)
    assert "deadline-estimated" not in render_to_string("workflow/_flags.html", {"item": known})


def test_the_calendar_page_warns_when_next_year_is_missing(db, as_user, sysadmin, settings, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: D(2026, 12, 1))
    page = as_user(sysadmin).get("/calendar/").content.decode()
    assert "2027 年的安排尚未录入" in page
    monkeypatch.setattr(timezone, "localdate", lambda *a: D(2026, 3, 1))
    assert "calendar-horizon" not in as_user(sysadmin).get("/calendar/").content.decode()


def test_the_api_says_when_a_deadline_is_only_estimated(db, as_user, make_user, econ, econ_staff):
    from xinqu.core.models import Department
    from xinqu.core.roles import Role
    from xinqu.service_requests import services as requests
    from xinqu.service_requests.models import Category

    clerk = make_user(
        "clerk", Role.STAFF, Department.objects.create(code="business-env", name="营商环境建设局")
    )
    request, _token = requests.request_file(
        actor=clerk,
        category=Category.objects.get(name="水电气暖"),
        enterprise_name="某企业",
        contact_name="刘经理",
        contact_phone="13800000000",
        description="用电增容",
    )
    api = as_user(clerk)
    url = f"/api/v1/service-requests/{request.item.number}"
    request.item.due_on = D(2026, 6, 1)
    request.item.save(update_fields=["due_on"])
    assert api.get(url).json()["due_on_estimated"] is False
    request.item.due_on = D(2027, 1, 6)
    request.item.save(update_fields=["due_on"])
    assert api.get(url).json()["due_on_estimated"] is True
