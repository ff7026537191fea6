from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from xinqu.core.models import Notification
from xinqu.enterprises import services

pytestmark = pytest.mark.django_db


def test_remind_tells_the_service_officer_once_per_threshold(
    econ_staff, make_enterprise, kind, as_user, capsys
):
    today = timezone.localdate()
    enterprise = make_enterprise(name="将到期企业", service_officer=econ_staff)
    services.qualification_add(
        actor=econ_staff,
        enterprise=enterprise,
        kind=kind("tech_sme"),
        granted_on=today - dt.timedelta(days=340),
    )
    make_enterprise(name="无专员企业")
    call_command("remind")
    call_command("remind")  # a second run the same day sends nothing new
    note = Notification.objects.get()
    assert note.user == econ_staff
    assert "将到期企业" in note.title and "科技型中小企业" in note.title
    assert "sent" in capsys.readouterr().out
    page = as_user(econ_staff).get("/").content.decode()
    assert 'id="unread-count">1<' in page
    as_user(econ_staff).post("/notifications/")
    note.refresh_from_db()
    assert note.read_at is not None
