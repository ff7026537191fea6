"""A hazard from the inspection to 销号, on the same engine as the service requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinqu.core.models import Department, Notification
from xinqu.core.roles import Role
from xinqu.enterprises.models import Visit, VisitRule
from xinqu.safety import services
from xinqu.safety.models import Hazard
from xinqu.safety.selectors import light
from xinqu.workflow.models import Item

TODAY = dt.date(2024, 5, 6)


@pytest.fixture
def safety(db):
    return Department.objects.create(code="safety", name="应急管理局")


@pytest.fixture
def inspector(make_user, safety):
    return make_user("inspector", Role.STAFF, safety)


@pytest.fixture
def colleague(make_user, safety):
    return make_user("colleague", Role.STAFF, safety)


@pytest.fixture
def enterprise(db, econ, zone):
    import random

    from xinqu.demo.generator import credit_code
    from xinqu.enterprises.models import Enterprise

    return Enterprise.objects.create(
        credit_code=credit_code(random.Random(5)), name="长春某化工有限公司", department=econ
    )


def _report(inspector, enterprise, level="general", **extra):
    return services.hazard_report(
        actor=inspector,
        enterprise=enterprise,
        level=level,
        location="危化品仓库",
        description="消防通道堵塞",
        inspected_on=TODAY,
        **extra,
    )


def test_from_report_to_closing_by_a_second_person(inspector, colleague, enterprise, econ, econ_staff):
    hazard = _report(inspector, enterprise)
    assert Visit.objects.get(enterprise=enterprise).kind == "inspection"  # the inspection is a visit
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=econ,
        owner="企业安全员",
        due_on=dt.date(2099, 1, 1),
    )
    hazard.item.refresh_from_db()
    assert (hazard.item.state, hazard.item.due_on) == ("rectifying", dt.date(2099, 1, 1))
    services.hazard_act(
        actor=econ_staff, hazard=hazard, action="submit_evidence", comment="已清理通道，附照片"
    )
    with pytest.raises(PermissionDenied):
        services.hazard_act(actor=inspector, hazard=hazard, action="verify", comment="合格")  # the reporter
    services.hazard_act(actor=colleague, hazard=hazard, action="send_back", comment="照片不清楚")
    services.hazard_act(actor=econ_staff, hazard=hazard, action="submit_evidence", comment="补充照片")
    services.hazard_act(actor=colleague, hazard=hazard, action="verify", comment="现场复核合格，销号")
    hazard.refresh_from_db()
    assert (hazard.item.state, hazard.verified_by, hazard.owner) == ("closed", colleague, "企业安全员")


def test_a_major_hazard_is_supervised_at_once_and_stays_red_when_overdue(
    inspector, colleague, enterprise, econ, leader
):
    hazard = _report(inspector, enterprise, level="major")
    assert hazard.item.supervision_level == 1
    assert Notification.objects.filter(user=leader, title__contains="重大隐患").exists()
    assert Notification.objects.filter(user=colleague, title__contains="重大隐患").exists()
    services.hazard_act(
        actor=inspector, hazard=hazard, action="assign", department=econ, owner="厂长", due_on=dt.date.today()
    )
    Item.objects.filter(pk=hazard.pk).update(due_on=dt.date(2024, 1, 1))
    hazard = Hazard.objects.select_related("item").get(pk=hazard.pk)
    assert light(hazard) == "red"


def test_a_confidential_enterprise_is_never_named_in_titles_or_notifications(
    inspector, enterprise, make_user, leader, as_user
):
    enterprise.confidential = True  # its department (经济发展局) and the leaders may see it
    enterprise.save()
    hazard = _report(inspector, enterprise, level="major")
    assert hazard.item.title == "保密企业：危化品仓库"
    assert not Notification.objects.filter(title__contains=enterprise.name).exists()
    works = Department.objects.create(code="works", name="建设局")
    works_staff = make_user("works-staff", Role.STAFF, works)
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=works,
        owner="厂长",
        due_on=dt.date(2099, 1, 1),
    )
    # The assigned department works on the hazard without learning whom it concerns.
    for url in ("/safety/?state=all", f"/safety/{hazard.item.number}/", "/", "/cockpit/", "/api/v1/cockpit"):
        answer = as_user(works_staff).get(url)
        assert answer.status_code == 200 and enterprise.name not in answer.content.decode(), url
    assert not Notification.objects.filter(user=works_staff, title__contains=enterprise.name).exists()
    # The leader, who may see the enterprise, finds its name on the hazard's page.
    assert enterprise.name in as_user(leader).get(f"/safety/{hazard.item.number}/").content.decode()
    tile = next(t for t in as_user(leader).get("/api/v1/cockpit").json()["tiles"] if t["key"] == "safety")
    assert tile["figures"][0]["value"] == 1 and enterprise.name in tile["lines"][0]["label"]


def test_bad_input_changes_nothing(inspector, enterprise, econ):
    with pytest.raises(ValidationError):
        services.hazard_report(
            actor=inspector,
            enterprise=enterprise,
            level="huge",
            location="x",
            description="y",
            inspected_on=TODAY,
        )
    hazard = _report(inspector, enterprise)
    with pytest.raises(ValidationError, match="责任部门"):
        services.hazard_act(
            actor=inspector,
            hazard=hazard,
            action="assign",
            department=econ,
            owner="",
            due_on=dt.date(2099, 1, 1),
        )
    with pytest.raises(ValidationError, match="早于今天"):
        services.hazard_act(
            actor=inspector,
            hazard=hazard,
            action="assign",
            department=econ,
            owner="x",
            due_on=dt.date(2020, 1, 1),
        )
    hazard.item.refresh_from_db()
    assert hazard.item.state == "reported" and hazard.item.events.count() == 1


def test_an_inspection_over_the_visit_rules_needs_a_reason(inspector, enterprise):
    VisitRule.objects.update_or_create(pk=1, defaults={"max_inspections_per_year": 1})
    _report(inspector, enterprise)
    with pytest.raises(ValidationError):
        _report(inspector, enterprise)
    assert Hazard.objects.count() == 1
    _report(inspector, enterprise, override_reason="群众举报，需复查")
    assert Hazard.objects.count() == 2


def test_pages(as_user, inspector, enterprise, econ_staff, sysadmin):
    hazard = _report(inspector, enterprise, level="major")
    client = as_user(econ_staff)
    listed = client.get("/safety/").content.decode()
    assert hazard.item.number in listed and 'data-band="0"' in listed  # newly reported, first
    assert client.get(f"/safety/{hazard.item.number}/").status_code == 200
    refused = client.post(
        f"/safety/{hazard.item.number}/", {"action": "assign", "assign-version": hazard.item.version}
    )
    assert refused.status_code == 403
    assert as_user(sysadmin).get("/safety/").status_code == 403
    form = {
        "credit_code": enterprise.credit_code,
        "level": "general",
        "location": "配电室",
        "description": "电缆裸露",
        "inspected_on": "2024-05-07",
    }
    assert as_user(inspector).post("/safety/new/", form).status_code == 302
    assert Hazard.objects.count() == 2


def test_the_api(as_user, inspector, colleague, enterprise, econ, sysadmin):
    client = as_user(inspector)
    payload = {
        "credit_code": enterprise.credit_code,
        "level": "major",
        "location": "储罐区",
        "description": "报警器失效",
        "inspected_on": "2024-05-06",
    }
    created = client.post("/api/v1/hazards", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["supervision_level"] == 1
    number, version = created.json()["number"], created.json()["version"]
    assign = {"version": version, "department": "econ", "owner": "厂长", "due_on": "2099-01-01"}
    assert (
        client.post(
            f"/api/v1/hazards/{number}/actions/assign", assign, content_type="application/json"
        ).json()["state"]
        == "rectifying"
    )
    stale = client.post(
        f"/api/v1/hazards/{number}/actions/comment",
        {"version": version, "comment": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    unknown = client.post(
        "/api/v1/hazards", payload | {"credit_code": "91220101MA0000000X"}, content_type="application/json"
    )
    assert unknown.status_code == 422
    assert as_user(sysadmin).get("/api/v1/hazards").status_code == 403
    assert as_user(colleague).get(f"/api/v1/hazards/{number}").json()["actions"] == [
        "submit_evidence",
        "comment",
        "ask_extension",
    ]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_enterprise_submits_its_evidence_through_its_own_link(
    client, as_user, inspector, colleague, enterprise, econ, econ_staff, make_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hazard = _report(inspector, enterprise)
    number = hazard.item.number
    page = as_user(econ_staff)
    # No link before the rectification is arranged.
    assert "action-link" not in page.get(f"/safety/{number}/").content.decode()
    with pytest.raises(ValidationError):
        services.hazard_link(actor=inspector, hazard=hazard)
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=econ,
        owner="企业安全员",
        due_on=dt.date(2099, 1, 1),
    )
    # Another department neither sees the button nor may make a link.
    outsider = make_user("outsider", Role.STAFF, Department.objects.create(code="tech", name="科技创新局"))
    with pytest.raises(PermissionDenied):
        services.hazard_link(actor=outsider, hazard=hazard)
    assert "action-link" not in as_user(outsider).get(f"/safety/{number}/").content.decode()
    shown = page.post(f"/safety/{number}/", {"action": "link"}).content.decode()
    link = shown.split('id="rectify-link" class="text-break">')[1].split("<")[0]
    path = link.removeprefix("http://testserver")
    assert path.startswith(f"/safety/rectify/{number}/")
    # The link alone opens the page: what was found, the deadline, no internal notes.
    services.hazard_act(
        actor=inspector, hazard=hazard, action="comment", comment="内部：该企业去年也有同类问题"
    )
    opened = client.get(path).content.decode()
    assert "消防通道堵塞" in opened and "2099-01-01" in opened and "去年也有同类问题" not in opened
    assert client.get(path[:-5] + "xxxx/").status_code == 404
    # A missing description is refused and nothing changes.
    item = Item.objects.get(pk=hazard.pk)
    refused = client.post(path, {"comment": "", "version": item.version})
    assert refused.status_code == 200 and Item.objects.get(pk=hazard.pk).state == "rectifying"
    photo = SimpleUploadedFile("整改后.png", PNG, content_type="image/png")
    done = client.post(path, {"comment": "已清理消防通道", "version": item.version, "attachments": [photo]})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.state == "submitted"
    event = item.events.get(action="submit_evidence")
    assert event.actor is None and event.actor_label == "企业（长春某化工有限公司）" and event.public
    assert Notification.objects.filter(user=econ_staff, title__contains="企业已提交整改材料").exists()
    # The enterprise can open its own file, and cannot submit again while it is being verified.
    attachment = event.attachments.get()
    assert client.get(f"{path}files/{attachment.pk}/").status_code == 200
    again = client.post(path, {"comment": "再交一次", "version": item.version}, follow=True)
    assert "当前状态不能提交整改材料" in again.content.decode()
    assert Item.objects.get(pk=hazard.pk).version == item.version
    # Sent back: the enterprise reads why and submits again.
    services.hazard_act(actor=colleague, hazard=hazard, action="send_back", comment="照片看不清通道全貌")
    assert "照片看不清通道全貌" in client.get(path).content.decode()
    # A new link replaces the old one.
    page.post(f"/safety/{number}/", {"action": "link"})
    assert client.get(path).status_code == 404


def test_the_enterprise_link_through_the_api(
    client, as_user, inspector, enterprise, econ, econ_staff, make_user
):
    hazard = _report(inspector, enterprise)
    number = hazard.item.number
    api = as_user(econ_staff)
    early = as_user(inspector).post(f"/api/v1/hazards/{number}/enterprise-link")
    assert early.status_code == 422 and "安排整改后" in early.content.decode()
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=econ,
        owner="安全员",
        due_on=dt.date(2099, 1, 1),
    )
    outsider = make_user("outsider", Role.STAFF, Department.objects.create(code="tech", name="科技创新局"))
    assert as_user(outsider).post(f"/api/v1/hazards/{number}/enterprise-link").status_code == 403
    link = api.post(f"/api/v1/hazards/{number}/enterprise-link").json()["link"]
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_an_extension_is_approved_by_someone_else(inspector, colleague, enterprise, econ):
    hazard = _report(inspector, enterprise)
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=econ,
        owner="安全员",
        due_on=dt.date(2099, 1, 1),
    )
    services.hazard_act(
        actor=inspector, hazard=hazard, action="ask_extension", comment="设备到货延迟", days=5
    )
    with pytest.raises(PermissionDenied, match="他人审批"):
        services.hazard_act(actor=inspector, hazard=hazard, action="approve_extension")
    assert Item.objects.get(pk=hazard.pk).extension_days == 5
    services.hazard_act(actor=colleague, hazard=hazard, action="approve_extension")
    item = Item.objects.get(pk=hazard.pk)
    assert item.extension_days is None and item.due_on > dt.date(2099, 1, 1)


def test_evidence_with_photos_through_the_api(as_user, inspector, enterprise, econ, econ_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hazard = _report(inspector, enterprise)
    services.hazard_act(
        actor=inspector,
        hazard=hazard,
        action="assign",
        department=econ,
        owner="安全员",
        due_on=dt.date(2099, 1, 1),
    )
    item = Item.objects.get(pk=hazard.pk)
    url = f"/api/v1/hazards/{item.number}/actions/submit_evidence/files"
    photo = SimpleUploadedFile("整改后.png", PNG, content_type="image/png")
    done = as_user(econ_staff).post(url, {"version": item.version, "comment": "已整改", "files": [photo]})
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    assert item.events.get(action="submit_evidence").attachments.get().name == "整改后.png"


def test_a_hazard_is_reported_by_the_enterprise_picked_by_name(
    as_user, inspector, enterprise, client, sysadmin
):
    """The report form finds the enterprise as one types its name, a former name or part of its
    code (HTMX suggestions), and takes the name chosen; an unknown name is refused and nothing is
    written."""
    from xinqu.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=enterprise.pk).update(former_names="长春旧名化工厂")
    staff = as_user(inspector)
    form = staff.get("/safety/new/").content.decode()
    assert 'hx-get="/enterprises/pick/"' in form
    for typed in ("某化工", "旧名化工", enterprise.credit_code[2:10]):
        found = staff.get(
            "/enterprises/pick/", {"field": "credit_code", "credit_code": typed, "target": "id_credit_code"}
        )
        assert f'data-pick-value="{enterprise.credit_code}"' in found.content.decode(), typed
    assert (
        "没有找到"
        in staff.get(
            "/enterprises/pick/", {"field": "credit_code", "credit_code": "不存在的公司"}
        ).content.decode()
    )
    assert (
        client.get("/enterprises/pick/", {"field": "credit_code", "credit_code": "某化工"}).status_code == 302
    )
    assert (
        as_user(sysadmin)
        .get("/enterprises/pick/", {"field": "credit_code", "credit_code": "某化工"})
        .status_code
        == 403
    )
    data = {"level": "general", "location": "仓库", "description": "应急照明损坏", "inspected_on": TODAY.isoformat(),
            "announced": "on"}  # fmt: skip
    refused = staff.post("/safety/new/", data | {"credit_code": "长春不存在有限公司"})
    assert "企业名录中没有这家企业" in refused.content.decode() and not Hazard.objects.exists()
    made = staff.post("/safety/new/", data | {"credit_code": enterprise.name})
    assert made.status_code == 302
    assert Hazard.objects.get().enterprise == enterprise
