"""The plan tree: what it refuses, its weights, copying a year, import and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.plans.helpers import YEAR, _node
from xinqu.plans import services
from xinqu.plans.models import Node


def test_the_tree_refuses_cycles_orphans_and_owners_missing(plan, clerk, econ, invest_staff):
    root, programme, kpi = _node(plan, "S"), _node(plan, "3"), _node(plan, "3.1")
    before = list(Node.objects.order_by("pk").values())
    refusals = [
        # a cycle: the programme under its own KPI's sibling measure
        {"node": programme, "parent": _node(plan, "3.3"), "kind": "programme"},
        {"node": root, "parent": programme},  # a cycle: the root under its child
        {"node": None, "kind": "kpi", "code": "3.9", "title": "无牵头单位", "parent": programme, "target_value": 1},
        {"node": None, "kind": "kpi", "code": "3.9", "title": "无目标", "parent": programme, "lead_department": econ},
        {"node": None, "kind": "kpi", "code": "3.9", "title": "来源不明", "parent": programme, "lead_department": econ,
             "target_value": 1, "source": "nowhere.at_all"},
        {"node": None, "kind": "measure", "code": "3.9", "title": "挂在指标下", "parent": kpi, "lead_department": econ},
        {"node": None, "kind": "measure", "code": "3.1", "title": "编号重复", "parent": programme, "lead_department": econ},
        {"node": kpi, "kind": "kpi", "lead_department": None},  # a KPI loses its owner
    ]  # fmt: skip
    for refusal in refusals:
        node = refusal.pop("node")
        with pytest.raises(ValidationError):
            services.node_save(actor=clerk, plan=plan, node=node, **refusal)
    other = services.plan_save(actor=clerk, year=YEAR + 1, title="2025")
    with pytest.raises(ValidationError, match="同一年度"):
        services.node_save(actor=clerk, plan=other, kind="measure", code="1", title="跨计划", parent=programme,
                           lead_department=econ)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.node_save(actor=invest_staff, plan=plan, kind="programme", code="9", title="非计划牵头部门")
    assert list(Node.objects.filter(plan=plan).order_by("pk").values()) == before


def test_weights_that_do_not_add_up_are_a_warning(plan, clerk):
    assert services.weight_warnings(plan) == []
    services.node_save(actor=clerk, plan=plan, node=_node(plan, "3.1"), weight=50)
    assert services.weight_warnings(plan) == ["“3”的下级权重合计为 90，不是 100。"]


def test_a_plan_is_copied_from_last_year(plan, clerk, econ):
    services.node_save(actor=clerk, plan=plan, node=_node(plan, "3.3"), partner_departments=[econ])
    copy = services.plan_copy(actor=clerk, source=plan, year=YEAR + 1)
    assert copy.title == "2025年总策略"
    assert copy.periods.count() == 12
    assert sorted(copy.nodes.values_list("code", flat=True)) == sorted(
        plan.nodes.values_list("code", flat=True)
    )
    kpi = copy.nodes.get(code="3.1")
    assert kpi.parent.code == "3" and kpi.parent.plan == copy
    assert kpi.deadline == dt.date(YEAR + 1, 12, 31)
    assert list(copy.nodes.get(code="3.3").partner_departments.all()) == [econ]
    with pytest.raises(ValidationError, match="已存在"):
        services.plan_copy(actor=clerk, source=plan, year=YEAR + 1)


def test_plan_export_imports_back_and_bad_rows_change_nothing(plan, clerk, invest_staff, as_user, settings):
    from openpyxl import Workbook, load_workbook

    from xinqu.core import jobs

    exported = as_user(clerk).get(f"/plans/{YEAR}/?format=xlsx").content
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["编号", "上级编号", "类型", "名称"]
    # The exported workbook, into a new year's plan: the same tree.
    target = services.plan_save(actor=clerk, year=YEAR + 1, title="2025")
    spec = jobs.IMPORT_KINDS["plan_nodes"]
    report = jobs.run_importer(
        spec, actor=clerk, file=io.BytesIO(exported), dry_run=False, options={"year": YEAR + 1}
    )
    assert report.ok, report.errors
    assert report.created == plan.nodes.count()
    assert target.nodes.get(code="3.1").parent.code == "3"
    # A sheet with bad rows: each named, nothing written.
    book = Workbook()
    ws = book.active
    ws.append(header[:13])
    ws.append(["9", "", "工程", "新工程", "", "", "", None, "", "", 10, "", ""])
    ws.append(["9.1", "9", "指标", "无牵头单位", "", "", "", 5, "个", "", 50, "", ""])
    ws.append(["9.2", "8", "举措", "上级不存在", "", "招商局", "", None, "", "", 50, "", ""])
    ws.append(["9.3", "9", "举措", "部门不存在", "", "火星局", "", None, "", "", 0, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    before = target.nodes.count()
    report = jobs.run_importer(
        spec, actor=clerk, file=io.BytesIO(buffer.getvalue()), dry_run=False, options={"year": YEAR + 1}
    )
    assert not report.ok
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "牵头单位" in reasons[(3, "牵头单位")]
    assert "没有编号为 8" in reasons[(4, "上级编号")]
    assert "火星局" in reasons[(5, "牵头单位")]
    assert target.nodes.count() == before
    refused = jobs.run_importer(
        spec, actor=invest_staff, file=io.BytesIO(exported), dry_run=True, options={"year": YEAR + 1}
    )
    assert "计划牵头部门" in refused.fatal
