"""The pages and the API keep the services' rules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.plans.helpers import YEAR, _node
from xinqu.plans.models import Node, Report, ReportLine


def test_pages_and_permissions(plan, clerk, invest, invest_staff, leader, sysadmin, as_user):
    page = as_user(invest_staff).get(f"/plans/{YEAR}/").content.decode()
    assert "3.1 入规入统项目" in page and 'id="add-node"' not in page
    assert 'id="add-node"' in as_user(clerk).get(f"/plans/{YEAR}/").content.decode()
    for url in (
        f"/plans/{YEAR}/nodes/new/",
        f"/plans/{YEAR}/settings/",
        f"/plans/{YEAR}/import/",
        f"/plans/{YEAR}/copy/",
    ):
        assert as_user(invest_staff).get(url).status_code == 403, url
    assert as_user(sysadmin).get(f"/plans/{YEAR}/").status_code == 403
    assert as_user(leader).get(f"/plans/{YEAR}/my/").status_code == 403
    # The report page saves all or nothing and says which cell is wrong.
    node = _node(plan, "3.1")
    bad = as_user(invest_staff).post(
        f"/plans/{YEAR}/reports/{YEAR}-03/",
        {"action": "submit", f"value-{node.pk}": "abc", f"progress-{node.pk}": "推进中"},
    )
    assert (
        bad.status_code == 200
        and "3.1 入规入统项目" in bad.content.decode()
        and not ReportLine.objects.exists()
    )
    good = as_user(invest_staff).post(
        f"/plans/{YEAR}/reports/{YEAR}-03/",
        {"action": "submit", f"value-{node.pk}": "12", f"progress-{node.pk}": "推进中",
         f"progress-{_node(plan, '3.3').pk}": "专班已组建"},
    )  # fmt: skip
    assert good.status_code == 302 and Report.objects.get().status == "submitted"
    # The node editor refuses a cycle with the reason, on the field.
    programme = _node(plan, "3")
    edited = as_user(clerk).post(
        f"/plans/{YEAR}/nodes/{programme.pk}/edit/",
        {"parent": _node(plan, "3.3").pk, "kind": "programme", "code": "3", "title": "招商引资突破工程",
         "weight": "100", "sort_order": "0", "direction": "higher"},
    )  # fmt: skip
    assert edited.status_code == 200 and "循环" in edited.content.decode()
    assert Node.objects.get(pk=programme.pk).parent.code == "S"


def test_the_api_has_the_pages_rules(
    plan, clerk, invest, invest_staff, invest_head, leader, econ_staff, as_user
):
    staff = as_user(invest_staff)
    assert [p["year"] for p in staff.get("/api/v1/plans").json()] == [YEAR]
    tree = {n["code"]: n for n in staff.get(f"/api/v1/plans/{YEAR}/tree?month=3").json()}
    assert tree["3.1"]["parent"] == "3" and tree["3.1"]["lead_department"] == "invest"
    node = {
        "code": "3.9",
        "parent": "3",
        "kind": "kpi",
        "title": "新指标",
        "target_value": "10",
        "unit": "个",
    }
    # Not the plan office: refused; the office without an owner: refused with the reason; then made.
    assert (
        staff.put(f"/api/v1/plans/{YEAR}/nodes/3.9", node, content_type="application/json").status_code == 403
    )
    office = as_user(clerk)
    missing = office.put(f"/api/v1/plans/{YEAR}/nodes/3.9", node, content_type="application/json")
    assert missing.status_code == 422 and "牵头单位" in str(missing.json()["errors"])
    made = office.put(
        f"/api/v1/plans/{YEAR}/nodes/3.9",
        node | {"lead_department": "invest"},
        content_type="application/json",
    )
    assert made.status_code == 201
    lines = [{"code": "3.1", "value": "12", "progress": "推进中"}, {"code": "3.3", "progress": "专班运行"},
             {"code": "3.9", "value": "2", "progress": "起步"}]  # fmt: skip
    wrote = staff.put(
        f"/api/v1/plans/{YEAR}/reports/{YEAR}-03",
        {"lines": lines, "submit": True},
        content_type="application/json",
    )
    assert wrote.status_code == 200 and wrote.json()["status"] == "submitted"
    assert (
        staff.post(
            f"/api/v1/plans/{YEAR}/reports/{YEAR}-03/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    # The leader sees no unapproved report; after the head's approval, it is there.
    assert (
        as_user(leader).get(f"/api/v1/plans/{YEAR}/reports/{YEAR}-03?department=invest").json()["status"]
        == "none"
    )
    approved = as_user(invest_head).post(
        f"/api/v1/plans/{YEAR}/reports/{YEAR}-03/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    seen = as_user(leader).get(f"/api/v1/plans/{YEAR}/reports/{YEAR}-03?department=invest").json()
    assert [line["value"] for line in seen["lines"] if line["code"] == "3.1"] == [12]
    assert staff.get(f"/api/v1/plans/{YEAR}/scores?month=3").json()[0]["department"] == "invest"
    # Supervision: leaders only; the department responds with the version it saw (409 when stale).
    payload = {
        "requirement": "请说明进度",
        "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    assert (
        staff.post(
            f"/api/v1/plans/{YEAR}/nodes/3.1/supervision", payload, content_type="application/json"
        ).status_code
        == 403
    )
    opened = as_user(leader).post(
        f"/api/v1/plans/{YEAR}/nodes/3.1/supervision", payload, content_type="application/json"
    )
    assert opened.status_code == 201
    number, version = opened.json()["number"], opened.json()["version"]
    assert staff.get(f"/api/v1/supervision/{number}").json()["actions"] == [
        "respond",
        "comment",
        "ask_extension",
    ]
    act = f"/api/v1/supervision/{number}/actions/respond"
    assert (
        staff.post(
            act, {"version": version, "comment": "已落实"}, content_type="application/json"
        ).status_code
        == 200
    )
    stale = as_user(econ_staff).post(
        act, {"version": version, "comment": "x"}, content_type="application/json"
    )
    assert stale.status_code in {403, 409}
    assert (
        staff.post(act, {"version": version, "comment": "再报"}, content_type="application/json").status_code
        == 409
    )
