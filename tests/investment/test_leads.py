"""Investment attraction: a lead from first contact to landing, with its gates, confidentiality,
currencies, paid-in capital and the one action that lands it in the registry and the ledger."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from xinqu.core.feeds import feed
from xinqu.core.models import OrgUnit
from xinqu.demo.generator import credit_code
from xinqu.investment import services
from xinqu.investment.models import ExchangeRate, Lead, Referrer
from xinqu.projects.models import Project

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n"


def _pdf(name: str = "记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def lead(invest_staff, zone):
    return services.lead_create(
        actor=invest_staff,
        name="光电传感器生产基地",
        company="深圳华晟光电有限公司",
        origin="province",
        source="exhibition",
        amount=Decimal("50000"),
        on=_today() - dt.timedelta(days=30),
    )


def _to_signing(actor, lead, on=None, **extra):
    for kind in ("visit", "feasibility", "negotiation", "legal", "fair_competition"):
        services.document_add(actor=actor, lead=lead, kind=kind, files=[_pdf()])
    return services.lead_move(
        actor=actor, lead=lead, stage="signed", on=on or _today(), contract_amount=Decimal("60000"), **extra
    )


def test_a_stage_needs_its_gate_documents_and_the_refusal_names_them(invest_staff, lead):
    with pytest.raises(ValidationError, match="进入“考察”前须上传：考察记录"):
        services.lead_move(actor=invest_staff, lead=lead, stage="inspect", on=_today())
    # A jump past 考察 is refused for the same document; nothing moved.
    with pytest.raises(ValidationError, match="考察记录"):
        services.lead_move(actor=invest_staff, lead=lead, stage="negotiate", on=_today())
    lead.refresh_from_db()
    assert lead.stage == "lead" and lead.steps.count() == 1
    services.document_add(actor=invest_staff, lead=lead, kind="visit", files=[_pdf()])
    services.lead_move(actor=invest_staff, lead=lead, stage="inspect", on=_today())
    lead.refresh_from_db()
    assert lead.stage == "inspect"
    assert list(lead.steps.values_list("stage", flat=True)) == ["lead", "contact", "inspect"]
    with pytest.raises(ValidationError, match="可行性评估审定"):
        services.lead_move(actor=invest_staff, lead=lead, stage="negotiate", on=_today())


def test_signing_needs_the_amount_and_a_referrer_appointed_by_then(invest_staff, lead):
    with pytest.raises(ValidationError, match="合同投资额"):
        for kind in ("visit", "feasibility", "negotiation", "legal", "fair_competition"):
            services.document_add(actor=invest_staff, lead=lead, kind=kind, files=[_pdf()])
        services.lead_move(actor=invest_staff, lead=lead, stage="signed", on=_today())
    late = Referrer.objects.create(kind="agency", name="某招商机构", appointed_on=_today())
    services.lead_update(actor=invest_staff, lead=lead, source="agency", referrer=late)
    with pytest.raises(ValidationError, match="晚于签约日期"):
        services.lead_move(
            actor=invest_staff,
            lead=lead,
            stage="signed",
            on=_today() - dt.timedelta(days=1),
            contract_amount=Decimal("60000"),
        )
    lead.refresh_from_db()
    assert lead.signed_on is None and lead.stage == "lead"


def test_a_foreign_amount_needs_that_days_rate(invest_staff, zone):
    fields = {
        "name": "精密部件",
        "company": "某德国公司",
        "origin": "foreign",
        "country": "德国",
        "source": "walk_in",
    }
    with pytest.raises(ValidationError, match="欧元汇率"):
        services.lead_create(actor=invest_staff, amount=Decimal("100"), currency="EUR", **fields)
    assert not Lead.objects.exists()
    ExchangeRate.objects.create(currency="EUR", on=_today(), rate=Decimal("7.8"))
    saved = services.lead_create(actor=invest_staff, amount=Decimal("100"), currency="EUR", **fields)
    assert saved.amount_cny == Decimal("780.00") and saved.rate == Decimal("7.8")


def test_until_signed_a_lead_is_its_teams_and_the_leaders(as_user, invest_staff, econ_staff, leader, lead):
    other = as_user(econ_staff)
    assert other.get(f"/investment/{lead.pk}/").status_code == 404
    assert other.get(f"/api/v1/leads/{lead.code}").status_code == 404
    assert lead.code not in other.get("/investment/").content.decode()
    assert lead.code not in str(other.get("/api/v1/leads").json())
    assert as_user(leader).get(f"/investment/{lead.pk}/").status_code == 200
    assert as_user(invest_staff).get(f"/investment/{lead.pk}/").status_code == 200
    _to_signing(invest_staff, lead)
    assert other.get(f"/investment/{lead.pk}/").status_code == 200
    # Signed, but read-only for another department.
    response = other.post(
        f"/investment/{lead.pk}/", {"form": "activity", "kind": "call", "on": _today(), "summary": "x"}
    )
    assert response.status_code == 403
    assert not lead.activities.exists()


def test_a_confidential_signed_lead_stays_hidden_and_its_figure_is_masked(
    as_user, invest_staff, econ_staff, lead
):
    services.lead_update(actor=invest_staff, lead=lead, confidential=True)
    _to_signing(invest_staff, lead)
    assert as_user(econ_staff).get(f"/investment/{lead.pk}/").status_code == 404
    records = feed("investment.signed").compute(_today().year, _today()).records
    assert [r.label for r in records] == ["保密项目"] and records[0].url == ""


def test_paid_in_capital_beyond_the_contract_needs_a_confirmation_and_a_reason(invest_staff, lead):
    lead = _to_signing(invest_staff, lead)
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("50000"))
    with pytest.raises(ValidationError, match=r"超过合同尚未到位的 10,000\.00 万元"):
        services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("20000"))
    with pytest.raises(ValidationError, match="写明原因"):
        services.payment_add(
            actor=invest_staff, lead=lead, on=_today(), amount=Decimal("20000"), confirm_over=True
        )
    assert lead.payments.count() == 1
    services.payment_add(
        actor=invest_staff,
        lead=lead,
        on=_today(),
        amount=Decimal("20000"),
        confirm_over=True,
        note="企业追加投资",
    )
    year = _today().year
    assert feed("investment.paid_in_domestic").compute(year, _today()).value == Decimal("7.00")


def test_foreign_capital_is_counted_in_us_dollars_at_that_days_rate(invest_staff, zone):
    ExchangeRate.objects.create(currency="USD", on=_today(), rate=Decimal("7.2"))
    ExchangeRate.objects.create(currency="EUR", on=_today(), rate=Decimal("7.8"))
    lead = services.lead_create(
        actor=invest_staff, name="欧洲工厂", company="某欧洲公司", origin="foreign", country="德国",
        source="walk_in", amount=Decimal("1000"), currency="EUR",
    )  # fmt: skip
    lead = _to_signing(invest_staff, lead)
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("360"), currency="EUR")
    # 360 万欧元 × 7.8 = 2,808 万元 = 390 万美元 at 7.2.
    assert feed("investment.paid_in_foreign").compute(_today().year, _today()).value == Decimal("390.00")
    assert feed("investment.paid_in_domestic").compute(_today().year, _today()).value == Decimal("0.00")


def test_landing_registers_the_enterprise_and_the_project_in_one_action(invest_staff, invest, lead, zone):
    area = OrgUnit.objects.get(code="gaoxin")
    lead = _to_signing(invest_staff, lead, on=_today() - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match=r"校验码|18 位|字符"):
        services.lead_land(actor=invest_staff, lead=lead, on=_today(), credit_code="123", area=area)
    taken = factories.enterprise(invest, name="已有企业有限公司")
    with pytest.raises(ValidationError, match="已登记为“已有企业有限公司”"):
        services.lead_land(
            actor=invest_staff, lead=lead, on=_today(), credit_code=taken.credit_code, area=area
        )
    assert not Project.objects.exists()
    code = credit_code(random.Random(7))
    landed = services.lead_land(actor=invest_staff, lead=lead, on=_today(), credit_code=code, area=area)
    assert landed.stage == "landed" and landed.enterprise.credit_code == code
    assert landed.enterprise.name == "深圳华晟光电有限公司"
    project = Project.objects.get(lead=landed)
    assert (
        project.stage == "landed"
        and project.landed_on == _today()
        and project.enterprise == landed.enterprise
    )
    assert project.total_investment == Decimal("60000") and project.signed_on == landed.signed_on
    assert feed("projects.landed").compute(_today().year, _today()).value == 1


def test_landing_can_link_an_enterprise_already_registered(invest_staff, invest, lead, zone):
    area = OrgUnit.objects.get(code="gaoxin")
    lead = _to_signing(invest_staff, lead)
    taken = factories.enterprise(invest, name="已有企业有限公司")
    landed = services.lead_land(
        actor=invest_staff,
        lead=lead,
        on=_today(),
        credit_code=taken.credit_code,
        area=area,
        link_existing=True,
    )
    assert landed.enterprise == taken and landed.project.enterprise == taken


def test_another_team_cannot_change_a_lead(econ_staff, invest_staff, lead):
    with pytest.raises(PermissionDenied):
        services.activity_add(actor=econ_staff, lead=lead, kind="call", on=_today(), summary="越权")
    with pytest.raises(PermissionDenied):
        services.lead_stop(actor=econ_staff, lead=lead, stage="lost", reason="x")


def test_pause_needs_a_reason_and_resume_returns_to_where_it_stood(invest_staff, lead):
    services.document_add(actor=invest_staff, lead=lead, kind="visit", files=[_pdf()])
    services.lead_move(actor=invest_staff, lead=lead, stage="inspect", on=_today())
    with pytest.raises(ValidationError, match="原因"):
        services.lead_stop(actor=invest_staff, lead=lead, stage="paused", reason=" ")
    services.lead_stop(actor=invest_staff, lead=lead, stage="paused", reason="企业融资未到位")
    with pytest.raises(ValidationError, match="先恢复"):
        services.lead_move(actor=invest_staff, lead=lead, stage="negotiate", on=_today())
    resumed = services.lead_resume(actor=invest_staff, lead=lead)
    assert resumed.stage == "inspect"


def test_pages_and_api_walk_a_lead_from_registration_to_a_signing(as_user, invest_staff):
    client = as_user(invest_staff)
    response = client.post(
        "/investment/new/",
        {"name": "新能源电池项目", "company": "某电池公司", "origin": "province", "source": "walk_in",
         "currency": "CNY", "amount": "30000"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Lead.objects.get()
    page = client.get(f"/investment/{lead.pk}/").content.decode()
    assert "进入“接洽”" not in page and "新能源电池项目" in page
    refused = client.post(f"/investment/{lead.pk}/", {"form": "move", "stage": "inspect", "on": _today()})
    assert "进入“考察”前须上传：考察记录" in refused.content.decode()
    client.post(f"/investment/{lead.pk}/", {"form": "document", "kind": "visit", "upload": _pdf()})
    assert (
        client.post(
            f"/investment/{lead.pk}/", {"form": "move", "stage": "inspect", "on": _today()}
        ).status_code
        == 302
    )
    api = client.post(
        "/api/v1/leads", {"name": "接口线索", "company": "某公司", "origin": "local", "source": "exhibition", "amount": "100"},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 201 and api.json()["stage"] == "lead"
    bad = client.post(
        f"/api/v1/leads/{api.json()['code']}/stage", {"stage": "inspect", "on": str(_today())}, content_type="application/json"
    )  # fmt: skip
    assert bad.status_code in (400, 422) and "考察记录" in bad.content.decode()
    export = client.get("/investment/?format=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_funnel_referrers_and_rates_pages_show_the_years_work(
    as_user, invest_staff, econ_staff, leader, lead
):
    _to_signing(invest_staff, lead)
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("12345.67"))
    year = _today().year
    page = as_user(leader).get(f"/investment/funnel/?year={year}").content.decode()
    assert 'data-stage="signed"' in page and '<div class="h2 m-0" id="paid-domestic">1.23 亿元' in page
    by_source = as_user(leader).get(f"/investment/funnel/?year={year}&by=source").content.decode()
    assert "展会" in by_source
    funnel = as_user(invest_staff).get("/api/v1/leads-funnel", {"year": year}).json()
    assert funnel["groups"][0]["stages"][4]["leads"] == 1
    # Registered 30 days ago, moved on today: 30 days to contact, none from there to signing.
    assert funnel["median_days"]["contact"] == 30 and funnel["median_days"]["signed"] == 0
    bureau = as_user(invest_staff)
    response = bureau.post("/investment/referrers/", {"kind": "agency", "name": "上海招商联络处", "appointed_on": "2024-02-26",
                                                      "leads_per_year": 12, "investment_per_year": "4"})  # fmt: skip
    assert response.status_code == 302 and Referrer.objects.filter(name="上海招商联络处").exists()
    assert "上海招商联络处" in bureau.get("/investment/referrers/").content.decode()
    assert (
        as_user(econ_staff)
        .post("/investment/rates/", {"currency": "USD", "on": _today(), "rate": "7.1"})
        .status_code
        == 403
    )
    assert (
        bureau.post("/investment/rates/", {"currency": "USD", "on": _today(), "rate": "7.1"}).status_code
        == 302
    )
    assert ExchangeRate.objects.get(currency="USD").rate == Decimal("7.1")
    refused = bureau.post("/investment/rates/", {"currency": "USD", "on": _today(), "rate": "0"})
    assert "汇率必须大于 0" in refused.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/investment/",
        "/investment/funnel/",
        "/investment/referrers/",
        "/investment/rates/",
        "/investment/new/",
        "/investment/score/",
        "/investment/map/",
        "/investment/settings/",
        "/investment/import/",
    ],
)
def test_investment_pages_read_in_english(as_user, invest_staff, lead, path):
    client = as_user(invest_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(path).content.decode()
    for word in ("招商引资", "线索", "阶段", "汇率", "漏斗", "到位"):
        assert word not in page.replace(lead.name, "").replace(lead.company, ""), (path, word)


def test_the_bureau_sets_the_gates_and_the_next_move_follows_them(as_user, invest_staff, econ_staff, lead):
    bureau = as_user(invest_staff)
    page = bureau.get("/investment/settings/").content.decode()
    assert 'value="inspect:visit" aria-label="考察 考察记录" checked' in page
    # 考察 no longer needs the visit record; 洽谈 needs the feasibility assessment and a contract draft.
    gates = ["negotiate:feasibility", "negotiate:contract", "signed:legal"]
    assert bureau.post("/investment/settings/", {"gate": gates, "stale_days": "45"}).status_code == 302
    services.lead_move(actor=invest_staff, lead=lead, stage="inspect", on=_today())
    with pytest.raises(ValidationError, match="可行性评估审定、投资合同"):
        services.lead_move(actor=invest_staff, lead=lead, stage="negotiate", on=_today())
    from xinqu.investment.selectors import stale_days

    assert stale_days() == 45
    # Another department may read the rules, not change them; a bad number changes nothing.
    assert (
        as_user(econ_staff).post("/investment/settings/", {"gate": [], "stale_days": "30"}).status_code == 403
    )
    refused = bureau.post("/investment/settings/", {"gate": [], "stale_days": "0"}, follow=True)
    assert "停滞天数须在 1 到 365 之间" in refused.content.decode() and stale_days() == 45
    from xinqu.investment.models import GateRule

    assert GateRule.objects.count() == 3


def _ledger(rows):
    import io

    from openpyxl import Workbook

    from xinqu.investment.imports import LEAD_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in LEAD_COLUMNS])
    for row in rows:
        ws.append([row.get(c.header) for c in LEAD_COLUMNS])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_existing_ledger_imports_all_rows_or_none_with_each_bad_cell_named(invest_staff, zone):
    from xinqu.investment.imports import leads_import

    good = {
        "项目名称": "新材料项目",
        "目标企业": "某新材料公司",
        "资金来源地": "省外",
        "线索来源": "展会",
        "意向投资（万，原币）": "20,000",
    }
    bad = {**good, "项目名称": "外资项目", "资金来源地": "海外", "币种": "EUR"}
    no_rate = {
        **good,
        "项目名称": "欧元项目",
        "资金来源地": "外资",
        "国别（地区）": "德国",
        "币种": "EUR",
        "登记日期": "2026-01-05",
    }
    report = leads_import(actor=invest_staff, file=_ledger([good, bad, no_rate]), dry_run=False)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "应为：省外、省内市外、市内、外资" in reasons[(3, "资金来源地")]
    assert "汇率" in reasons[(4, "币种")]
    assert not Lead.objects.exists(), "all rows or none"
    report = leads_import(
        actor=invest_staff, file=_ledger([good, {**good, "项目名称": "第二个项目"}]), dry_run=False
    )
    assert not report.errors and report.created == 2
    first = Lead.objects.get(name="新材料项目")
    assert (
        first.amount_cny == Decimal("20000") and first.origin == "province" and first.source == "exhibition"
    )
    again = leads_import(
        actor=invest_staff,
        file=_ledger([{**good, "线索编号": first.code, "目标企业": "改名公司"}]),
        dry_run=False,
    )
    assert again.updated == 1 and Lead.objects.get(pk=first.pk).company == "改名公司"


def test_a_ledger_brings_each_leads_stage_days_and_the_lead_page_names_the_documents_owed(
    as_user, invest_staff, zone
):
    from xinqu.investment.imports import leads_import
    from xinqu.investment.models import StageStep

    day = _today() - dt.timedelta(days=60)
    base = {
        "目标企业": "某装备公司",
        "资金来源地": "省外",
        "线索来源": "展会",
        "意向投资（万，原币）": "30000",
        "登记日期": day.isoformat(),
    }
    signed = {
        **base,
        "项目名称": "高端装备项目",
        "接洽日期": (day + dt.timedelta(days=5)).isoformat(),
        "洽谈日期": (day + dt.timedelta(days=20)).isoformat(),
        "签约日期": (day + dt.timedelta(days=40)).isoformat(),
        "合同投资额（万，原币）": "32000",
        "约定落地日期": (day + dt.timedelta(days=90)).isoformat(),
    }
    talking = {**base, "项目名称": "洽谈中项目", "接洽日期": (day + dt.timedelta(days=3)).isoformat()}
    # Bad rows: days out of order, a contract without a signing, a signing without its amount.
    backwards = {**talking, "项目名称": "倒序", "考察日期": (day - dt.timedelta(days=1)).isoformat()}
    stray = {**talking, "项目名称": "无签约", "合同投资额（万，原币）": "100"}
    unpriced = {**talking, "项目名称": "缺金额", "签约日期": (day + dt.timedelta(days=9)).isoformat()}
    future = {**talking, "项目名称": "未来", "洽谈日期": (_today() + dt.timedelta(days=2)).isoformat()}
    report = leads_import(
        actor=invest_staff, file=_ledger([signed, backwards, stray, unpriced, future]), dry_run=False
    )
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "不能早于上一阶段的日期" in reasons[(3, "考察日期")]
    assert "只有填写了签约日期" in reasons[(4, "合同投资额（万，原币）")]
    assert "签约须填写合同投资额" in reasons[(5, "合同投资额（万，原币）")]
    assert "不能晚于今天" in reasons.get((6, "洽谈日期"), ""), reasons
    assert not Lead.objects.exists() and not StageStep.objects.exists(), "all rows or none"

    report = leads_import(actor=invest_staff, file=_ledger([signed, talking]), dry_run=False)
    assert not report.errors and report.created == 2
    lead = Lead.objects.get(name="高端装备项目")
    assert lead.stage == "signed" and lead.signed_on == day + dt.timedelta(days=40)
    assert lead.contract_cny == Decimal("32000") and lead.land_by == day + dt.timedelta(days=90)
    steps = {s.stage: (s.on, s.days, s.note) for s in lead.steps.all()}
    # 考察, skipped by the ledger, is taken on the day of the next stage it gives (洽谈).
    assert steps["inspect"][0] == steps["negotiate"][0] == day + dt.timedelta(days=20)
    assert steps["contact"][1] == 5 and steps["signed"][1] == 20 and steps["signed"][2] == "台账导入"
    assert Lead.objects.get(name="洽谈中项目").stage == "contact"
    page = as_user(invest_staff).get(f"/investment/{lead.pk}/").content.decode()
    assert 'id="owed-documents"' in page and "考察：考察记录" in page and "司法审查" in page
    # Importing the file again changes nothing; a day that differs from the record is refused.
    again = leads_import(actor=invest_staff, file=_ledger([{**signed, "线索编号": lead.code}]), dry_run=False)
    assert not again.errors and lead.steps.count() == 5
    moved = {**signed, "线索编号": lead.code, "接洽日期": (day + dt.timedelta(days=6)).isoformat()}
    refused = leads_import(actor=invest_staff, file=_ledger([moved]), dry_run=False)
    assert "已记录为" in refused.errors[0].reason and refused.errors[0].column == "接洽日期"
    # A later ledger moves a lead on from where it stands.
    talking_lead = Lead.objects.get(name="洽谈中项目")
    later = {**talking, "线索编号": talking_lead.code, "洽谈日期": (day + dt.timedelta(days=8)).isoformat()}
    assert not leads_import(actor=invest_staff, file=_ledger([later]), dry_run=False).errors
    assert Lead.objects.get(pk=talking_lead.pk).stage == "negotiate"
    export = as_user(invest_staff).get("/investment/?format=xlsx")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    contact = rows[lead.code][header.index("接洽日期")]
    assert contact.date() == day + dt.timedelta(days=5)


def test_the_import_page_starts_a_dry_run_and_offers_the_template(as_user, invest_staff, leader):
    client = as_user(invest_staff)
    assert client.get("/investment/import/").status_code == 200
    template = client.get("/investment/import/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert as_user(leader).get("/investment/import/").status_code == 403


def test_the_map_shows_each_nodes_enterprises_and_open_leads_and_ranks_the_gaps(
    as_user, invest_staff, econ_staff, econ, lead
):
    from xinqu.enterprises.models import ChainPosition, IndustryNode

    cluster = IndustryNode.objects.create(kind="cluster", name="光电信息")
    chain = IndustryNode.objects.create(kind="chain", name="激光", parent=cluster)
    other_chain = IndustryNode.objects.create(kind="chain", name="显示", parent=cluster)
    up = IndustryNode.objects.create(kind="node", name="晶体材料", parent=chain, segment="up")
    mid = IndustryNode.objects.create(kind="node", name="激光器", parent=chain, segment="mid")
    down = IndustryNode.objects.create(kind="node", name="激光加工", parent=chain, segment="down")
    lonely = IndustryNode.objects.create(kind="node", name="面板", parent=other_chain, segment="mid")
    leader_firm = factories.enterprise(econ, name="链主光电有限公司")
    ChainPosition.objects.create(enterprise=leader_firm, node=down, is_leader=True)
    services.lead_update(actor=invest_staff, lead=lead, chain_node=mid, chain_role="fill")
    team = as_user(invest_staff).get(f"/investment/map/?chain={chain.pk}").content.decode()
    assert "链主光电有限公司" in team and lead.name in team
    # Another department sees the enterprise, but not the team's unsigned lead.
    other = as_user(econ_staff).get(f"/investment/map/?chain={chain.pk}").content.decode()
    assert "链主光电有限公司" in other and lead.name not in other
    # Gaps: 晶体材料 (one chain leader downstream) before 面板 (none); 激光器 has a lead, 激光加工 a firm.
    from xinqu.investment.selectors import gap_nodes

    assert [(r["node"].name, r["leaders_around"]) for r in gap_nodes()] == [("晶体材料", 1), ("面板", 0)]
    assert up.pk and lonely.pk


def test_team_scores_follow_the_rule_and_show_the_formula(
    as_user, invest_staff, invest, econ_staff, leader, lead
):
    services.lead_update(actor=invest_staff, lead=lead, amount=Decimal("150000"))
    for kind in ("visit", "feasibility", "negotiation", "legal", "fair_competition"):
        services.document_add(actor=invest_staff, lead=lead, kind=kind, files=[_pdf()])
    lead = services.lead_move(
        actor=invest_staff, lead=lead, stage="signed", on=_today(), contract_amount=Decimal("150000")
    )
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("40000"))  # 4 亿元
    year = _today().year
    from xinqu.investment.selectors import team_scores

    row = team_scores(year)["rows"][0]
    # One 10–20 亿元 signing (4) + 4 亿元 paid in × 0.5 (2) = 6.
    assert (row["band_10_20"], row["paid_in"], row["score"]) == (1, Decimal("4.00"), Decimal("6.00"))
    # A leader finds the lead falsely reported: 5 off; a reason is required; staff may not.
    with pytest.raises(PermissionDenied):
        services.lead_flag_false(actor=invest_staff, lead=lead, reason="x")
    with pytest.raises(ValidationError, match="依据"):
        services.lead_flag_false(actor=leader, lead=lead, reason=" ")
    as_user(leader).post(f"/investment/{lead.pk}/", {"form": "false_report", "reason": "合同金额与实际不符"})
    assert team_scores(year)["rows"][0]["score"] == Decimal("1.00")
    bureau = as_user(invest_staff)
    rule = {
        "band_3_10": "2",
        "band_10_20": "10",
        "band_20": "8",
        "paid_in": "1",
        "late_start": "1",
        "false_report": "5",
    }
    assert bureau.post(f"/investment/score/?year={year}", {"form": "rule", **rule}).status_code == 302
    page = bureau.get(f"/investment/score/?year={year}").content.decode()
    assert "10–20 亿元签约 × 10.00" in page and "<strong>9.00</strong>" in page
    assert (
        as_user(econ_staff).post(f"/investment/score/?year={year}", {"form": "rule", **rule}).status_code
        == 403
    )
    target = {
        "form": "target",
        "department": invest.pk,
        "signings": "12",
        "signed_amount": "50",
        "paid_in": "30",
    }
    assert bureau.post(f"/investment/score/?year={year}", target).status_code == 302
    assert "12 / 50.00 / 30.00" in bureau.get(f"/investment/score/?year={year}").content.decode()


def test_the_forecast_weights_open_leads_by_stage_in_their_expected_month(invest_staff, invest, lead):
    from xinqu.investment.models import Target
    from xinqu.investment.selectors import signing_forecast

    today = _today()
    later = dt.date(today.year + 1, 3, 10)
    services.lead_update(actor=invest_staff, lead=lead, expected_sign_on=later)
    services.document_add(actor=invest_staff, lead=lead, kind="visit", files=[_pdf()])
    services.document_add(actor=invest_staff, lead=lead, kind="feasibility", files=[_pdf()])
    services.lead_move(actor=invest_staff, lead=lead, stage="negotiate", on=today)
    Target.objects.create(year=later.year, department=invest, signings=10, signed_amount=1, paid_in=1)
    result = signing_forecast(invest_staff, later.year, today=today)
    assert result["months"][2]["expected"] == Decimal("0.5") and result["forecast"] == Decimal("0.5")
    assert result["target"] == 10


def test_a_referrers_reward_is_a_per_mille_of_fixed_assets_formed_with_a_cap(as_user, invest_staff, lead):
    from xinqu.investment.selectors import referrer_rows

    agency = Referrer.objects.create(
        kind="agency", name="深圳联络处", appointed_on=_today() - dt.timedelta(days=100)
    )
    services.lead_update(actor=invest_staff, lead=lead, source="agency", referrer=agency)
    lead = _to_signing(invest_staff, lead)  # 6 亿元: below 10 亿元, 3 ‰
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("50000"), kind="fixed")
    services.payment_add(actor=invest_staff, lead=lead, on=_today(), amount=Decimal("5000"), kind="working")
    row = referrer_rows(_today().year)[0]
    assert row["reward"] == Decimal("150.00") and not row["capped"]  # 50,000 万元 × 3 ‰
    bureau = as_user(invest_staff)
    posted = {"gate": ["inspect:visit"], "stale_days": "30", "reward_below_10": "5", "reward_10_20": "4",
              "reward_above_20": "5", "reward_cap": "200"}  # fmt: skip
    assert bureau.post("/investment/settings/", posted).status_code == 302
    row = referrer_rows(_today().year)[0]
    assert row["reward"] == Decimal("200.00") and row["capped"]  # 250 capped at 200
    assert "已达上限" in bureau.get("/investment/referrers/").content.decode()
    refused = bureau.post("/investment/settings/", {**posted, "reward_cap": "-1"}, follow=True)
    assert "不小于 0" in refused.content.decode()


def test_the_funnel_splits_by_month(as_user, leader, invest_staff, lead):
    services.document_add(actor=invest_staff, lead=lead, kind="visit", files=[_pdf()])
    services.lead_move(actor=invest_staff, lead=lead, stage="inspect", on=_today())
    year = _today().year
    funnel = as_user(leader).get("/api/v1/leads-funnel", {"year": year, "by": "month"}).json()
    month = {g["key"]: {c["stage"]: c["leads"] for c in g["stages"]} for g in funnel["groups"]}
    assert month[_today().month]["inspect"] == 1
    page = as_user(leader).get(f"/investment/funnel/?year={year}&by=month").content.decode()
    assert f"{_today().month} 月" in page


def test_a_landed_lead_entering_the_statistics_or_the_above_scale_list_counts_once_for_the_three_fifties(
    invest_staff, lead, zone
):
    area = OrgUnit.objects.get(code="gaoxin")
    lead = _to_signing(invest_staff, lead)
    landed = services.lead_land(
        actor=invest_staff, lead=lead, on=_today(), credit_code=credit_code(random.Random(9)), area=area
    )
    year = _today().year
    assert feed("investment.registered").compute(year, _today()).value == 0
    Project.objects.filter(pk=landed.project_id).update(registered_on=_today())
    assert feed("investment.registered").compute(year, _today()).value == 1
    # 入规 as well as 入统: the lead counts once, in the year of the first of the two.
    from xinqu.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=landed.enterprise_id).update(above_scale=True, above_scale_year=year)
    assert feed("investment.registered").compute(year, _today()).value == 1
    Project.objects.filter(pk=landed.project_id).update(registered_on=None)
    assert feed("investment.registered").compute(year, _today()).value == 1, "入规 alone counts"
    Project.objects.filter(pk=landed.project_id).update(registered_on=dt.date(year + 1, 1, 5))
    assert feed("investment.registered").compute(year + 1, dt.date(year + 1, 12, 31)).value == 0
    # Above scale before the lead landed (an existing enterprise linked at landing): no 入规,
    # but its project's 入统 counts.
    Enterprise.objects.filter(pk=landed.enterprise_id).update(above_scale_year=year - 1)
    assert feed("investment.registered").compute(year - 1, dt.date(year - 1, 12, 31)).value == 0
    Project.objects.filter(pk=landed.project_id).update(registered_on=_today())
    assert feed("investment.registered").compute(year, _today()).value == 1
    # 入统 in the year, 入规 the next: counted once, this year.
    Enterprise.objects.filter(pk=landed.enterprise_id).update(above_scale_year=year + 1)
    assert feed("investment.registered").compute(year + 1, dt.date(year + 1, 12, 31)).value == 0


def test_the_funnel_counts_every_started_project_not_just_the_last(invest_staff, leader, zone):
    from xinqu.investment.selectors import funnel

    area = OrgUnit.objects.get(code="gaoxin")
    for n in range(2):
        lead = services.lead_create(
            actor=invest_staff, name=f"项目{n}", company=f"公司{n}", origin="local", source="walk_in",
            amount=Decimal("1000"), on=_today() - dt.timedelta(days=10),
        )  # fmt: skip
        lead = _to_signing(invest_staff, lead)
        landed = services.lead_land(
            actor=invest_staff,
            lead=lead,
            on=_today(),
            credit_code=credit_code(random.Random(100 + n)),
            area=area,
        )
        Project.objects.filter(pk=landed.project_id).update(started_on=_today(), stage="started")
    cells = {c["stage"]: c for c in funnel(leader, _today().year)["groups"][0]["cells"]}
    assert cells["started"]["n"] == 2 and cells["started"]["amount"] == Decimal("120000")
    assert cells["started"]["conversion"] == Decimal("100.0")
    from xinqu.investment.selectors import filtered, stage_of

    started = list(filtered(leader, {"stage": "started"}))
    assert len(started) == 2 and {stage_of(x) for x in started} == {"started"}
    assert not filtered(leader, {"stage": "landed"}).exists()


def test_the_funnel_by_team_names_teams_on_the_page_and_codes_them_in_the_api(
    as_user, leader, invest_staff, lead
):
    year = _today().year
    page = as_user(leader).get(f"/investment/funnel/?year={year}&by=department").content.decode()
    assert '<h3 class="card-title">招商局</h3>' in page
    api = as_user(leader).get("/api/v1/leads-funnel", {"year": year, "by": "department"}).json()
    assert [g["key"] for g in api["groups"]] == ["invest"]


def test_a_referring_enterprise_the_viewer_may_not_see_is_masked_and_kept(as_user, invest_staff, econ, lead):
    secret = factories.enterprise(econ, name="机密引荐企业有限公司", confidential=True)
    Lead.objects.filter(pk=lead.pk).update(source="referral", referring_enterprise=secret)
    client = as_user(invest_staff)
    page = client.get(f"/investment/{lead.pk}/").content.decode()
    assert "机密引荐企业有限公司" not in page and "保密企业" in page
    edit = client.get(f"/investment/{lead.pk}/edit/").content.decode()
    assert "机密引荐企业有限公司" not in edit


def test_a_talent_project_counts_for_the_three_fifties_when_it_lands(as_user, invest_staff, zone):
    from xinqu.investment.imports import leads_import

    row = {
        "项目名称": "院士团队光谱仪项目",
        "目标企业": "某光谱科技公司",
        "资金来源地": "省外",
        "线索来源": "展会",
        "意向投资（万，原币）": "20,000",
        "高科技人才产业项目": "是",
    }
    report = leads_import(
        actor=invest_staff,
        file=_ledger([row, {**row, "项目名称": "普通项目", "高科技人才产业项目": ""}]),
        dry_run=False,
    )
    assert not report.errors
    talent = Lead.objects.get(name="院士团队光谱仪项目")
    assert talent.talent_project and not Lead.objects.get(name="普通项目").talent_project
    answer = as_user(invest_staff).get(f"/api/v1/leads/{talent.code}").json()
    assert answer["talent_project"] is True
    year, count = _today().year, feed("investment.talent_projects")
    assert count.compute(year, _today()).value == 0, "counted when it lands, not when it is registered"
    lead = _to_signing(invest_staff, talent)
    services.lead_land(
        actor=invest_staff, lead=lead, on=_today(), credit_code=credit_code(random.Random(11)),
        area=OrgUnit.objects.get(code="gaoxin"),
    )  # fmt: skip
    fed = count.compute(year, _today())
    assert fed.value == 1 and fed.records[0].label.endswith("院士团队光谱仪项目")
    assert count.compute(year - 1, _today()).value == 0


def test_the_map_lists_each_nodes_five_largest_open_leads_and_counts_them_all(invest_staff, zone):
    """One query ranks every node's leads; each node still shows its own five largest."""
    from xinqu.enterprises.models import IndustryNode
    from xinqu.investment.selectors import chain_targets

    cluster = IndustryNode.objects.create(kind="cluster", name="汽车")
    chain = IndustryNode.objects.create(kind="chain", name="新能源汽车", parent=cluster)
    battery = IndustryNode.objects.create(kind="node", name="动力电池", parent=chain, segment="mid")
    motor = IndustryNode.objects.create(kind="node", name="驱动电机", parent=chain, segment="mid")
    amounts = {battery: [5, 70, 30, 90, 10, 60, 20], motor: [40, 80]}
    for node, values in amounts.items():
        for value in values:
            lead = services.lead_create(
                actor=invest_staff,
                name=f"{node.name}项目{value}",
                company=f"{node.name}{value}有限公司",
                origin="province",
                source="exhibition",
                amount=Decimal(value * 1000),
                on=_today() - dt.timedelta(days=3),
            )
            services.lead_update(actor=invest_staff, lead=lead, chain_node=node, chain_role="fill")
    entries = {e["node"].name: e for seg in chain_targets(chain, invest_staff) for e in seg["nodes"]}
    assert [lead.name for lead in entries["动力电池"]["leads"]] == [
        f"动力电池项目{v}" for v in (90, 70, 60, 30, 20)
    ]
    assert entries["动力电池"]["lead_count"] == 7
    assert [lead.name for lead in entries["驱动电机"]["leads"]] == ["驱动电机项目80", "驱动电机项目40"]


