from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from xinqu.indicators.models import Observation, Submission, SubmissionValue, Target

D = Decimal


def test_grid_saves_every_cell_or_none(db, units, output, as_user, econ_staff):
    client = as_user(econ_staff)
    page = client.get("/indicators/returns/entry/2024-03/")
    assert page.status_code == 200 and "规上工业总产值" in page.content.decode()
    key = f"{output.pk}-{units['zone'].pk}"
    bad = client.post(
        "/indicators/returns/entry/2024-03/",
        {f"ytd-{key}": "1,234.5", f"growth-{key}": "7.2%", f"ytd-{output.pk}-{units['gaoxin'].pk}": "1,23"},
    )
    assert bad.status_code == 200 and "千位分隔符" in bad.content.decode()
    assert not SubmissionValue.objects.exists()
    good = client.post(
        "/indicators/returns/entry/2024-03/", {f"ytd-{key}": "1,234.5亿元", f"growth-{key}": "7.2%"}
    )
    assert good.status_code == 302
    value = SubmissionValue.objects.get()
    assert (value.ytd_value, value.growth) == (D("1234.5"), D("7.2"))


def test_the_return_goes_to_the_head_and_into_the_overview(
    db, units, output, as_user, econ_staff, econ_head, leader
):
    key = f"{output.pk}-{units['zone'].pk}"
    as_user(econ_staff).post("/indicators/returns/entry/2024-03/", {f"ytd-{key}": "185"})
    submission = Submission.objects.get()
    as_user(econ_staff).post(f"/indicators/returns/{submission.pk}/submit/")
    assert as_user(leader).get("/indicators/?period=2024-03").content.decode().count("185.0") == 0
    as_user(econ_staff).post(f"/indicators/returns/{submission.pk}/approve/")  # not the head: refused
    assert not Observation.objects.exists()
    as_user(econ_head).post(f"/indicators/returns/{submission.pk}/approve/")
    assert Observation.objects.get().ytd_value == D("185")
    assert "185.0" in as_user(leader).get("/indicators/?period=2024-03").content.decode()


