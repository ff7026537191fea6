"""Peers: the national new areas' published figures ship with Xinqu (2023 and 2024, scope and
source kept); the owning department imports more from .xlsx, all rows or none."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from xinqu.core.models import AuditEntry, ImportJob, OrgUnit
from xinqu.indicators import services
from xinqu.indicators.imports import peer_figures_import
from xinqu.indicators.models import PeerFigure, PeerZone
from xinqu.indicators.selectors import benchmark

D = Decimal
HEADER = ["新区", "年度", "总量", "增速（%）", "统计范围", "来源", "说明"]


def test_the_shipped_figures_keep_their_scope_and_source(db, gdp, econ_head, units):
    PeerZone.objects.create(name="长春新区", is_self=True)
    count = services.peers_load_reference(actor=econ_head, indicator=gdp)
    assert count == len(services.reference_peer_figures()) and count >= 17
    pudong = PeerFigure.objects.get(peer__name="上海浦东新区", year=2023)
    assert (pudong.value, pudong.growth, pudong.scope) == (D("16715.15"), D("4.8"), "全域")
    assert pudong.source.startswith("https://")
    # Level and growth from two sources of different scope: the scope says which is which.
    liangjiang = PeerFigure.objects.get(peer__name="重庆两江新区", year=2023)
    assert (liangjiang.value, liangjiang.growth) == (D("4654.83"), D("6.5"))
    assert liangjiang.scope == "总量：未说明范围；增速：直管区"
    assert PeerFigure.objects.get(peer__name="哈尔滨新区", year=2023).scope == "仅松北区(江北一体发展区)"
    # 2024 too; nominal growth is never put in place of real growth.
    assert PeerFigure.objects.get(peer__name="贵州贵安新区", year=2024).growth == D("21.1")
    assert PeerFigure.objects.get(peer__name="广州南沙新区", year=2024).growth is None
    result = benchmark(indicator=gdp, year=2023, zone=units["zone"])
    me = result["self"]
    # 长春新区 913: behind 浦东, 滨海, 西海岸, 两江, 福州, 南沙 among the 8 with a level.
    assert (me.value_rank, result["known_values"]) == (7, 8)
    assert (me.growth_rank, result["known_growth"]) == (2, 8)  # 贵安 24.1 % first
    assert result["mixed_scopes"]
    assert AuditEntry.objects.filter(object_type="indicators.PeerFigure").count() == count


def test_the_owning_department_imports_peer_figures_all_or_nothing(db, gdp, econ_staff, units, xlsx, as_user):
    good = xlsx(
        [HEADER, ["成都天府新区", 2024, "4,200亿元", "6.1%", "全域", "https://example.gov.cn/a", "统计公报"]]
    )
    dry = peer_figures_import(actor=econ_staff, file=good, dry_run=True, indicator="gdp")
    assert dry.ok and dry.created == 1 and not PeerFigure.objects.exists() and not PeerZone.objects.exists()
    bad = xlsx(
        [
            HEADER,
            ["成都天府新区", 2024, "4200", "6.1", "全域", "https://example.gov.cn/a", ""],
            ["西咸新区", 2024, "四千", None, "", "", ""],
            ["成都天府新区", 2024, "4300", None, "", "", ""],
            ["雄安新区", 2024, None, None, "", "example.gov.cn", ""],
        ]
    )
    report = peer_figures_import(actor=econ_staff, file=bad, dry_run=False, indicator="gdp")
    assert not report.ok and [e.row for e in report.errors] == [3, 4, 5]
    assert not PeerFigure.objects.exists() and not PeerZone.objects.exists()  # nothing half-written
    # Through the page: upload, dry run, confirm.
    client = as_user(econ_staff)
    upload = SimpleUploadedFile("对标.xlsx", good.getvalue())
    response = client.post("/indicators/gdp/peers/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    client.post(f"/imports/{job.pk}/confirm/")
    figure = PeerFigure.objects.get()
    assert (figure.peer.name, figure.value, figure.growth, figure.scope) == (
        "成都天府新区",
        D("4200"),
        D("6.1"),
        "全域",
    )
    # The export carries the import's columns, so it goes back in as it is.
    exported = client.get("/indicators/gdp/peers/?year=2024&format=xlsx").content
    sheet = load_workbook(io.BytesIO(exported)).active
    assert [c.value for c in sheet[1]][:7] == HEADER
    again = peer_figures_import(actor=econ_staff, file=io.BytesIO(exported), dry_run=True, indicator="gdp")
    assert again.ok and again.updated == 1


def test_another_department_may_not_import_or_see_the_form(db, gdp, invest_staff, xlsx, as_user, units):
    file = xlsx([HEADER, ["成都天府新区", 2024, "4200", None, "", "", ""]])
    report = peer_figures_import(actor=invest_staff, file=file, dry_run=False, indicator="gdp")
    assert report.fatal and not PeerFigure.objects.exists()
    assert as_user(invest_staff).get("/indicators/gdp/peers/import/").status_code == 403
    assert OrgUnit.objects.exists()
