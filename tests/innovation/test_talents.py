"""Talent: one registration per person and programme, support paid within what was promised
unless confirmed, reviews that claw back by rule, personal data masked with every reveal logged,
the figures, the export and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from xinqu.core.feeds import feed
from xinqu.core.models import AuditEntry
from xinqu.innovation import services
from xinqu.innovation.models import Platform, SupportPayment, Talent, TalentProgramme

pytestmark = pytest.mark.django_db
ID = "220104198805061234"
PHONE = "13912345678"


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def programme(db):
    return TalentProgramme.objects.create(
        name="创新型人才计划", category="innovative", started_on=dt.date(2019, 9, 1)
    )


@pytest.fixture
def host(tech):
    return Platform.objects.create(
        code="PT2020001",
        name="光电子孵化器",
        kind="incubator",
        institution="长春理工大学",
        department=tech,
        created_on=dt.date(2020, 1, 1),
    )


@pytest.fixture
def talent(tech_staff, programme, host):
    return services.talent_create(
        actor=tech_staff,
        programme=programme,
        name="王明远",
        id_number=ID,
        phone=PHONE,
        host_platform=host,
        recruited_on=dt.date(2024, 3, 1),
        support_promised=Decimal("100"),
    )


def test_one_person_registers_once_in_a_programme(tech_staff, talent, programme, host):
    with pytest.raises(ValidationError, match="已在“创新型人才计划”中登记"):
        services.talent_create(
            actor=tech_staff,
            programme=programme,
            name="王明远",
            id_number=ID.lower(),
            host_platform=host,
            recruited_on=_today(),
        )
    other = TalentProgramme.objects.create(
        name="海外高层次人才计划", category="overseas", started_on=dt.date(2020, 1, 1)
    )
    services.talent_create(
        actor=tech_staff,
        programme=other,
        name="王明远",
        id_number=ID,
        host_platform=host,
        recruited_on=_today(),
    )
    assert Talent.objects.count() == 2
    with pytest.raises(ValidationError, match="用人企业或依托平台"):
        services.talent_create(
            actor=tech_staff, programme=programme, name="李四", id_number="X1", recruited_on=_today()
        )


def test_support_beyond_the_promise_needs_a_confirmation_and_a_reason(tech_staff, talent):
    services.payment_add(actor=tech_staff, talent=talent, paid_on=dt.date(2024, 4, 1), amount=Decimal("80"))
    with pytest.raises(ValidationError, match=r"超过承诺支持 100\.00 万元"):
        services.payment_add(
            actor=tech_staff, talent=talent, paid_on=dt.date(2024, 5, 1), amount=Decimal("30")
        )
    with pytest.raises(ValidationError, match="请勾选确认并写明理由"):
        services.payment_add(
            actor=tech_staff,
            talent=talent,
            paid_on=dt.date(2024, 5, 1),
            amount=Decimal("30"),
            confirm_over=True,
        )
    assert SupportPayment.objects.count() == 1
    services.payment_add(
        actor=tech_staff,
        talent=talent,
        paid_on=dt.date(2024, 5, 1),
        amount=Decimal("30"),
        confirm_over=True,
        over_reason="追加配套",
    )
    assert services.paid_to(talent) == Decimal("110")


def test_a_review_below_the_threshold_claws_back_by_the_rule(tech_staff, talent, as_user):
    services.payment_add(actor=tech_staff, talent=talent, paid_on=dt.date(2024, 4, 1), amount=Decimal("80"))
    passed = services.review_add(actor=tech_staff, talent=talent, reviewed_on=_today(), score=Decimal("75"))
    assert passed.clawed_back == 0
    client = as_user(tech_staff)
    assert (
        client.post(
            "/innovation/talents/programmes/", {"form": "rule", "threshold": "80", "clawback_percent": "25"}
        ).status_code
        == 302
    )
    failed = services.review_add(actor=tech_staff, talent=talent, reviewed_on=_today(), score=Decimal("70"))
    assert failed.clawed_back == Decimal("20.00")  # 25 % of the 80 paid
    assert services.paid_to(talent) == Decimal("60")
    page = client.get(f"/innovation/talents/{talent.pk}/").content.decode()
    assert "追回" in page and "-20.00" in page
    with pytest.raises(ValidationError, match="0 到 100"):
        services.review_add(actor=tech_staff, talent=talent, reviewed_on=_today(), score=Decimal("101"))


def test_personal_data_is_masked_everywhere_and_each_reveal_is_logged(
    tech_staff, econ_staff, leader, talent, as_user
):
    for user in (tech_staff, econ_staff, leader):
        page = as_user(user).get(f"/innovation/talents/{talent.pk}/").content.decode()
        assert ID not in page and PHONE not in page and "220*" in page
        assert ID not in as_user(user).get("/innovation/talents/").content.decode()
        api = as_user(user).get(f"/api/v1/talents/{talent.pk}").json()
        assert api["id_number"].startswith("220") and "*" in api["id_number"]
    export = as_user(leader).get("/innovation/talents/?format=xlsx")
    cells = [
        str(v)
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        for v in row
    ]
    assert ID not in cells and PHONE not in cells
    # The audit log keeps them masked too.
    created = AuditEntry.objects.get(action="create", object_type="innovation.Talent")
    assert ID not in str(created.changes) and PHONE not in str(created.changes)
    # Only the bureau reveals them, and each reveal is logged.
    assert (
        as_user(econ_staff).post(f"/innovation/talents/{talent.pk}/", {"form": "reveal"}).status_code == 403
    )
    assert as_user(leader).post(f"/api/v1/talents/{talent.pk}/personal").status_code == 403
    revealed = (
        as_user(tech_staff).post(f"/innovation/talents/{talent.pk}/", {"form": "reveal"}).content.decode()
    )
    assert ID in revealed and PHONE in revealed
    assert as_user(tech_staff).post(f"/api/v1/talents/{talent.pk}/personal").json() == {
        "id_number": ID,
        "phone": PHONE,
    }
    assert (
        AuditEntry.objects.filter(
            action="reveal", object_type="innovation.Talent", actor_username="tech-staff"
        ).count()
        == 2
    )


def test_talent_figures_and_the_shared_talent_project_count(tech_staff, talent, econ_staff, as_user):
    assert feed("innovation.talents").compute(2024, dt.date(2024, 12, 31)).value == 1
    assert feed("innovation.talents_innovative").compute(2024, dt.date(2024, 12, 31)).value == 1
    assert feed("innovation.talents_overseas").compute(2024, dt.date(2024, 12, 31)).value == 0
    by_programme = feed(f"talent_programme.{talent.programme_id}")
    assert by_programme.compute(2024, dt.date(2024, 12, 31)).value == 1 and "创新型人才计划" in str(
        by_programme.label
    )
    assert feed("talent_programme.99999") is None
    page = as_user(econ_staff).get("/innovation/talents/").content.decode()
    assert 'id="talent-projects"' in page  # the 三个五 figure, read from the investment ledger
    with pytest.raises(PermissionDenied):
        services.payment_add(actor=econ_staff, talent=talent, paid_on=_today(), amount=Decimal(1))


def test_the_talent_pages_and_api_register_and_pay(tech_staff, programme, host, as_user):
    client = as_user(tech_staff)
    posted = {
        "programme": programme.pk,
        "name": "张志强",
        "id_number": "G12345678",
        "host_platform": host.pk,
        "recruited_on": "2025-05-01",
        "service_years": "3",
        "support_promised": "50",
    }
    assert client.post("/innovation/talents/new/", posted).status_code == 302
    again = client.post("/innovation/talents/new/", {**posted, "name": "张志强（重复）"})
    assert again.status_code == 200 and "同一计划不能重复登记" in again.content.decode()
    saved = Talent.objects.get(name="张志强")
    over = client.post(
        f"/api/v1/talents/{saved.pk}/payments",
        {"paid_on": "2025-06-01", "amount": "60"},
        content_type="application/json",
    )
    assert over.status_code == 422 and "超过承诺支持" in over.content.decode()
    paid = client.post(
        f"/api/v1/talents/{saved.pk}/payments",
        {"paid_on": "2025-06-01", "amount": "20"},
        content_type="application/json",
    )
    assert paid.status_code == 201 and Decimal(paid.json()["paid"]) == 20
    created = client.post(
        "/api/v1/talents",
        {
            "programme": programme.pk,
            "name": "赵海燕",
            "id_number": "220104199001011111",
            "host_platform": host.code,
            "recruited_on": "2025-01-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and "*" in created.json()["id_number"]


def _sheet(columns, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in columns])
    for row in rows:
        ws.append([row.get(c.header) for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_talent_and_project_ledgers_import_all_rows_or_none(tech_staff, econ_staff, programme, host, as_user):
    from xinqu.innovation.imports import PROJECT_COLUMNS, TALENT_COLUMNS, projects_import, talents_import
    from xinqu.innovation.models import InnovationProject

    row = {
        "引才计划": "创新型人才计划",
        "姓名或团队名称": "王明远",
        "证件号码": ID,
        "依托平台（平台编号）": host.code,
        "引进日期": "2024-03-01",
        "承诺支持（万元）": "50",
    }
    twice = {**row, "姓名或团队名称": "王明远（重复）"}
    unknown = {**row, "姓名或团队名称": "李四", "证件号码": "X2", "引才计划": "不存在的计划"}
    report = talents_import(
        actor=tech_staff, file=_sheet(TALENT_COLUMNS, [row, twice, unknown]), dry_run=False
    )
    reasons = {(e.row, e.column): (e.value, e.reason) for e in report.errors}
    assert "同一计划不能重复登记" in reasons[(3, "证件号码")][1] and ID not in str(report.to_dict())
    assert "没有这个引才计划" in reasons[(4, "引才计划")][1]
    assert not Talent.objects.exists(), "all rows or none"
    assert talents_import(actor=tech_staff, file=_sheet(TALENT_COLUMNS, [row]), dry_run=False).created == 1
    assert talents_import(actor=econ_staff, file=_sheet(TALENT_COLUMNS, [row]), dry_run=False).fatal
    good = {
        "项目名称": "车规级传感器联合攻关",
        "项目类别": "揭榜挂帅",
        "承担单位（高校、院所等）": "长春理工大学",
        "立项日期": "2025-04-01",
        "依托平台（平台编号）": host.code,
        "总投入（万元）": "500",
        "财政支持（万元）": "100",
    }
    bad = {**good, "项目名称": "错类别", "项目类别": "重大专项"}
    over = {**good, "项目名称": "超支持", "财政支持（万元）": "900"}
    report = projects_import(actor=tech_staff, file=_sheet(PROJECT_COLUMNS, [good, bad, over]), dry_run=False)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "高能级项目" in reasons[(3, "项目类别")] and "不能超过总投入" in reasons[(4, "财政支持（万元）")]
    assert not InnovationProject.objects.exists()
    report = projects_import(actor=tech_staff, file=_sheet(PROJECT_COLUMNS, [good]), dry_run=False)
    assert report.created == 1 and InnovationProject.objects.get().platform == host
    client = as_user(tech_staff)
    for kind in ("platforms", "projects", "talents"):
        assert client.get(f"/innovation/import/template.xlsx?kind={kind}").status_code == 200
        assert client.get(f"/innovation/import/?kind={kind}").status_code == 200
    assert as_user(econ_staff).get("/innovation/import/?kind=talents").status_code == 403
