"""The enterprise record, qualifications, tiers and chains: services, pages and permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xinqu.core.models import AuditEntry
from xinqu.enterprises import services
from xinqu.enterprises.models import Enterprise, Qualification, Tier, TierChange, YearlyFigure
from xinqu.enterprises.selectors import EnterpriseFilter, enterprise_search, expiring_qualifications

pytestmark = pytest.mark.django_db


def test_staff_registers_an_enterprise_in_a_park(as_user, econ_staff, parks, codes):
    code = codes(1)[0]
    response = as_user(econ_staff).post(
        "/enterprises/new/",
        {
            "credit_code": code.lower(),
            "name": "长春传感测试有限公司",
            "park": parks["sensor"].pk,
            "size_class": "small",
        },
    )
    enterprise = Enterprise.objects.get(credit_code=code)
    assert response.status_code == 302
    assert enterprise.area == parks["beihu"]  # the park's area is filled in
    assert enterprise.department == econ_staff.department
    assert AuditEntry.objects.filter(action="create", object_type="enterprises.Enterprise").exists()


def test_a_wrong_credit_code_is_refused_with_the_reason(as_user, econ_staff):
    response = as_user(econ_staff).post(
        "/enterprises/new/", {"credit_code": "91350100M000100Y44", "name": "错码公司"}
    )
    assert "第 18 位应为“3”" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_park_must_lie_in_the_area(make_enterprise, parks):
    with pytest.raises(ValidationError, match="不在功能区"):
        make_enterprise(area=parks["gaoxin"], park=parks["sensor"])
    assert not Enterprise.objects.exists()


def test_future_founding_date_is_refused(make_enterprise):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        make_enterprise(established_on=timezone.localdate() + dt.timedelta(days=1))


def test_other_department_cannot_edit_the_record(as_user, make_enterprise, invest_staff):
    enterprise = make_enterprise(name="原名称有限公司")
    client = as_user(invest_staff)
    assert client.get(f"/enterprises/{enterprise.pk}/").status_code == 200
    response = client.post(
        f"/enterprises/{enterprise.pk}/edit/", {"credit_code": enterprise.credit_code, "name": "改名"}
    )
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.name == "原名称有限公司"


def test_confidential_enterprise_is_hidden_from_other_departments(
    as_user, make_enterprise, invest_staff, leader
):
    enterprise = make_enterprise(name="保密企业有限公司", confidential=True)
    assert as_user(invest_staff).get(f"/enterprises/{enterprise.pk}/").status_code == 404
    assert "保密企业" not in as_user(invest_staff).get("/enterprises/", {"q": "保密"}).content.decode()
    assert as_user(leader).get(f"/enterprises/{enterprise.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_administrators_see_no_enterprises(request, as_user, persona, make_enterprise):
    enterprise = make_enterprise()
    client = as_user(request.getfixturevalue(persona))
    assert client.get("/enterprises/").status_code == 403
    assert client.get(f"/enterprises/{enterprise.pk}/").status_code == 404


def test_search_matches_chinese_substrings_of_name_former_name_and_code(econ_staff, make_enterprise):
    a = make_enterprise(name="长春长光辰芯光电技术有限公司", former_names="长春长光辰芯微电子有限公司")
    b = make_enterprise(name="吉林省中科生物医药有限公司")

    def names(q):
        return {e.pk for e in enterprise_search(econ_staff, EnterpriseFilter(q=q))}

    assert names("辰芯光电") == {a.pk}
    assert names("微电子") == {a.pk}  # former name
    assert names("生物") == {b.pk}
    assert names(b.credit_code[4:12].lower()) == {b.pk}


def test_yearly_figures_are_kept_per_year_and_corrections_are_audited(econ_staff, make_enterprise):
    enterprise = make_enterprise()
    services.yearly_figure_set(actor=econ_staff, enterprise=enterprise, year=2022, revenue=Decimal("1000"))
    services.yearly_figure_set(actor=econ_staff, enterprise=enterprise, year=2023, revenue=Decimal("1200"))
    services.yearly_figure_set(actor=econ_staff, enterprise=enterprise, year=2023, revenue=Decimal("1250"))
    assert dict(YearlyFigure.objects.values_list("year", "revenue")) == {
        2022: Decimal("1000"),
        2023: Decimal("1250"),
    }
    entry = AuditEntry.objects.filter(object_type="enterprises.YearlyFigure", action="update").get()
    assert entry.changes == {"revenue": ["1200.00", "1250"]}
    with pytest.raises(ValidationError, match="年度不能晚于今年"):
        services.yearly_figure_set(
            actor=econ_staff, enterprise=enterprise, year=timezone.localdate().year + 1
        )


def test_high_tech_is_valid_three_years_and_counts_held_and_new(econ_staff, make_enterprise, kind):
    from xinqu.enterprises.selectors import registry_statistics

    first, second, third = make_enterprise(name="甲"), make_enterprise(name="乙"), make_enterprise(name="丙")
    services.qualification_add(
        actor=econ_staff, enterprise=first, kind=kind("high_tech"), granted_on=dt.date(2021, 11, 1)
    )
    q = services.qualification_add(
        actor=econ_staff, enterprise=second, kind=kind("high_tech"), granted_on=dt.date(2023, 12, 5)
    )
    # Re-certified in 2023 after a first grant in 2020: held, but not new.
    services.qualification_add(
        actor=econ_staff, enterprise=third, kind=kind("high_tech"), granted_on=dt.date(2020, 10, 1)
    )
    services.qualification_add(
        actor=econ_staff, enterprise=third, kind=kind("high_tech"), granted_on=dt.date(2023, 10, 1)
    )
    assert q.expires_on == dt.date(2026, 12, 4)
    totals = registry_statistics(day=dt.date(2023, 12, 31), year=2023).totals["high_tech"]
    assert totals == {"held": 3, "new": 1}
    later = registry_statistics(day=dt.date(2024, 11, 1), year=2024).totals["high_tech"]
    assert later == {"held": 2}  # the 2021 certificate lapsed on 2024-10-31


def test_expiring_qualifications_skip_renewed_ones(econ_staff, make_enterprise, kind):
    today = timezone.localdate()
    lapsing, renewed = make_enterprise(name="将到期"), make_enterprise(name="已续期")
    services.qualification_add(
        actor=econ_staff, enterprise=lapsing, kind=kind("tech_sme"), granted_on=today - dt.timedelta(days=330)
    )
    services.qualification_add(
        actor=econ_staff, enterprise=renewed, kind=kind("tech_sme"), granted_on=today - dt.timedelta(days=330)
    )
    services.qualification_add(actor=econ_staff, enterprise=renewed, kind=kind("tech_sme"), granted_on=today)
    names = {q.enterprise.name for q in expiring_qualifications(econ_staff, within_days=60)}
    assert names == {"将到期"}


def test_future_grant_date_is_refused(econ_staff, make_enterprise, kind):
    with pytest.raises(ValidationError, match="认定日期不能晚于今天"):
        services.qualification_add(
            actor=econ_staff,
            enterprise=make_enterprise(),
            kind=kind("high_tech"),
            granted_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert not Qualification.objects.exists()


def test_manual_tier_needs_a_reason_and_is_kept_in_history(econ_staff, make_enterprise):
    enterprise = make_enterprise()
    leading = Tier.objects.get(code="leading")
    with pytest.raises(ValidationError, match="必须写明理由"):
        services.tier_assign(actor=econ_staff, enterprise=enterprise, tier=leading, reason=" ")
    services.tier_assign(actor=econ_staff, enterprise=enterprise, tier=leading, reason="链主企业，重点培育")
    enterprise.refresh_from_db()
    assert enterprise.tier == leading
    change = TierChange.objects.get()
    assert (change.previous, change.tier, change.method, change.changed_by) == (
        None,
        leading,
        "manual",
        econ_staff,
    )


def test_rules_assign_tiers_and_leave_manual_ones(econ_head, econ_staff, make_enterprise, kind):
    big, small, pinned = make_enterprise(name="大"), make_enterprise(name="小"), make_enterprise(name="手")
    for enterprise, before, now in ((big, 60000, 70000), (pinned, 60000, 70000)):
        services.yearly_figure_set(
            actor=econ_staff, enterprise=enterprise, year=2022, revenue=Decimal(before)
        )
        services.yearly_figure_set(actor=econ_staff, enterprise=enterprise, year=2023, revenue=Decimal(now))
    services.qualification_add(
        actor=econ_staff, enterprise=small, kind=kind("tech_sme"), granted_on=dt.date(2023, 5, 1)
    )
    services.tier_assign(actor=econ_staff, enterprise=pinned, tier=None, reason="暂不列入")
    with pytest.raises(PermissionDenied):
        services.tiers_apply_rules(actor=econ_staff, year=2023)
    result = services.tiers_apply_rules(actor=econ_head, year=2023)
    assert result == {"changed": 2, "kept_manual": 1}
    tiers = dict(Enterprise.objects.values_list("name", "tier__code"))
    assert tiers == {"大": "leading", "小": "potential", "手": None}
    assert TierChange.objects.filter(method="rule").count() == 2


def test_chain_map_marks_empty_nodes(as_user, econ_staff, make_enterprise, chain):
    leader_firm = make_enterprise(name="链主传感有限公司")
    services.chain_position_set(actor=econ_staff, enterprise=leader_firm, node=chain["mid"], is_leader=True)
    page = as_user(econ_staff).get(f"/enterprises/chains/{chain['chain'].pk}/").content.decode()
    assert "链主传感有限公司" in page
    assert page.count('data-empty="1"') == 2
    assert "2 个链环节还没有企业" in page
    with pytest.raises(ValidationError, match="不是链环节"):
        services.chain_position_set(actor=econ_staff, enterprise=leader_firm, node=chain["chain"])


def test_list_export_neutralises_formulas(as_user, econ_staff, make_enterprise):
    import io

    from openpyxl import load_workbook

    make_enterprise(name="=cmd|' /C calc'!A0", former_names="+1+1")
    response = as_user(econ_staff).get("/enterprises/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][2] == "'+1+1"


def test_list_page_query_count_does_not_grow(as_user, econ_staff, make_enterprise, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(econ_staff)
    make_enterprise(name="首家")
    with CaptureQueriesContext(connection) as few:
        client.get("/enterprises/")
    for i in range(20):
        make_enterprise(name=f"企业{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/enterprises/")


def test_detail_and_statistics_pages_render(as_user, econ_staff, make_enterprise, kind, chain):
    enterprise = make_enterprise(name="详情页企业")
    services.qualification_add(
        actor=econ_staff, enterprise=enterprise, kind=kind("high_tech"), granted_on=dt.date(2023, 11, 1)
    )
    client = as_user(econ_staff)
    detail = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "高新技术企业" in detail and "2026-10-31" in detail
    for by in ("area", "park", "tier", "chain"):
        page = client.get("/enterprises/statistics/", {"by": by, "day": "2023-12-31", "year": "2023"})
        assert page.status_code == 200
    page = client.get("/enterprises/statistics/", {"day": "2023-12-31", "year": "2023"}).content.decode()
    assert 'data-group="high_tech">1 ' in page
    assert 'id="stat-chart-data"' in page and '"series"' in page


def test_heads_configure_tiers_kinds_and_the_industry_tree(
    as_user, econ_head, econ_staff, chain, make_enterprise
):
    client = as_user(econ_head)
    leading = Tier.objects.get(code="leading")
    client.post(
        "/enterprises/settings/",
        {
            "action": f"tier-{leading.pk}",
            f"tier-{leading.pk}-name": "领跑",
            f"tier-{leading.pk}-rank": 3,
            f"tier-{leading.pk}-min_revenue": "80000",
        },
    )
    leading.refresh_from_db()
    assert (leading.name, leading.min_revenue) == ("领跑", Decimal("80000"))
    client.post(
        "/enterprises/settings/",
        {
            "action": "kind",
            "kind-code": "gazelle",
            "kind-name": "瞪羚企业",
            "kind-group": "gazelle",
            "kind-level": 0,
            "kind-sort_order": 9,
            "kind-validity_months": 24,
        },
    )
    from xinqu.enterprises.models import IndustryNode, QualificationKind

    assert QualificationKind.objects.get(code="gazelle").validity_months == 24
    client.post(
        "/enterprises/settings/",
        {
            "action": "node",
            "node-kind": "node",
            "node-name": "压力传感器",
            "node-parent": chain["chain"].pk,
            "node-segment": "mid",
            "node-sort_order": 4,
        },
    )
    assert IndustryNode.objects.filter(name="压力传感器", parent=chain["chain"]).exists()
    bad = client.post(
        "/enterprises/settings/",
        {
            "action": "node",
            "node-kind": "node",
            "node-name": "错挂",
            "node-parent": chain["cluster"].pk,
            "node-segment": "up",
            "node-sort_order": 0,
        },
    )
    assert "链环节必须挂在产业链下" in bad.content.decode()
    page = client.post(
        "/enterprises/settings/", {"action": "run", "year": 2023}, follow=True
    ).content.decode()
    assert "已按规则评定梯次" in page
    assert (
        as_user(econ_staff).post("/enterprises/settings/", {"action": "run", "year": 2023}).status_code == 403
    )
    assert as_user(econ_staff).get("/enterprises/settings/").status_code == 200


def test_search_follows_renames_and_escapes_wildcards(econ_staff, make_enterprise):
    enterprise = make_enterprise(name="旧名称科技有限公司")
    services.enterprise_update(actor=econ_staff, enterprise=enterprise, name="新名称100%纯科技有限公司")

    def found(q):
        return list(enterprise_search(econ_staff, EnterpriseFilter(q=q)).values_list("name", flat=True))

    assert found("旧名称") == []
    assert found("新名称") == ["新名称100%纯科技有限公司"]
    assert found("100%纯") == ["新名称100%纯科技有限公司"]
    assert found("0_纯") == []  # "_" is a character here, not a wildcard
