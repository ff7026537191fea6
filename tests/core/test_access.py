"""The one access rule, proved for every business model.

1. Every model with a department has ``visible_to`` / ``editable_by`` on its queryset, or is
   listed below with the reason it has none.
2. For each department-private record, another department's staff get 404 on its detail (page
   and API), and do not find it on any list, export or API list.
3. A zone-visible record that links a confidential enterprise shows "保密企业", never its name.
4. No view, API module, service or template compares ``user.role``: they ask core.access.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

import xinqu
from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.demo.generator import credit_code
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    Visit,
)
from xinqu.indicators.models import Submission
from xinqu.innovation.models import InnovationProject, Platform, Recognition, Talent, TalentProgramme
from xinqu.investment.models import Lead
from xinqu.plans.models import Period, Plan, Report
from xinqu.projects.models import Project
from xinqu.safety import services as safety
from xinqu.service_requests import services as requests
from xinqu.service_requests.models import Category
from xinqu.updates.models import WorkUpdate

pytestmark = pytest.mark.django_db

SECRET = "机密光电材料有限公司"

# Models with a department that are not business records of their own, and why.
EXEMPT = {
    "core.User": "accounts: the administrators' own pages, by role",
    "workflow.Item": "read only through its kind's record (request, hazard, supervision, problem)",
    "workflow.Event": "an item's timeline, shown only on the item's page",
    "service_requests.Category": "configuration: which department a category goes to",
    "plans.Node": "the plan tree is the zone's, read by every business role",
    "investment.StageStep": "a lead's history, read only through its lead",
}


def test_every_model_with_a_department_has_the_access_rule():
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        owned = any(
            f.concrete and not f.many_to_many and getattr(f, "related_model", None) is Department
            for f in model._meta.get_fields()
        )
        guarded = hasattr(model._default_manager.all(), "visible_to") and hasattr(
            model._default_manager.all(), "editable_by"
        )
        if owned and not guarded and label not in EXEMPT:
            missing.append(label)
    assert missing == []
    for label in ("safety.Hazard", "plans.Supervision", "projects.Problem"):
        queryset = apps.get_model(label)._default_manager.all()
        assert hasattr(queryset, "visible_to") and hasattr(queryset, "editable_by"), label


@pytest.fixture
def world(econ, econ_staff, econ_head, invest_staff, zone, make_user):
    """One record of each department-private kind, owned by 经济发展局, none of them open to
    other departments."""
    rnd = random.Random(31)
    secret = Enterprise.objects.create(
        credit_code=credit_code(rnd), name=SECRET, department=econ, confidential=True
    )
    open_one = Enterprise.objects.create(
        credit_code=credit_code(rnd), name="公开企业有限公司", department=econ
    )
    kind = QualificationKind.objects.get_or_create(code="gaoqi", defaults={"name": "高新技术企业"})[0]
    update = WorkUpdate.objects.create(
        department=econ,
        author=econ_staff,
        title="内部工作动态标题",
        body="正文",
        happened_on=dt.date(2026, 3, 1),
        confidential=True,
    )
    qualification = Qualification.objects.create(
        enterprise=open_one,
        kind=kind,
        certificate_no="GR-SECRET-0001",
        granted_on=dt.date(2025, 1, 1),
        department=econ,
        confidential=True,
    )
    visit = Visit.objects.create(
        enterprise=open_one,
        visited_on=dt.date(2026, 3, 2),
        kind="service",
        purpose="内部走访事由",
        recorded_by=econ_staff,
        department=econ,
        confidential=True,
    )
    submission = Submission.objects.create(department=econ, period=dt.date(2026, 2, 1), created_by=econ_staff)
    plan = Plan.objects.create(year=2026, title="2026 年计划")
    period = Period.objects.create(plan=plan, month=dt.date(2026, 2, 1), deadline=dt.date(2026, 3, 5))
    report = Report.objects.create(period=period, department=econ)
    centre = Department.objects.create(code="business-env", name="营商环境建设局")
    clerk = make_user("clerk", Role.STAFF, centre)
    request, _token = requests.request_file(
        actor=clerk,
        category=Category.objects.get(name="水电气暖"),
        enterprise_name="某企业",
        contact_name="刘经理",
        contact_phone="13800000000",
        description="内部诉求描述",
    )
    requests.request_act(actor=clerk, request=request, action="accept")
    requests.request_act(actor=clerk, request=request, action="dispatch", department=econ)
    lead = Lead.objects.create(
        code="ZS20260001", name="内部招商线索项目", company="某目标企业", origin="province", source="walk_in",
        amount=1000, amount_cny=1000, department=econ, created_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    platform = Platform.objects.create(
        code="PT2026001", name="内部创新平台", kind="key_lab", institution="某大学", department=econ,
        confidential=True, created_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    Recognition.objects.create(platform=platform, level="city", recognised_on=dt.date(2025, 3, 1))
    innovation = InnovationProject.objects.create(
        code="CX2026001", name="内部创新项目", kind="high_level", institution="某大学", department=econ,
        confidential=True, started_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    scheme = TalentProgramme.objects.create(
        name="内部引才计划", category="innovative", started_on=dt.date(2020, 1, 1)
    )
    talent = Talent.objects.create(
        programme=scheme, name="内部人才", id_number="X000001", department=econ, confidential=True,
        host_platform=platform, recruited_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    return {
        "talent": talent,
        "innovation": innovation,
        "platform": platform,
        "lead": lead,
        "secret": secret,
        "open": open_one,
        "update": update,
        "qualification": qualification,
        "visit": visit,
        "submission": submission,
        "report": report,
        "request": request,
    }


def _private_paths(world):
    """(label, URL, the text that must not show) for each private record; detail URLs answer 404."""
    w = world
    number = w["request"].item.number
    return {
        "detail": [
            f"/updates/{w['update'].pk}/",
            f"/api/v1/work-updates/{w['update'].pk}",
            f"/enterprises/{w['secret'].pk}/",
            f"/api/v1/enterprises/{w['secret'].pk}",
            f"/api/v1/enterprises/{w['secret'].pk}/qualifications",
            f"/indicators/returns/{w['submission'].pk}/",
            f"/service-requests/{number}/",
            f"/api/v1/service-requests/{number}",
            f"/investment/{w['lead'].pk}/",
            f"/api/v1/leads/{w['lead'].code}",
            f"/innovation/{w['platform'].pk}/",
            f"/api/v1/platforms/{w['platform'].code}",
            f"/innovation/projects/{w['innovation'].pk}/",
            f"/api/v1/innovation-projects/{w['innovation'].code}",
            f"/innovation/talents/{w['talent'].pk}/",
            f"/api/v1/talents/{w['talent'].pk}",
        ],
        "lists": [
            ("/updates/", "内部工作动态标题"),
            ("/api/v1/work-updates", "内部工作动态标题"),
            (f"/enterprises/?q={SECRET[:4]}", SECRET),
            ("/api/v1/enterprises?q=机密", SECRET),
            (f"/enterprises/{w['open'].pk}/", "GR-SECRET-0001"),
            (f"/api/v1/enterprises/{w['open'].pk}/qualifications", "GR-SECRET-0001"),
            (f"/enterprises/{w['open'].pk}/", "内部走访事由"),
            ("/api/v1/visits", "内部走访事由"),
            ("/enterprises/visits/?year=2026", "内部走访事由"),
            ("/api/v1/indicator-returns", f'"id": {w["submission"].pk}'),
            ("/service-requests/?state=all", number),
            ("/api/v1/service-requests?state=all", number),
            # Open311 shows everyone the zone's published form (number, category, status, dates);
            # the request's words only to those who may see it.
            ("/open311/v2/requests.json", "内部诉求描述"),
            ("/open311/v2/requests.xml", "内部诉求描述"),
            (f"/open311/v2/requests/{number}.json", "内部诉求描述"),
            ("/api/v1/plans/2026/reports/2026-02?department=econ", "econ"),
            ("/investment/?stage=lead", "内部招商线索项目"),
            ("/api/v1/leads", "内部招商线索项目"),
            ("/innovation/", "内部创新平台"),
            ("/api/v1/platforms", "内部创新平台"),
            ("/innovation/projects/", "内部创新项目"),
            ("/api/v1/innovation-projects", "内部创新项目"),
            ("/innovation/talents/", "内部人才"),
            ("/api/v1/talents", "内部人才"),
            ("/cockpit/", SECRET),
            ("/api/v1/cockpit", SECRET),
            ("/cockpit/", "内部招商线索项目"),
        ],
        "exports": [
            ("/enterprises/export.xlsx", SECRET),
            ("/enterprises/export.xlsx", "GR-SECRET"),
            ("/investment/?format=xlsx", "内部招商线索项目"),
            ("/innovation/?format=xlsx", "内部创新平台"),
            ("/innovation/projects/?format=xlsx", "内部创新项目"),
            ("/innovation/talents/?format=xlsx", "内部人才"),
        ],
    }


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return response.content.decode()


def test_another_departments_staff_get_404_on_every_private_detail(as_user, world, invest_staff, econ_staff):
    paths = _private_paths(world)
    other, owner = as_user(invest_staff), as_user(econ_staff)
    for url in paths["detail"]:
        assert owner.get(url).status_code == 200, url  # the owner does see it, so the 404 means something
        assert other.get(url).status_code == 404, url


def test_another_departments_staff_find_no_private_record_on_lists_and_exports(
    as_user, world, invest_staff, leader
):
    paths = _private_paths(world)
    other = as_user(invest_staff)
    for url, secret in [*paths["lists"], *paths["exports"]]:
        response = other.get(url)
        assert response.status_code in {200, 403, 404}, url
        assert secret not in _text(response), url
    # The leader sees the confidential enterprise where the others do not: the lists are live.
    assert SECRET in _text(as_user(leader).get("/enterprises/export.xlsx"))


@pytest.fixture
def linked(world, econ, econ_staff, zone, make_user):
    """Zone-visible records that link the confidential enterprise."""
    safety_department = Department.objects.create(code="safety", name="应急管理局")
    inspector = make_user("inspector", Role.STAFF, safety_department)
    hazard = safety.hazard_report(
        actor=inspector,
        enterprise=world["secret"],
        level="general",
        location="仓库",
        description="通道堵塞",
        inspected_on=dt.date(2026, 3, 3),
    )
    area = zone.children.get()
    project = Project.objects.create(
        code="P-1",
        name="光电材料项目",
        kind="industrial",
        area=area,
        total_investment=10000,
        department=econ,
        enterprise=world["secret"],
    )
    cluster = IndustryNode.objects.create(kind="cluster", name="光电信息")
    chain = IndustryNode.objects.create(kind="chain", name="光电材料", parent=cluster)
    node = IndustryNode.objects.create(kind="node", name="衬底", parent=chain, segment="up")
    ChainPosition.objects.create(enterprise=world["secret"], node=node)
    Visit.objects.create(
        enterprise=world["secret"],
        visited_on=dt.date(2026, 3, 2),
        kind="service",
        purpose="公开走访",
        recorded_by=econ_staff,
        department=econ,
    )
    number = hazard.item.number
    return [
        "/safety/?state=all",
        f"/safety/{number}/",
        "/api/v1/hazards",
        f"/api/v1/hazards/{number}",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/edit/",
        "/projects/?format=xlsx",
        f"/enterprises/chains/{chain.pk}/",
        f"/api/v1/chains/{chain.pk}",
        "/enterprises/visits/?year=2026",
    ]


def test_a_linked_confidential_enterprise_shows_masked(
    as_user, world, linked, invest_staff, econ_staff, leader
):
    other = as_user(invest_staff)
    for url in linked:
        response = other.get(url)
        if url.endswith("/edit/"):
            assert response.status_code == 403, url  # invest does not keep the project
            continue
        text = _text(response)
        assert response.status_code == 200, url
        assert SECRET not in text and world["secret"].credit_code not in text, url
        if "xlsx" not in url:
            assert "保密企业" in text, url
    edit = as_user(econ_staff).get(linked[5]).content.decode()
    assert world["secret"].credit_code in edit  # its own steward sees the builder's code
    assert SECRET in as_user(leader).get(linked[1]).content.decode()


ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|user\.role\s*==")


def test_no_module_or_template_compares_roles_itself():
    root = Path(xinqu.__file__).parent
    allowed = {"core/access.py", "core/models.py", "core/roles.py"}
    offenders = []
    for path in [*root.rglob("*.py"), *root.rglob("*.html")]:
        rel = path.relative_to(root).as_posix()
        if rel in allowed or "/migrations/" in rel or rel.startswith("demo/"):
            continue
        if ROLE_COMPARISON.search(path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []


def test_api_modules_never_import_views():
    root = Path(xinqu.__file__).parent
    offenders = [
        p.relative_to(root).as_posix()
        for p in [*root.rglob("api.py"), *root.rglob("open311.py")]
        if re.search(
            r"from xinqu\.\w+\.views import|from xinqu\.\w+ import views", p.read_text(encoding="utf-8")
        )
    ]
    assert offenders == []