def test_overview_shows_light_with_its_rule_and_exports(db, units, output, as_user, leader, econ_head):
    Observation.objects.create(
        indicator=output, org_unit=units["zone"], period=dt.date(2024, 5, 1), ytd_value=300
    )
    Target.objects.create(
        indicator=output, org_unit=units["zone"], year=2024, value=1000, updated_by=econ_head
    )
    client = as_user(leader)
    page = client.get("/indicators/?period=2024-05").content.decode()
    assert 'data-light="red"' in page and "落后序时进度不超过" in page
    assert "高新区" in page  # the drill-down to areas
    export = client.get("/indicators/?period=2024-05&format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[1][0] == "规上工业总产值" and rows[1][3] == 300 and rows[1][13] == "红灯"
    detail = client.get("/indicators/industrial_output/?period=2024-05")
    assert detail.status_code == 200 and "trend-data" in detail.content.decode()


def test_returns_of_other_departments_are_not_found(
    db, units, output, as_user, econ_staff, invest_staff, leader
):
    key = f"{output.pk}-{units['zone'].pk}"
    as_user(econ_staff).post("/indicators/returns/entry/2024-03/", {f"ytd-{key}": "185"})
    submission = Submission.objects.get()
    assert as_user(invest_staff).get(f"/indicators/returns/{submission.pk}/").status_code == 404
    assert as_user(leader).get(f"/indicators/returns/{submission.pk}/").status_code == 200
    assert as_user(leader).get("/indicators/returns/entry/2024-03/").status_code == 403


def test_targets_grid_and_phasing(db, units, output, as_user, econ_staff, invest_staff):
    key = f"{output.pk}-{units['zone'].pk}"
    client = as_user(econ_staff)
    client.post("/indicators/targets/?year=2024", {f"value-{key}": "1,000", f"growth-{key}": ""})
    assert Target.objects.get().value == D("1000")
    url = f"/indicators/targets/industrial_output/{units['zone'].pk}/2024/"
    bad = client.post(url, {"value": "1000", "phasing": "10, 20, 30"})
    assert "12 个月" in bad.content.decode() and Target.objects.get().phasing == []
    client.post(url, {"value": "1000", "phasing": "20, 50, 75, 100"})
    assert Target.objects.get().phasing[:3] == [6.67, 13.33, 20.0]
    assert as_user(invest_staff).get(url).status_code == 403


def test_import_page_runs_a_dry_run_job(db, units, output, as_user, econ_staff, xlsx):
    file = xlsx([["指标名称", "累计"], ["规上工业总产值", "100"]])
    file.name = "stats.xlsx"
    client = as_user(econ_staff)
    response = client.post(
        "/indicators/import/", {"file": file, "period": "2024-03", "org_unit": units["zone"].pk}
    )
    assert response.status_code == 302
    job_page = client.get(response["Location"]).content.decode()
    assert "全部可以导入" in job_page
    assert not SubmissionValue.objects.exists()


def test_catalog_head_adds_an_indicator_with_a_formula(db, units, output, as_user, econ_head, econ_staff):
    form = {
        "code": "share",
        "name": "占比",
        "kind": "ratio",
        "unit": "%",
        "decimals": 1,
        "frequency": "monthly",
        "cumulative": "on",
        "direction": "higher",
        "price_basis": "current",
        "lowest_level": "area",
        "formula": "industrial_output / missing * 100",
        "yellow_pp": 0,
        "red_pp": 5,
        "growth_yellow_pp": 0,
        "growth_red_pp": 2,
        "band_pct": 30,
        "growth_tolerance_pp": 1,
        "is_active": "on",
        "sort_order": 0,
    }
    refused = as_user(econ_head).post("/indicators/catalog/new/", form)
    assert "不存在的指标编码：missing" in refused.content.decode()
    as_user(econ_head).post("/indicators/catalog/new/", form | {"formula": "__import__('os')"})
    as_user(econ_head).post(
        "/indicators/catalog/new/", form | {"formula": "industrial_output * 100", "red_pp": -1}
    )
    assert not output.__class__.objects.filter(code="share").exists()
    # Written with the indicator's name, as a head would; kept in codes, shown in names again.
    ok = as_user(econ_head).post("/indicators/catalog/new/", form | {"formula": "规上工业总产值 ÷ 2"})
    assert ok.status_code == 302
    assert output.__class__.objects.get(code="share").formula == "industrial_output / 2"
    catalog = as_user(econ_staff).get("/indicators/catalog/").content.decode()
    assert '<td class="small">规上工业总产值 ÷ 2</td>' in catalog
    edit = as_user(econ_head).get("/indicators/catalog/share/edit/").content.decode()
    assert 'value="规上工业总产值 ÷ 2"' in edit
    assert as_user(econ_staff).get("/indicators/catalog/new/").status_code == 403


def test_a_cached_overview_is_never_older_than_the_data(db, units, output, as_user, leader, econ_head):
    observation = Observation.objects.create(
        indicator=output, org_unit=units["zone"], period=dt.date(2024, 5, 1), ytd_value=300
    )
    client = as_user(leader)
    api = "/api/v1/indicators-overview?period=2024-05"
    assert "300.0" in client.get("/indicators/?period=2024-05").content.decode()
    assert client.get(api).json()["rows"][0]["ytd_value"] == 300
    # A write that bypasses every service (a shell, a restore) still changes the data version.
    Observation.objects.filter(pk=observation.pk).update(ytd_value=456)
    assert "456.0" in client.get("/indicators/?period=2024-05").content.decode()
    assert client.get(api).json()["rows"][0]["ytd_value"] == 456
    Target.objects.create(
        indicator=output, org_unit=units["zone"], year=2024, value=1000, updated_by=econ_head
    )
    assert client.get(api).json()["rows"][0]["completion"] == 45.6


def test_catalog_targets_and_returns_export_to_excel(db, units, output, as_user, econ_staff, econ_head):
    Target.objects.create(
        indicator=output,
        org_unit=units["zone"],
        year=2024,
        value=1000,
        phasing=[50, 100, 100, 100],
        updated_by=econ_head,
    )
    client = as_user(econ_staff)
    catalog = load_workbook(io.BytesIO(client.get("/indicators/catalog/?format=xlsx").content)).active
    assert list(catalog.values)[1][:5] == (
        "industrial_output",
        "规上工业总产值",
        None,
        "流量（累计）",
        "亿元",
    )
    targets = load_workbook(
        io.BytesIO(client.get("/indicators/targets/?year=2024&format=xlsx").content)
    ).active
    assert list(targets.values)[1][:4] == ("规上工业总产值", "长春新区", "亿元", 1000)
    key = f"{output.pk}-{units['zone'].pk}"
    client.post("/indicators/returns/entry/2024-03/", {f"ytd-{key}": "185"})
    submission = Submission.objects.get()
    values = load_workbook(
        io.BytesIO(client.get(f"/indicators/returns/{submission.pk}/?format=xlsx").content)
    ).active
    assert list(values.values)[1][:5] == ("规上工业总产值", "亿元", "长春新区", None, 185)


def test_derived_values_are_marked_on_the_page_and_in_the_api(
    db, units, output, as_user, leader, econ_staff, econ_head
):
    from xinqu.indicators import services

    for month, single in ((2, "100"), (3, "60")):
        submission = services.submission_for(actor=econ_staff, period=dt.date(2024, month, 1))
        services.submission_values_save(
            actor=econ_staff,
            submission=submission,
            values=[services.ValueInput(output, units["zone"], period_value=D(single))],
        )
        services.submission_submit(actor=econ_staff, submission=submission, confirm_warnings=True)
        services.submission_approve(actor=econ_head, submission=submission)
    row = as_user(leader).get("/api/v1/indicators-overview?period=2024-03").json()["rows"][0]
    assert (row["ytd_value"], row["ytd_derived"], row["period_derived"]) == (160, True, False)
    page = as_user(leader).get("/indicators/industrial_output/?period=2024-03").content.decode()
    assert "由当月值推算" in page
