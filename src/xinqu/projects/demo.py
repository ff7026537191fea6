"""The demo zone's construction projects, built so that the ledger reproduces the conference
report's 2023 figures: 147 projects of 50 m yuan or more started or resumed (90 new starts, 57
continuing), 76.3 % of their investment industrial, and 128 projects landed in the year. Monthly
reports run from January 2023 to December 2025, with each year's planned investment; some
projects lag (yellow, red), some milestones are overdue, some never started on time, and a few
problems (堵点) are on the workflow engine."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinqu.core.models import Department, OrgUnit, User
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.projects import lights, services
from xinqu.projects.models import Milestone, MonthlyReport, Project, ProjectYear

SEED = 2023
# Builders' short names, taken in turn (never from the random stream, which the figures rest on).
BUILDERS = ["长光", "华翔", "博远", "金达", "吉盛", "北辰", "启明", "中科", "瑞峰", "鼎新", "恒通", "天合",
            "宏图", "汇能", "卓越", "安泰", "远航", "新元", "通达", "凯旋", "嘉禾", "弘毅", "东晟"]  # fmt: skip
PHASES = ["", "二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期", "十期"]
NAMES = ["新能源汽车零部件", "生物医药产业化", "光电子器件", "精细化工新材料", "智能装备制造", "传感器研发生产",
         "航空轮胎", "医疗器械", "数据中心", "冷链物流", "科创孵化载体", "人才公寓", "污水处理厂", "综合管廊",
         "中小学校", "社区养老服务中心", "商业综合体", "文旅小镇"]  # fmt: skip
KIND_OF = {
    "人才公寓": "social", "污水处理厂": "infrastructure", "综合管廊": "infrastructure", "中小学校": "social",
    "社区养老服务中心": "social", "商业综合体": "service", "文旅小镇": "service", "冷链物流": "service",
    "数据中心": "infrastructure", "科创孵化载体": "service",
}  # fmt: skip
INDUSTRIAL_SHARE = Decimal("76.3")


@dataclass
class Spec:
    group: str
    name: str
    kind: str
    total: Decimal
    started: dt.date | None
    landed: dt.date


def _day(rng: random.Random, year: int, first: int = 1, last: int = 12) -> dt.date:
    return dt.date(year, rng.randint(first, last), rng.randint(1, 28))


@transaction.atomic
def load_demo_projects(*, users: dict[str, User], **_context: Any) -> int:
    if Project.objects.exists():
        return 0
    rng = random.Random(SEED)
    areas = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA).order_by("sort_order"))
    parks = {a.pk: list(OrgUnit.objects.filter(parent=a)) for a in areas}
    centre = Department.objects.get(code="projects")
    invest = Department.objects.get(code="invest")
    leaders = [users["demo-leader"], users["demo-leader-li"], users["demo-leader-zhao"]]

    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:300])
    nodes = list(IndustryNode.objects.filter(kind="node").values_list("pk", flat=True))
    specs: list[Spec] = []

    def add(group: str, total: int, started: dt.date | None, landed: dt.date) -> None:
        name = rng.choice(NAMES)
        specs.append(Spec(group, name, KIND_OF.get(name, "industrial"), Decimal(total), started, landed))

    for _n in range(90):  # new starts in 2023, every one landed in 2023
        started = _day(rng, 2023, 3, 11)
        landed = min(_day(rng, 2023, 1, started.month), started)
        add("new2023", rng.choice([6_000, 8_000, 12_000, 20_000, 35_000, 60_000, 150_000]), started, landed)
    for _n in range(57):  # continuing: started in 2021–2022
        started = _day(rng, rng.choice([2021, 2022]))
        add(
            "continuing",
            rng.choice([8_000, 15_000, 30_000, 80_000, 120_000]),
            started,
            started - dt.timedelta(days=60),
        )
    for n in range(28):  # landed in 2023; 20 started in 2024, 8 never did
        add("landed2023", rng.choice([6_000, 10_000, 25_000]), _day(rng, 2024, 3, 9) if n < 20 else None,
            _day(rng, 2023, 2, 12))  # fmt: skip
    for n in range(4):  # 10亿 and more, started January–April 2024, landed in 2023
        add("big2024", 120_000 + 20_000 * n, dt.date(2024, n + 1, 10 + n), dt.date(2023, 11, 1))
    for n in range(20):  # small ones, outside the 50 m statistics; six landed in 2023
        started = _day(rng, 2023, 2, 10)
        add(
            "small",
            rng.choice([800, 1_500, 3_000]),
            started,
            started - dt.timedelta(days=30) if n < 6 else _day(rng, 2022, 6, 12),
        )
    _industrial_share(specs)
    today = timezone.localdate()
    projects = []
    named: dict[str, int] = {}
    for index, spec in enumerate(specs, start=1):
        base = f"{BUILDERS[index % len(BUILDERS)]}{spec.name}"
        named[base] = named.get(base, 0) + 1
        phase = PHASES[named[base] - 1] if named[base] <= len(PHASES) else f"{named[base]}期"
        area = areas[index % len(areas)]
        park_choices = parks[area.pk]
        begun = spec.started
        stage, completed_on, operating_on = _stage(rng, spec, today)
        planned_start = (
            begun - dt.timedelta(days=rng.randint(0, 60)) if begun else dt.date(2024, rng.randint(3, 9), 1)
        )
        industrial = spec.kind == "industrial"
        projects.append(
            Project(
                code=f"XM{(begun or spec.landed).year}-{index:04d}",
                name=f"{base}项目{phase}",
                enterprise_id=rng.choice(enterprises) if enterprises and industrial else None,
                area=area,
                park=rng.choice(park_choices) if park_choices and rng.random() < 0.8 else None,
                chain_node_id=rng.choice(nodes) if nodes and industrial else None,
                kind=spec.kind,
                total_investment=spec.total,
                stage=stage,
                planned_signed_on=spec.landed - dt.timedelta(days=100),
                signed_on=spec.landed - dt.timedelta(days=90),
                planned_landed_on=spec.landed - dt.timedelta(days=rng.choice([0, 15, 40])),
                landed_on=spec.landed,
                planned_start_on=planned_start,
                started_on=begun,
                completed_on=completed_on,
                operating_on=operating_on,
                registered_on=begun + dt.timedelta(days=rng.randint(5, 45)) if begun else None,
                leader=leaders[(index // len(areas)) % len(leaders)],
                department=invest if index % 7 == 0 else centre,
            )
        )
    Project.objects.bulk_create(projects, batch_size=500)
    for project in Project.objects.all():
        _history(rng, project, today)
    _problems(users)
    for project in Project.objects.all():
        lights.refresh(project, reason="演示数据")
    return len(projects)


def _industrial_share(specs: list[Spec]) -> None:
    """Scale up one side's investment among the 2023 started-or-resumed projects so that the
    industrial share is exactly 76.3 % (scaling up keeps every project above 50 m yuan)."""
    counted = [s for s in specs if s.group in {"new2023", "continuing"}]
    industrial = [s for s in counted if s.kind == "industrial"]
    others = [s for s in counted if s.kind != "industrial"]
    i_total = sum((s.total for s in industrial), Decimal(0))
    o_total = sum((s.total for s in others), Decimal(0))
    if i_total / (i_total + o_total) * 100 > INDUSTRIAL_SHARE:
        scaled, factor = others, i_total * (100 - INDUSTRIAL_SHARE) / INDUSTRIAL_SHARE / o_total
    else:
        scaled, factor = industrial, o_total * INDUSTRIAL_SHARE / (100 - INDUSTRIAL_SHARE) / i_total
    for spec in scaled:
        spec.total = (spec.total * factor).quantize(Decimal("1"), ROUND_HALF_UP)
    i_total = sum((s.total for s in industrial), Decimal(0))
    share = i_total / (i_total + sum((s.total for s in others), Decimal(0))) * 100
    assert share.quantize(Decimal("0.1"), ROUND_HALF_UP) == INDUSTRIAL_SHARE, share


def _stage(rng: random.Random, spec: Spec, today: dt.date) -> tuple[str, dt.date | None, dt.date | None]:
    """Where a project stands today: some of the older ones completed (most of those producing),
    none before 2023 (the continuing ones were still being built then)."""
    started = spec.started
    if started is None:
        return ("landed", None, None)
    months = (today.year - started.year) * 12 + today.month - started.month
    if months > 30 and rng.random() < 0.5:
        completed = max(started + dt.timedelta(days=rng.randint(500, 800)), dt.date(2023, 6, 30))
        completed = min(completed, today - dt.timedelta(days=90))
        if rng.random() < 0.6:
            return ("operating", completed, completed + dt.timedelta(days=60))
        return ("completed", completed, None)
    return ("suspended" if rng.random() < 0.04 else "building", None, None)


def _history(rng: random.Random, project: Project, today: dt.date) -> None:
    """Milestones, yearly plans and monthly reports from the start to the end (or to 2025)."""
    start = project.started_on
    milestones = [
        Milestone(project=project, kind="land", planned_on=project.landed_on, actual_on=project.landed_on),
        Milestone(project=project, kind="planning", planned_on=project.landed_on + dt.timedelta(days=30) if project.landed_on else None,
                  actual_on=project.landed_on + dt.timedelta(days=rng.randint(20, 50)) if project.landed_on and start else None),
        Milestone(project=project, kind="start", planned_on=project.planned_start_on, actual_on=start),
    ]  # fmt: skip
    if start:
        topping = start + dt.timedelta(days=300)
        late_topping = rng.random() < 0.15 and project.completed_on is None
        milestones.append(
            Milestone(project=project, kind="topping", planned_on=topping,
                      actual_on=None if late_topping or topping > today else topping + dt.timedelta(days=rng.randint(0, 40)))
        )  # fmt: skip
        milestones.append(
            Milestone(
                project=project,
                kind="completion",
                planned_on=start + dt.timedelta(days=650),
                actual_on=project.completed_on,
            )
        )
    Milestone.objects.bulk_create(milestones)
    if not start:
        ProjectYear.objects.create(
            project=project, year=2024, planned_investment=project.total_investment * Decimal("0.2")
        )
        return
    end = project.completed_on or min(dt.date(2025, 12, 1), today)
    # Before 2023 (the continuing projects) about a third was spent already.
    spent = (
        Decimal(0)
        if start.year >= 2023
        else (project.total_investment * Decimal("0.3")).quantize(Decimal("0.01"))
    )
    reports: list[MonthlyReport] = []
    month = start.replace(day=1) if start.year >= 2023 else dt.date(2023, 1, 1)
    pace = rng.choices([Decimal("0.95"), Decimal("1.05"), Decimal("0.8"), Decimal("0.5")], [3, 3, 2, 1])[0]
    remaining_months = max(((end.year - month.year) * 12 + end.month - month.month + 1), 1)
    monthly = ((project.total_investment * Decimal("0.9") - spent) / remaining_months).quantize(
        Decimal("0.01")
    )
    yearly: dict[int, Decimal] = {}
    while month <= end:
        amount = (monthly * pace * Decimal(rng.uniform(0.7, 1.3))).quantize(Decimal("0.01"))
        amount = min(amount, project.total_investment - spent)
        spent += amount
        yearly[month.year] = yearly.get(month.year, Decimal(0)) + amount
        reports.append(
            MonthlyReport(project=project, month=month, investment=amount, investment_ytd=yearly[month.year],
                          investment_total=spent, workers=rng.randint(20, 400), progress="按计划推进")
        )  # fmt: skip
        month = (month.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    MonthlyReport.objects.bulk_create(reports, batch_size=1000)
    for year, done in yearly.items():
        planned = (monthly * 12 / pace if year < end.year or project.completed_on else monthly * 12).quantize(
            Decimal("0.01")
        )
        ProjectYear.objects.create(
            project=project, year=year, planned_investment=max(planned, done), completed_investment=done,
            planned_to_start=True,
        )  # fmt: skip


def _problems(users: dict[str, User]) -> None:
    staff = users["demo-projects-staff"]
    departments = {d.code: d for d in Department.objects.all()}
    lagging = list(Project.objects.filter(stage="building").order_by("code")[:5])
    texts = [
        ("econ", "项目用电增容审批进度慢，影响设备调试。"),
        ("business-env", "施工许可证办理需补充材料，请协调。"),
        ("finance", "配套资金拨付滞后。"),
        ("talent", "技术工人招聘困难，需人才政策支持。"),
        ("safety", "危化品仓库消防验收需提前介入。"),
    ]
    for project, (code, text) in zip(lagging, texts, strict=False):
        services.problem_open(actor=staff, project=project, department=departments[code], description=text)
