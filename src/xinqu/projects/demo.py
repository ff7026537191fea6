"""The demo zone's construction projects, built so that the ledger reproduces the conference
report's 2023 figures: 147 projects of 50 m yuan or more started or resumed (90 new starts, 57
continuing), 76.3 % of their investment industrial, and 128 projects landed in the year. Every
year from 2024 to the demo's day brings new projects (landed, then started) from a second seed,
so that 2023 stays as the article has it. Monthly reports run from January 2023 to last month,
with each year's planned investment; a few projects have not reported last month yet, some lag
(yellow, red), some milestones are overdue, a few landed projects never started and were
terminated, and a few problems (堵点) are on the workflow engine."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

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
LATER_SIZES = [6_000, 8_000, 12_000, 20_000, 35_000, 60_000, 120_000, 150_000]
MISSING_LAST_REPORT = 0.04  # share of projects under way whose report for last month is not in yet


@dataclass
class Spec:
    group: str
    name: str
    kind: str
    total: Decimal
    started: dt.date | None
    landed: dt.date
    planned_start: dt.date | None = None  # for one not started yet, when it should


def _day(rng: random.Random, year: int, first: int = 1, last: int = 12) -> dt.date:
    return dt.date(year, rng.randint(first, last), rng.randint(1, 28))


@transaction.atomic
def load_demo_projects(
    *, users: dict[str, User], today: dt.date, last_month: dt.date, **_context: Any
) -> int:
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
    specs += _later_specs(last_month)
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
            begun - dt.timedelta(days=rng.randint(0, 60))
            if begun
            else spec.planned_start or dt.date(spec.landed.year + 1, rng.randint(3, 9), 1)
        )
        industrial = spec.kind == "industrial"
        if stage == "landed" and today > planned_start + dt.timedelta(days=365):
            stage = "terminated"  # not started a year after it should have: the agreement lapsed
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
                terminated_on=planned_start + dt.timedelta(days=300) if stage == "terminated" else None,
                registered_on=begun + dt.timedelta(days=rng.randint(5, 45)) if begun else None,
                leader=leaders[(index // len(areas)) % len(leaders)],
                department=invest if index % 7 == 0 else centre,
            )
        )
    Project.objects.bulk_create(projects, batch_size=500)
    for project in Project.objects.all():
        _history(rng, project, today, last_month)
    _problems(users)
    for project in Project.objects.all():
        lights.refresh(project, reason="演示数据")
    return len(projects)


def _later_specs(last_month: dt.date) -> list[Spec]:
    """Each year from 2024 to last month's: some 90 new starts (landed a few months before, none
    before 2024, so that 2023's landings stay 128) and some 45 projects landed to start the next
    year, both by last month."""
    rng = random.Random(SEED + 1)
    specs: list[Spec] = []
    through = last_month.replace(day=28)
    for year in range(2024, last_month.year + 1):
        for _n in range(rng.randint(85, 95)):
            started = _day(rng, year, 3, 11)
            landed = max(started - dt.timedelta(days=rng.randint(30, 150)), dt.date(2024, 1, 5))
            name = _name(rng)
            size = Decimal(rng.choice(LATER_SIZES))
            if landed > through:
                continue
            if started > through:  # landed, and due to start later this year
                specs.append(
                    Spec(f"new{year}", name, KIND_OF.get(name, "industrial"), size, None, landed, started)
                )
            else:
                specs.append(Spec(f"new{year}", name, KIND_OF.get(name, "industrial"), size, started, landed))
        for _n in range(rng.randint(40, 50)):
            landed = _day(rng, year, 1, 12)
            if landed > through:
                continue
            name = _name(rng)
            specs.append(
                Spec(f"landed{year}", name, KIND_OF.get(name, "industrial"), Decimal(rng.choice(LATER_SIZES)),
                     None, landed)
            )  # fmt: skip
    return specs


def _name(rng: random.Random) -> str:
    """Three in four new projects are industrial, as the zone's investment drive wants."""
    industrial = [n for n in NAMES if n not in KIND_OF]
    return rng.choice(industrial) if rng.random() < 0.75 else rng.choice(list(KIND_OF))


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
    """Where a project stands today: most finish two years or so after they start (most of those
    then produce), none before mid-2023 (the continuing ones were still being built in 2023)."""
    started = spec.started
    if started is None:
        return ("landed", None, None)
    completed = max(started + dt.timedelta(days=rng.randint(500, 800)), dt.date(2023, 6, 30))
    if completed <= today - dt.timedelta(days=60) and rng.random() < 0.85:
        if rng.random() < 0.6:
            return ("operating", completed, completed + dt.timedelta(days=60))
        return ("completed", completed, None)
    return ("suspended" if rng.random() < 0.04 else "building", None, None)


def _history(rng: random.Random, project: Project, today: dt.date, last_month: dt.date) -> None:
    """Milestones, yearly plans and monthly reports from the start to completion or last month,
    paced on the planned completion whatever the demo's day."""
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
            project=project,
            year=(project.planned_start_on or project.landed_on or last_month).year,
            planned_investment=project.total_investment * Decimal("0.2"),
        )
        return
    planned_end = project.completed_on or start + dt.timedelta(days=650)
    end = min(project.completed_on or last_month, last_month)
    # A few have not sent last month's report yet.
    if end == last_month and random.Random(project.pk).random() < MISSING_LAST_REPORT:
        end = (end - dt.timedelta(days=1)).replace(day=1)
    # Before 2023 (the continuing projects) about a third was spent already.
    spent = (
        Decimal(0)
        if start.year >= 2023
        else (project.total_investment * Decimal("0.3")).quantize(Decimal("0.01"))
    )
    reports: list[MonthlyReport] = []
    month = start.replace(day=1) if start.year >= 2023 else dt.date(2023, 1, 1)
    pace = rng.choices([Decimal("0.95"), Decimal("1.05"), Decimal("0.8"), Decimal("0.5")], [3, 3, 2, 1])[0]
    remaining_months = max(((planned_end.year - month.year) * 12 + planned_end.month - month.month + 1), 1)
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
    finish = project.completed_on or planned_end
    for year, done in yearly.items():
        # The year's plan: the planned monthly amount for each month it was to build in that year
        # (the whole year once it is late), so its completion is its pace.
        first = max(dt.date(year, 1, 1), start.replace(day=1) if start.year >= 2023 else dt.date(2023, 1, 1))
        last = finish.replace(day=1) if finish.year == year else dt.date(year, 12, 1)
        months = max((last.year - first.year) * 12 + last.month - first.month + 1, 1)
        planned = (monthly * months).quantize(Decimal("0.01"))
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
