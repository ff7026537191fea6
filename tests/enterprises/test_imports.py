"""Importing the registry from .xlsx: dry run, all-or-nothing, row errors, hostile files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from tests.enterprises.conftest import HEADERS, row, xlsx
from xinqu.core.models import AuditEntry, ImportJob
from xinqu.enterprises.imports import enterprises_import, qualifications_import
from xinqu.enterprises.models import ChainPosition, Enterprise, Qualification

pytestmark = pytest.mark.django_db


def test_dry_run_previews_and_writes_nothing(econ_staff, parks, codes):
    a, b = codes(2)
    report = enterprises_import(
        actor=econ_staff, file=xlsx([row(a, "甲公司"), row(b, "乙公司")]), dry_run=True
    )
    assert report.ok and (report.total, report.created) == (2, 2)
    assert [p["name"] for p in report.preview] == ["甲公司", "乙公司"]
    assert not Enterprise.objects.exists()


def test_commit_writes_every_row_with_audit_and_reimport_changes_nothing(econ_staff, parks, codes, chain):
    a, b = codes(2)
    rows = [
        row(a, "甲公司", 产业链环节="传感器/MEMS 传感器"),
        row(b, "乙公司", 园区="传感器产业园", 功能区=""),
    ]
    report = enterprises_import(actor=econ_staff, file=xlsx(rows), dry_run=False)
    assert report.ok and report.created == 2
    second = Enterprise.objects.get(credit_code=b)
    assert (second.park, second.area) == (parks["sensor"], parks["beihu"])
    assert ChainPosition.objects.get().node == chain["mid"]
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="enterprises.Enterprise", detail="xlsx import"
        ).count()
        == 2
    )
    placed = AuditEntry.objects.get(object_type="enterprises.ChainPosition", detail="xlsx import")
    assert (placed.object_id, placed.changes) == (
        str(Enterprise.objects.get(credit_code=a).pk),
        {"node": [None, "MEMS 传感器"]},
    )
    again = enterprises_import(actor=econ_staff, file=xlsx(rows), dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Enterprise.objects.count() == 2 and ChainPosition.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="enterprises.ChainPosition").count() == 1


def test_changed_rows_update_by_credit_code(econ_staff, parks, codes):
    (a,) = codes(1)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "旧名称")]), dry_run=False)
    report = enterprises_import(
        actor=econ_staff, file=xlsx([row(a, "新名称", 是否规上="是", 入规年份=2022)]), dry_run=False
    )
    assert (report.created, report.updated) == (0, 1)
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.above_scale, enterprise.above_scale_year) == ("新名称", True, 2022)


def _errors(report):
    return [(e.row, e.column.split("（")[0], e.reason) for e in report.errors]


def test_one_bad_row_means_nothing_is_written(econ_staff, parks, codes):
    good, dup = codes(2)
    future = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    rows = [
        row(good, "好公司"),
        row("91350100M000100Y44", "错码公司"),
        row(dup, "重复一"),
        row(dup, "重复二"),
        row(codes(3)[2], "未来公司", 成立日期=future),
        row(codes(4)[3], "无园区公司", 园区="不存在园区"),
        row(codes(5)[4], "无环节公司", 产业链环节="传感器/不存在环节"),
        row(codes(6)[5], "错位公司", 功能区="北湖区", 园区="长智光谷"),
    ]
    report = enterprises_import(actor=econ_staff, file=xlsx(rows), dry_run=False)
    assert not report.ok
    assert report.created == 0
    assert not Enterprise.objects.exists()
    assert _errors(report) == [
        (3, "统一社会信用代码", "统一社会信用代码“91350100M000100Y44”校验位错误：第 18 位应为“3”。"),
        (5, "统一社会信用代码", "与第 4 行重复"),
        (6, "成立日期", "不能晚于今天"),
        (7, "园区", "没有这个园区"),
        (8, "产业链环节", "没有这个链环节，应写作“产业链/环节”"),
        (9, "园区", "不在功能区“北湖区”内"),
    ]


def test_missing_or_renamed_header_is_refused(econ_staff, codes):
    renamed = ["信用代码", *HEADERS[1:]]
    report = enterprises_import(
        actor=econ_staff, file=xlsx([row(codes(1)[0], "甲")], headers=renamed), dry_run=False
    )
    assert "缺少必需的列：统一社会信用代码" in report.fatal
    report = enterprises_import(
        actor=econ_staff, file=xlsx([row(codes(1)[0], "甲")], headers=None), dry_run=False
    )
    assert "缺少必需的列" in report.fatal
    assert not Enterprise.objects.exists()


def test_csv_renamed_to_xlsx_is_refused(econ_staff):
    fake = io.BytesIO("统一社会信用代码,企业名称\n91350100M000100Y43,甲\n".encode())
    report = enterprises_import(actor=econ_staff, file=fake, dry_run=False)
    assert "文件不是 .xlsx 格式" in report.fatal


def test_zip_bomb_is_refused_before_unpacking(econ_staff, settings):
    settings.IMPORT_MAX_UNPACKED_MB = 10
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 30_000_000 + b">")
    assert len(buffer.getvalue()) < 1_000_000  # small on disk, huge unpacked
    buffer.seek(0)
    report = enterprises_import(actor=econ_staff, file=buffer, dry_run=False)
    assert "已拒绝" in report.fatal


def test_formula_cells_are_refused(econ_staff, parks, codes):
    (a,) = codes(1)
    file = xlsx([row(a, '=HYPERLINK("http://x","点我")')])
    report = enterprises_import(actor=econ_staff, file=file, dry_run=False)
    assert _errors(report) == [(2, "企业名称", "单元格含公式，请粘贴为数值后再导入")]
    assert not Enterprise.objects.exists()


def test_dates_as_excel_dates_and_text_both_work(econ_staff, parks, codes):
    a, b = codes(2)
    rows = [row(a, "甲", 成立日期=dt.datetime(2012, 5, 6)), row(b, "乙", 成立日期="2013年7月8日")]
    report = enterprises_import(actor=econ_staff, file=xlsx(rows), dry_run=False)
    assert report.ok
    assert dict(Enterprise.objects.values_list("name", "established_on")) == {
        "甲": dt.date(2012, 5, 6),
        "乙": dt.date(2013, 7, 8),
    }


def test_cannot_overwrite_another_departments_enterprise(econ_staff, invest_staff, parks, codes):
    (a,) = codes(1)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "经发局的企业")]), dry_run=False)
    report = enterprises_import(actor=invest_staff, file=xlsx([row(a, "招商局改名")]), dry_run=False)
    assert _errors(report) == [(2, "统一社会信用代码", "该企业由其他部门维护，您无权修改")]
    assert Enterprise.objects.get().name == "经发局的企业"


def test_cannot_add_a_chain_position_to_another_departments_enterprise(
    econ_staff, invest_staff, parks, codes, chain
):
    (a,) = codes(1)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "经发局的企业")]), dry_run=False)
    same = row(a, "经发局的企业", 产业链环节="传感器/MEMS 传感器")
    report = enterprises_import(actor=invest_staff, file=xlsx([same]), dry_run=False)
    assert _errors(report) == [(2, "统一社会信用代码", "该企业由其他部门维护，您无权为其添加产业链环节")]
    assert not ChainPosition.objects.exists()


def test_qualifications_import(econ_staff, parks, codes):
    a, b = codes(2)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "甲")]), dry_run=False)
    headers = ["统一社会信用代码", "资质类型", "证书编号", "认定日期", "有效期至"]
    good = [[a, "高新技术企业", "GR202322000123", "2023-11-06", ""]]
    report = qualifications_import(actor=econ_staff, file=xlsx(good, headers=headers), dry_run=False)
    assert report.ok and report.created == 1
    assert Qualification.objects.get().expires_on == dt.date(2026, 11, 5)
    again = qualifications_import(actor=econ_staff, file=xlsx(good, headers=headers), dry_run=False)
    assert (again.created, again.unchanged) == (0, 1)
    bad = [
        [b, "高新技术企业", "", "2023-01-01", ""],
        [a, "不存在的资质", "", "2023-01-01", ""],
        [a, "上市企业", "", "2099-01-01", ""],
    ]
    report = qualifications_import(actor=econ_staff, file=xlsx(bad, headers=headers), dry_run=False)
    assert [e.reason for e in report.errors] == [
        "没有这种资质类型",
        "不能晚于今天",
        "企业尚未登记，请先导入企业名录",
    ]
    assert Qualification.objects.count() == 1


def test_upload_page_runs_a_dry_run_then_commits_on_confirmation(as_user, econ_staff, parks, codes):
    client = as_user(econ_staff)
    file = SimpleUploadedFile(
        "企业名录.xlsx", xlsx([row(c, f"公司{i}") for i, c in enumerate(codes(3))]).getvalue()
    )
    response = client.post("/enterprises/import/", {"kind": "enterprises", "file": file})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "共 3 行，全部可以导入" in page and 'id="confirm-import"' in page
    assert not Enterprise.objects.exists()
    response = client.post(f"/imports/{job.pk}/confirm/")
    commit = ImportJob.objects.get(dry_run=False)
    assert response["Location"] == f"/imports/{commit.pk}/"
    assert Enterprise.objects.count() == 3
    assert "已导入 3 行" in client.get(f"/imports/{commit.pk}/").content.decode()
    # Confirming twice imports nothing more.
    client.post(f"/imports/{job.pk}/confirm/")
    assert ImportJob.objects.filter(dry_run=False).count() == 1


def test_error_report_downloads_as_xlsx_and_jobs_are_private(as_user, econ_staff, invest_staff, parks):
    client = as_user(econ_staff)
    file = SimpleUploadedFile("bad.xlsx", xlsx([row("123", "短码公司")]).getvalue())
    client.post("/enterprises/import/", {"kind": "enterprises", "file": file})
    job = ImportJob.objects.get()
    assert "发现 1 处错误" in client.get(f"/imports/{job.pk}/").content.decode()
    assert client.post(f"/imports/{job.pk}/confirm/").status_code == 302
    assert not ImportJob.objects.filter(dry_run=False).exists()
    sheet = load_workbook(io.BytesIO(client.get(f"/imports/{job.pk}/errors.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "内容", "原因")
    assert rows[1][0] == 2 and "应为 18 位" in rows[1][3]
    assert as_user(invest_staff).get(f"/imports/{job.pk}/").status_code == 404


def test_upload_refuses_other_extensions(as_user, econ_staff):
    file = SimpleUploadedFile("名录.csv", b"a,b\n")
    response = as_user(econ_staff).post("/enterprises/import/", {"kind": "enterprises", "file": file})
    assert "请上传 .xlsx 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_download_has_the_headers(as_user, econ_staff):
    response = as_user(econ_staff).get("/enterprises/import/template-enterprises.xlsx")
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:2] == ("统一社会信用代码*", "企业名称*")


def test_entity_expansion_and_broken_xml_are_refused(econ_staff):
    # "Billion laughs": a few bytes of XML that would expand to gigabytes.
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    for shared in (laughs, "<sst><si><t>broken"):
        buffer = io.BytesIO()
        source = zipfile.ZipFile(xlsx([["x"]], headers=HEADERS))
        with zipfile.ZipFile(buffer, "w") as archive:
            for item in source.infolist():
                archive.writestr(
                    item, source.read(item) if item.filename != "xl/sharedStrings.xml" else shared
                )
            if "xl/sharedStrings.xml" not in source.namelist():
                archive.writestr("xl/sharedStrings.xml", shared)
        buffer.seek(0)
        report = enterprises_import(actor=econ_staff, file=buffer, dry_run=False)
        assert "工作簿内容损坏" in report.fatal
    assert not Enterprise.objects.exists()


def test_imported_enterprises_are_searchable_and_the_search_index_keeps_working(
    econ_staff, parks, codes, make_enterprise
):
    from xinqu.enterprises.selectors import EnterpriseFilter, enterprise_search

    a, b = codes(2)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "导入检索测试甲公司")]), dry_run=True)
    enterprises_import(actor=econ_staff, file=xlsx([row(b, "导入检索测试乙公司")]), dry_run=False)
    make_enterprise(name="导入之后登记的丙公司")  # indexed by the database trigger, restored after the import

    def found(q):
        return sorted(enterprise_search(econ_staff, EnterpriseFilter(q=q)).values_list("name", flat=True))

    assert found("检索测试") == ["导入检索测试乙公司"]
    assert found("之后登记") == ["导入之后登记的丙公司"]
    assert found(b[2:12]) == ["导入检索测试乙公司"]


def test_preview_says_what_each_row_will_do(econ_staff, parks, codes):
    a, b = codes(2)
    enterprises_import(actor=econ_staff, file=xlsx([row(a, "已有公司")]), dry_run=False)
    report = enterprises_import(
        actor=econ_staff, file=xlsx([row(a, "已有公司改名"), row(b, "新公司")]), dry_run=True
    )
    assert [(p["name"], p["action"]) for p in report.preview] == [
        ("已有公司改名", "更新"),
        ("新公司", "新增"),
    ]
