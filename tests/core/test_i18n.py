"""Chinese first, a complete English translation, and a language switch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polib
import pytest

import xinqu

pytestmark = pytest.mark.django_db
LOCALE = Path(xinqu.__file__).parent / "locale"


def test_login_page_is_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录新区高质量发展平台" in page


def test_switching_to_english_translates_the_page(as_user, econ_staff):
    client = as_user(econ_staff)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/updates/"})
    assert response.status_code == 302
    page = client.get("/updates/").content.decode()
    assert '<html lang="en">' in page
    assert "Work updates" in page and "工作动态" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工作动态" in client.get("/updates/").content.decode()


def test_english_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(LOCALE / "en/LC_MESSAGES/django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo if e.msgid}
    assert compiled == {e.msgid: e.msgstr for e in po.translated_entries()}, "run `make messages`"


def _cjk(text: str) -> set[str]:
    return {
        ch
        for ch in text
        if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
    }


@pytest.mark.parametrize(
    ("persona", "paths"),
    [
        (
            "staff",
            [
                "/",
                "/updates/",
                "/updates/new/",
                "/org/",
                "/accounts/password/",
                "/enterprises/import/",
                "/enterprises/expiring/",
                "/enterprises/visits/",
                "/enterprises/chains/",
                "/notifications/",
                "/indicators/",
                "/indicators/catalog/",
                "/indicators/returns/",
                "/indicators/import/",
                "/indicators/targets/",
                "/calendar/?year=2030",
                "/service-requests/",
                "/service-requests/new/",
                "/service-requests/metrics/?year=2030",
                "/safety/",
                "/safety/new/",
                "/projects/",
                "/projects/new/",
                "/projects/statistics/",
                "/projects/meeting/",
                "/projects/timeline/",
                "/projects/rules/",
                "/projects/import/",
            ],
        ),
        ("system_admin", ["/", "/users/", "/users/new/", "/org/units/new/", "/calendar/?year=2030"]),
        ("audit_admin", ["/audit/"]),
    ],
)
def test_english_pages_carry_no_chinese_interface_text(client, make_user, persona, paths):
    from xinqu.core.models import Department

    department = Department.objects.create(code="econ", name="Econ")
    user = make_user(f"en-{persona}", persona, department if persona == "staff" else None)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        leftover = _cjk(page.replace("简体中文", ""))
        assert not leftover, f"{path} shows untranslated text: {''.join(sorted(leftover))}"


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page


def test_api_clients_may_ask_for_english(client):
    response = client.get("/api/v1/whoami", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"


def test_the_plan_pages_in_english(client, make_user):
    from decimal import Decimal

    from xinqu.core.models import Department
    from xinqu.plans import services

    office = Department.objects.create(code="office", name="Office")
    user = make_user("en-office", "staff", office)
    plan = services.plan_save(actor=user, year=2030, title="Plan 2030")
    programme = services.node_save(actor=user, plan=plan, kind="programme", code="1", title="Programme one")
    kpi = services.node_save(
        actor=user, plan=plan, parent=programme, kind="kpi", code="1.1", title="Projects",
        lead_department=office, target_value=Decimal(5), unit="", deadline=None,
    )  # fmt: skip
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in [
        "/plans/",
        "/plans/2030/",
        "/plans/2030/my/",
        "/plans/2030/periods/",
        "/plans/2030/watch/",
        "/plans/2030/scores/",
        "/plans/2030/settings/",
        "/plans/2030/import/",
        "/plans/2030/copy/",
        "/plans/2030/nodes/new/",
        f"/plans/2030/nodes/{kpi.pk}/",
        f"/plans/2030/nodes/{kpi.pk}/edit/",
        "/plans/2030/reports/2030-01/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        leftover = _cjk(response.content.decode().replace("简体中文", ""))
        assert not leftover, f"{path} shows untranslated text: {''.join(sorted(leftover))}"


def test_an_empty_choice_reads_as_words_not_dashes(as_user, econ_staff, zone):
    """Django's "---------" never reaches a user: the empty choice of every select says 请选择."""
    page = as_user(econ_staff).get("/enterprises/new/").content.decode()
    assert "---------" not in page and "（请选择）" in page


def test_a_notification_reads_in_the_readers_language_not_the_senders(as_user, econ_staff, econ_head):
    """The clerk works in Chinese and the head reads in English: the notice the clerk's action
    sends is shown to the head in English, and switches back with the head's language."""
    from django.utils.translation import gettext_noop, override

    from xinqu.core.models import Notification
    from xinqu.core.phrases import Phrase
    from xinqu.core.services import notify

    with override("zh-hans"):
        notify(
            user=econ_head,
            key="k1",
            title=Phrase(gettext_noop("%(period)s 经济指标填报待审核"), period="2024-02"),
            body=Phrase(gettext_noop("%(who)s 已上报，请审核。"), who="王会计"),
            url="/indicators/returns/",
        )
        notify(
            user=econ_head,
            key="k2",
            title=Phrase(
                gettext_noop("%(name)s 的“%(kind)s”将于 %(date)s 到期"),
                name="长春光机",
                kind=Phrase.names("高新技术企业", "High-tech enterprise"),
                date=dt.date(2027, 3, 1),
            ),
        )
    stored = Notification.objects.get(key="k1")
    assert stored.title == "2024-02 经济指标填报待审核", "the text column keeps the zone's language"
    client = as_user(econ_head)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/notifications/").content.decode()
    assert "2024-02" in page and "经济指标填报待审核" not in page and "请审核" not in page
    assert "王会计" in page and "High-tech enterprise" in page and "2027-03-01" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/notifications/").content.decode()
    assert "2024-02 经济指标填报待审核" in page and "“高新技术企业”将于 2027-03-01 到期" in page