def test_the_list_reads_its_rows_in_one_query_whatever_their_number(
    as_user, invest_staff, invest, lead, zone
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    area = OrgUnit.objects.get(code="gaoxin")
    landed = services.lead_land(
        actor=invest_staff,
        lead=_to_signing(invest_staff, lead, on=_today() - dt.timedelta(days=5)),
        on=_today(),
        credit_code=credit_code(random.Random(11)),
        area=area,
    )
    Project.objects.filter(lead=landed).update(started_on=_today())
    Lead.objects.filter(pk=landed.pk).update(officer=invest_staff, last_activity_on=dt.date(2026, 3, 9))
    client = as_user(invest_staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/investment/")
        assert page.status_code == 200
        # The rows' projects and officers come with the leads, not one query a row.
        assert not [q for q in captured.captured_queries if 'FROM "projects_project"' in q["sql"]]
        return len(captured.captured_queries)

    few = queries()
    for n in range(5):
        services.lead_create(
            actor=invest_staff,
            name=f"配套项目{n}",
            company=f"配套企业{n}",
            origin="city",
            source="walk_in",
            amount=Decimal("1000"),
            on=_today(),
        )
    assert queries() == few
    page = client.get("/investment/").content.decode()
    row = page.split(f'data-code="{landed.code}"')[1].split("</tr>")[0]
    # The stage as the project shows it, the officer by name and the last follow-up as a date.
    assert "开工" in row and invest_staff.display_name in row and "2026-03-09" in row
    assert "配套项目4" in page
