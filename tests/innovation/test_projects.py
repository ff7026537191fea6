"""Innovation projects and their outcomes: the "515" figures, the refusals (an outcome on an ended
project, a landmark without its reason), access, the pages, the export and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from xinqu.core.feeds import feed
from xinqu.core.models import AuditEntry
from xinqu.innovation import services
from xinqu.innovation.models import InnovationProject, Outcome

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def project(tech_staff):
    return services.project_create(
        actor=tech_staff,
        name="高性能光电芯片关键技术攻关",
        kind="high_level",
        institution="中国科学院长春光学精密机械与物理研究所",
        started_on=dt.date(_today().year, 1, 5),
        budget=Decimal("3000"),
        support=Decimal("600"),
    )


def test_projects_and_landmark_outcomes_feed_the_515(tech_staff, project):
    year = _today().year
    services.project_create(
        actor=tech_staff,
        name="院士工作站项目",
        kind="academician",
        institution="吉林大学",
        started_on=dt.date(year, 1, 8),
    )
    services.outcome_add(
        actor=tech_staff,
        project=project,
        kind="patent",
        title="光电芯片封装专利",
        achieved_on=dt.date(year, 1, 9),
    )
    services.outcome_add(
        actor=tech_staff,
        project=project,
        kind="standard",
        title="光电芯片测试方法",
        achieved_on=dt.date(year, 1, 10),
        landmark=True,
        landmark_reason="制定国家标准",
    )
    today = _today()
    assert feed("innovation.high_level_projects").compute(year, today).value == 1
    assert feed("innovation.academician_projects").compute(year, today).value == 1
    assert feed("innovation.projects").compute(year, today).value == 2
    landmarks = feed("innovation.landmark_outcomes").compute(year, today)
    assert landmarks.value == 1 and landmarks.records[0].detail == "制定国家标准"
    assert feed("innovation.landmark_outcomes").compute(year - 1, dt.date(year - 1, 12, 31)).value == 0
    assert feed("innovation.high_level_projects").measure == "quantity"


def test_an_outcome_on_an_ended_project_or_a_landmark_without_reason_is_refused(tech_staff, project):
    with pytest.raises(ValidationError, match="须写明理由"):
        services.outcome_add(
            actor=tech_staff,
            project=project,
            kind="award",
            title="省科技进步奖",
            achieved_on=_today(),
            landmark=True,
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.outcome_add(
            actor=tech_staff,
            project=project,
            kind="award",
            title="省科技进步奖",
            achieved_on=_today() + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="不能早于项目立项日期"):
        services.outcome_add(
            actor=tech_staff,
            project=project,
            kind="award",
            title="省科技进步奖",
            achieved_on=project.started_on - dt.timedelta(days=1),
        )
    services.project_end(actor=tech_staff, project=project, on=_today())
    with pytest.raises(ValidationError, match=r"已于 .* 结项，不能再登记成果"):
        services.outcome_add(
            actor=tech_staff, project=project, kind="product", title="新产品", achieved_on=_today()
        )
    with pytest.raises(ValidationError, match="不能再修改"):
        services.project_update(
            actor=tech_staff, project=InnovationProject.objects.get(pk=project.pk), name="改名"
        )
    assert not Outcome.objects.exists()
    with pytest.raises(ValidationError, match="财政支持不能超过总投入"):
        services.project_create(
            actor=tech_staff,
            name="x",
            kind="transfer",
            institution="y",
            started_on=_today(),
            budget=Decimal(1),
            support=Decimal(2),
        )


def test_only_the_bureau_records_and_a_confidential_project_stays_its_own(
    tech_staff, econ_staff, leader, project, as_user
):
    with pytest.raises(PermissionDenied):
        services.outcome_add(
            actor=econ_staff, project=project, kind="patent", title="x", achieved_on=_today()
        )
    assert (
        as_user(econ_staff)
        .post(
            f"/innovation/projects/{project.pk}/",
            {"form": "outcome", "kind": "patent", "title": "x", "achieved_on": _today().isoformat()},
        )
        .status_code
        == 403
    )
    services.project_update(actor=tech_staff, project=project, confidential=True)
    assert as_user(econ_staff).get(f"/innovation/projects/{project.pk}/").status_code == 404
    assert as_user(econ_staff).get(f"/api/v1/innovation-projects/{project.code}").status_code == 404
    assert "光电芯片" not in as_user(econ_staff).get("/innovation/projects/").content.decode()
    assert as_user(leader).get(f"/innovation/projects/{project.pk}/").status_code == 200
    fed = feed("innovation.high_level_projects").compute(_today().year, _today())
    assert fed.value == 1 and fed.records[0].label == "内部项目"


def test_the_bureau_runs_a_project_from_its_page_and_exports_the_list(
    tech_staff, econ_staff, project, as_user
):
    client = as_user(tech_staff)
    url = f"/innovation/projects/{project.pk}/"
    refused = client.post(
        url,
        {
            "form": "outcome",
            "kind": "award",
            "title": "奖",
            "achieved_on": _today().isoformat(),
            "landmark": "on",
        },
    )
    assert refused.status_code == 200 and "须写明理由" in refused.content.decode()
    posted = {
        "form": "outcome",
        "kind": "award",
        "title": "省科技进步一等奖",
        "achieved_on": _today().isoformat(),
        "landmark": "on",
        "landmark_reason": "获省科技进步一等奖",
    }
    assert client.post(url, posted).status_code == 302
    assert client.post(url, {"form": "partner", "kind": "university", "name": "吉林大学"}).status_code == 302
    assert (
        client.post(url, {"form": "partner", "kind": "enterprise", "enterprise": "不存在的公司"}).status_code
        == 200
    )
    assert client.post(url, {"form": "end", "on": _today().isoformat()}).status_code == 302
    page = client.get(url).content.decode()
    assert (
        "省科技进步一等奖" in page
        and "吉林大学" in page
        and 'id="project-ended"' in page
        and 'id="add-outcome"' not in page
    )
    created = client.post(
        "/innovation/projects/new/",
        {
            "name": "车规级传感器联合攻关",
            "kind": "open_competition",
            "institution": "长春理工大学",
            "started_on": _today().isoformat(),
            "budget": "100",
            "support": "0",
        },
    )
    assert created.status_code == 302
    export = as_user(econ_staff).get("/innovation/projects/?format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[project.code][header.index("其中标志性成果（项）")] == 1
    assert AuditEntry.objects.filter(action="export", object_type="innovation").exists()


def test_the_projects_api_keeps_the_pages_rules(tech_staff, econ_staff, project, as_user):
    client = as_user(tech_staff)
    added = client.post(
        f"/api/v1/innovation-projects/{project.code}/outcomes",
        {"kind": "patent", "title": "封装专利", "achieved_on": _today().isoformat(), "landmark": True},
        content_type="application/json",
    )
    assert added.status_code == 422 and "须写明理由" in added.content.decode()
    added = client.post(
        f"/api/v1/innovation-projects/{project.code}/outcomes",
        {"kind": "patent", "title": "封装专利", "achieved_on": _today().isoformat()},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["outcomes"][0]["title"] == "封装专利"
    listed = as_user(econ_staff).get("/api/v1/innovation-projects", {"kind": "high_level"}).json()
    assert [p["code"] for p in listed["items"]] == [project.code]
    created = as_user(econ_staff).post(
        "/api/v1/innovation-projects",
        {"name": "x", "kind": "transfer", "started_on": "2024-01-01", "institution": "y"},
        content_type="application/json",
    )
    assert created.status_code == 403
    assert as_user(econ_staff).get("/api/v1/innovation-projects", {"year": 1800}).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/innovation/projects/",
        "/innovation/projects/new/",
        "/innovation/talents/",
        "/innovation/talents/new/",
        "/innovation/talents/programmes/",
        "project",
    ],
)
def test_project_and_talent_pages_read_in_english(as_user, tech_staff, project, path):
    client = as_user(tech_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/innovation/projects/{project.pk}/" if path == "project" else path
    page = client.get(url).content.decode().replace(project.name, "").replace(project.institution, "")
    page = page.replace("林峰", "").replace("科技创新局", "")
    for word in ("项目", "成果", "人才", "计划", "科技创新", "年度", "合作"):
        assert word not in page, (path, word)


def test_milestones_and_problems_run_on_the_workflow_with_deadlines(
    tech_staff, econ, econ_staff, project, as_user
):
    from xinqu.innovation.models import ProjectTask
    from xinqu.workflow.models import Item

    client = as_user(tech_staff)
    url = f"/innovation/projects/{project.pk}/"
    posted = {
        "form": "task",
        "category": "milestone",
        "department": econ.pk,
        "description": "完成中试线建设",
        "due_on": (_today() + dt.timedelta(days=60)).isoformat(),
    }
    assert client.post(url, posted).status_code == 302
    task = ProjectTask.objects.get()
    assert task.item.state == "assigned" and task.item.due_on == _today() + dt.timedelta(days=60)
    number = task.item.number
    assert number.startswith("KJ") and number in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="不能早于今天"):
        services.task_open(
            actor=tech_staff,
            project=project,
            category="problem",
            department=econ,
            description="x",
            due_on=_today() - dt.timedelta(days=1),
        )
    # The department it was sent to signs for it and reports it done; the bureau confirms.
    staff = as_user(econ_staff)
    page = staff.get(f"/innovation/tasks/{number}/")
    assert page.status_code == 200 and "完成中试线建设" in page.content.decode()
    version = Item.objects.get(number=number).version
    assert (
        staff.post(
            f"/innovation/tasks/{number}/", {"action": "sign_for", "sign_for-version": version}
        ).status_code
        == 302
    )
    item = Item.objects.get(number=number)
    assert item.state == "in_progress"
    services.task_act(
        actor=econ_staff, task=task, action="resolve", version=item.version, comment="中试线已建成"
    )
    with pytest.raises(PermissionDenied):
        services.task_act(
            actor=econ_staff, task=task, action="confirm", version=Item.objects.get(number=number).version
        )
    services.task_act(
        actor=tech_staff, task=task, action="confirm", version=Item.objects.get(number=number).version
    )
    assert Item.objects.get(number=number).state == "closed"
    services.project_end(actor=tech_staff, project=project, on=_today())
    with pytest.raises(ValidationError, match="不能再派发"):
        services.task_open(
            actor=tech_staff,
            project=InnovationProject.objects.get(pk=project.pk),
            category="problem",
            department=econ,
            description="x",
        )
