"""The innovation platform registry: recognitions and levels, the yearly record and its score,
the refusals, who may see and change a platform, the figures, Excel and the API."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from xinqu.core.feeds import feed
from xinqu.core.models import AuditEntry, OrgUnit
from xinqu.demo.generator import credit_code
from xinqu.enterprises.models import Enterprise
from xinqu.innovation import services
from xinqu.innovation.imports import PLATFORM_COLUMNS, platforms_import
from xinqu.innovation.models import Platform, PlatformYear, Recognition

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def platform(tech_staff, zone):
    return services.platform_create(
        actor=tech_staff,
        name="光电子器件重点实验室",
        kind="key_lab",
        institution="长春理工大学",
        level="city",
        recognised_on=dt.date(2019, 5, 10),
        park=OrgUnit.objects.get(code="optics"),
    )


def test_a_platform_is_counted_at_the_highest_level_valid_that_day(tech_staff, platform):
    services.recognition_add(
        actor=tech_staff, platform=platform, level="provincial", recognised_on=dt.date(2022, 3, 1)
    )
    services.recognition_add(
        actor=tech_staff,
        platform=platform,
        level="national",
        recognised_on=dt.date(2023, 6, 1),
        valid_until=dt.date(2024, 5, 31),
    )
    national, provincial, every = (
        feed(f"innovation.platforms{suffix}") for suffix in ("_national", "_provincial", "")
    )
    assert provincial.compute(2022, dt.date(2022, 12, 31)).value == 1
    assert national.compute(2022, dt.date(2022, 12, 31)).value == 0
    assert national.compute(2023, dt.date(2023, 12, 31)).value == 1
    assert provincial.compute(2023, dt.date(2023, 12, 31)).value == 0, "counted once, at its highest"
    # The national recognition lapsed in May 2024: the platform falls back to provincial.
    assert national.compute(2024, dt.date(2024, 12, 31)).value == 0
    assert provincial.compute(2024, dt.date(2024, 12, 31)).value == 1
    assert every.compute(2018, dt.date(2018, 12, 31)).value == 0
    assert every.compute(2024, dt.date(2024, 12, 31)).value == 1
    assert every.measure == "stock"


def test_a_recognition_dated_in_the_future_or_ending_before_it_begins_is_refused(tech_staff, platform, zone):
    before = (Platform.objects.count(), Recognition.objects.count())
    tomorrow = _today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.platform_create(
            actor=tech_staff,
            name="未来平台",
            kind="incubator",
            institution="某大学",
            level="city",
            recognised_on=tomorrow,
        )
    with pytest.raises(ValidationError, match="晚于今天"):
        services.recognition_add(
            actor=tech_staff, platform=platform, level="national", recognised_on=tomorrow
        )
    with pytest.raises(ValidationError, match="有效期不能早于认定日期"):
        services.recognition_add(
            actor=tech_staff,
            platform=platform,
            level="provincial",
            recognised_on=dt.date(2021, 1, 1),
            valid_until=dt.date(2020, 1, 1),
        )
    with pytest.raises(ValidationError, match="已有认定记录"):
        services.recognition_add(
            actor=tech_staff, platform=platform, level="city", recognised_on=dt.date(2019, 5, 10)
        )
    with pytest.raises(ValidationError, match="运营企业，或填写运营单位"):
        services.platform_create(
            actor=tech_staff, name="无主平台", kind="incubator", level="city", recognised_on=_today()
        )
    with pytest.raises(ValidationError, match="已有同名平台"):
        services.platform_create(
            actor=tech_staff,
            name="光电子器件重点实验室",
            kind="key_lab",
            institution="吉林大学",
            level="city",
            recognised_on=_today(),
        )
    assert (Platform.objects.count(), Recognition.objects.count()) == before


def test_only_the_innovation_bureau_keeps_the_registry(econ_staff, leader, platform, as_user):
    with pytest.raises(PermissionDenied):
        services.platform_update(actor=econ_staff, platform=platform, name="改名")
    with pytest.raises(PermissionDenied):
        services.year_save(actor=leader, platform=platform, year=2023, incubated=1)
    assert as_user(econ_staff).get("/innovation/new/").status_code == 403
    assert (
        as_user(econ_staff).post(f"/innovation/{platform.pk}/", {"form": "year", "year": "2023"}).status_code
        == 403
    )
    page = as_user(econ_staff).get(f"/innovation/{platform.pk}/").content.decode()
    assert "光电子器件重点实验室" in page and 'id="save-year"' not in page
    api = as_user(econ_staff).post(
        "/api/v1/platforms",
        {"name": "x", "kind": "other", "level": "city", "recognised_on": "2020-01-01", "institution": "y"},
        content_type="application/json",
    )
    assert api.status_code == 403


def test_a_confidential_platform_is_the_bureaus_and_the_leaders(
    tech_staff, econ_staff, leader, platform, as_user
):
    services.platform_update(actor=tech_staff, platform=platform, confidential=True)
    assert as_user(econ_staff).get(f"/innovation/{platform.pk}/").status_code == 404
    assert as_user(econ_staff).get(f"/api/v1/platforms/{platform.code}").status_code == 404
    assert "光电子器件" not in as_user(econ_staff).get("/innovation/").content.decode()
    assert as_user(leader).get(f"/innovation/{platform.pk}/").status_code == 200
    # The zone's figure still counts it, masked in its records.
    fed = feed("innovation.platforms").compute(_today().year, _today())
    assert fed.value == 1 and fed.records[0].label == "内部平台" and not fed.records[0].url


def test_the_yearly_record_scores_by_the_bureaus_rule_shown_with_its_formula(tech_staff, platform, as_user):
    with pytest.raises(ValidationError, match="2019 年才认定"):
        services.year_save(actor=tech_staff, platform=platform, year=2018, incubated=1)
    with pytest.raises(ValidationError, match="不能为负数"):
        services.year_save(actor=tech_staff, platform=platform, year=2023, patents=-1)
    client = as_user(tech_staff)
    posted = {
        "form": "year",
        "year": "2023",
        "incubated": "20",
        "graduated": "3",
        "rd_spend": "5000",
        "patents": "12",
        "hosted_revenue": "20000",
    }
    assert client.post(f"/innovation/{platform.pk}/", posted).status_code == 302
    record = PlatformYear.objects.get(platform=platform, year=2023)
    # City 15 + 20×0.5 + 3×2 + 12×1 + 0.5亿×10 + 2亿×2 = 52.0
    page = client.get(f"/innovation/{platform.pk}/").content.decode()
    assert 'data-year="2023"' in page and ">52.0" in page
    assert client.post(f"/innovation/{platform.pk}/", {**posted, "patents": "100"}).status_code == 302
    assert PlatformYear.objects.get(pk=record.pk).patents == 100, "saving the year again corrects it"
    assert (
        ">100.0" in client.get(f"/innovation/{platform.pk}/").content.decode()
        and "已达满分" in client.get(f"/innovation/{platform.pk}/").content.decode()
    )
    rule = dict.fromkeys(
        (
            "national",
            "provincial",
            "city",
            "per_incubated",
            "per_graduated",
            "per_patent",
            "per_rd_100m",
            "per_revenue_100m",
        ),
        "1",
    )
    assert client.post("/innovation/rule/", {**rule, "cap": "0"}).status_code == 200  # refused, shown again
    assert client.post("/innovation/rule/", {**rule, "cap": "500"}).status_code == 302
    # 1 + 20 + 3 + 100 + 0.5 + 2 = 126.5
    assert ">126.5" in client.get(f"/innovation/{platform.pk}/").content.decode()
    assert "年度得分" in client.get("/innovation/rule/").content.decode()
    assert AuditEntry.objects.filter(object_type="innovation.AssessmentRule").exists()


def test_the_page_registers_a_platform_run_by_an_enterprise_of_the_registry(tech_staff, tech, zone, as_user):
    firm = Enterprise.objects.create(
        credit_code=credit_code(random.Random(3)), name="长春光华微电子设备工程中心有限公司", department=tech
    )
    client = as_user(tech_staff)
    posted = {
        "name": "光电子孵化器",
        "kind": "incubator",
        "operator_name": firm.credit_code,
        "level": "provincial",
        "recognised_on": "2021-09-01",
        "valid_until": "2024-08-31",
    }
    response = client.post("/innovation/new/", posted)
    assert response.status_code == 302, response.content.decode()[-2000:]
    saved = Platform.objects.get(name="光电子孵化器")
    assert saved.operator == firm and saved.code == "PT2021001" and saved.department == tech
    refused = client.post(
        "/innovation/new/",
        {**posted, "name": "另一个", "recognised_on": (_today() + dt.timedelta(days=3)).isoformat()},
    )
    assert refused.status_code == 200 and "晚于今天" in refused.content.decode()
    listed = client.get("/innovation/?status=lapsed").content.decode()
    assert "光电子孵化器" in listed, "its only recognition ended in 2024"


def _workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in PLATFORM_COLUMNS])
    for row in rows:
        ws.append([row.get(c.header) for c in PLATFORM_COLUMNS])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_platform_list_imports_all_rows_or_none_and_exports(tech_staff, econ_staff, zone, as_user):
    good = {
        "平台名称": "新材料众创空间",
        "平台类别": "众创空间",
        "级别": "市级",
        "认定日期": "2020-04-01",
        "运营单位（高校、院所等）": "长春工业大学",
        "所在园区": "长智光谷",
    }
    bad = [
        {**good, "平台名称": "未来", "认定日期": (_today() + dt.timedelta(days=1)).isoformat()},
        {**good, "平台名称": "错级别", "级别": "区级"},
        {**good, "平台名称": "错园区", "所在园区": "火星园"},
    ]
    report = platforms_import(actor=tech_staff, file=_workbook([good, *bad]), dry_run=False)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "晚于今天" in reasons[(3, "认定日期")]
    assert "国家级、省级或市级" in reasons[(4, "级别")]
    assert "没有这个园区" in reasons[(5, "所在园区")]
    assert not Platform.objects.exists(), "all rows or none"
    assert platforms_import(actor=econ_staff, file=_workbook([good]), dry_run=False).fatal
    report = platforms_import(actor=tech_staff, file=_workbook([good]), dry_run=False)
    assert report.created == 1 and not report.errors
    saved = Platform.objects.get(name="新材料众创空间")
    again = platforms_import(
        actor=tech_staff,
        file=_workbook([{**good, "平台编号": saved.code, "级别": "省级", "认定日期": "2023-02-01"}]),
        dry_run=False,
    )
    assert again.updated == 1 and saved.recognitions.count() == 2
    export = as_user(econ_staff).get("/innovation/?format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    row = next(iter(sheet.iter_rows(min_row=2, values_only=True)))
    assert row[header.index("当前级别")] == "省级" and row[header.index("运营主体")] == "长春工业大学"
    assert AuditEntry.objects.filter(action="export", object_type="innovation").exists()
    assert as_user(tech_staff).get("/innovation/import/template.xlsx").status_code == 200


def test_the_api_reads_and_writes_with_the_pages_rules(tech_staff, econ_staff, platform, as_user):
    client = as_user(tech_staff)
    listed = client.get("/api/v1/platforms", {"level": "city"}).json()
    assert [p["code"] for p in listed["items"]] == [platform.code] and listed["items"][0]["level"] == "city"
    created = client.post(
        "/api/v1/platforms",
        {
            "name": "生物医药孵化器",
            "kind": "incubator",
            "level": "city",
            "recognised_on": "2024-03-01",
            "institution": "吉林农业大学",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["recognitions"][0]["recognised_on"] == "2024-03-01"
    future = client.post(
        f"/api/v1/platforms/{platform.code}/recognitions",
        {"level": "national", "recognised_on": (_today() + dt.timedelta(days=5)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 422 and "晚于今天" in future.content.decode()
    year = client.put(
        f"/api/v1/platforms/{platform.code}/years/2024",
        {"incubated": 4, "graduated": 1, "rd_spend": "1000", "patents": 2, "hosted_revenue": "0"},
        content_type="application/json",
    )
    assert year.status_code == 200 and year.json()["years"][0]["score"] == "22.0"
    assert (
        as_user(econ_staff)
        .put(
            f"/api/v1/platforms/{platform.code}/years/2024",
            {"incubated": 4, "graduated": 1, "rd_spend": "1000", "patents": 2, "hosted_revenue": "0"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert Decimal(client.get(f"/api/v1/platforms/{platform.code}").json()["years"][0]["rd_spend"]) == 1000


@pytest.mark.parametrize(
    "path", ["/innovation/", "/innovation/new/", "/innovation/rule/", "/innovation/import/", "detail"]
)
def test_innovation_pages_read_in_english(as_user, tech_staff, platform, path):
    import re

    client = as_user(tech_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/innovation/{platform.pk}/" if path == "detail" else path
    page = client.get(url).content.decode().replace(platform.name, "").replace(platform.institution, "")
    page = page.replace("长智光谷", "").replace("长春新区", "")
    # Options that name other languages, and the header's account name, are not the page's text.
    page = (
        re.sub(r"<option[^>]*lang=[^>]*>[^<]*</option>", "", page)
        .replace("林峰", "")
        .replace("科技创新局", "")
    )
    for word in ("平台", "认定", "级别", "孵化", "科技创新", "园区", "年度"):
        assert word not in page, (path, word)
