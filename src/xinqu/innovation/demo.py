"""The demo zone's innovation platforms: the article's 45 at the end of 2023 (it names 于吉红院未来
实验室, 吉诺贝尔科技园, 吉兴产业园 and 理光产业园), recognised at the national, provincial and city
level over the years before; then a few more recognised each year since, up to today, and a
yearly record for every platform and every finished year from 2023. 2023 stays the same on any
day the demo is built (its own seed); the later years follow today."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from xinqu.core.models import Department, OrgUnit, User
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.innovation.models import (
    InnovationProject,
    Level,
    Outcome,
    Partner,
    Platform,
    PlatformYear,
    Recognition,
    Review,
    SupportPayment,
    Talent,
    TalentCategory,
    TalentProgramme,
)

SEED = 17
K = Platform.Kind
NAMED: list[tuple[str, str, str, str]] = [
    ("于吉红院未来实验室", K.INSTITUTE, Level.PROVINCIAL, "吉林大学"),
    ("吉诺贝尔科技园", K.PARK, Level.PROVINCIAL, ""),
    ("吉兴产业园", K.PARK, Level.CITY, ""),
    ("理光产业园", K.PARK, Level.CITY, ""),
]
INSTITUTIONS = [
    "吉林大学",
    "中国科学院长春光学精密机械与物理研究所",
    "中国科学院长春应用化学研究所",
    "长春理工大学",
    "长春工业大学",
    "吉林农业大学",
]
FIELDS = [
    "光电子器件",
    "精密光学",
    "生物医药",
    "医疗器械",
    "新材料",
    "汽车电子",
    "智能制造",
    "卫星应用",
    "现代农业",
    "数字经济",
    "化工新材料",
    "中药创新",
]
KINDS = [
    (K.KEY_LAB, "重点实验室"),
    (K.ENGINEERING, "工程技术研究中心"),
    (K.ENTERPRISE_CENTRE, "企业技术中心"),
    (K.INSTITUTE, "新型研发机构"),
    (K.INCUBATOR, "科技企业孵化器"),
    (K.MAKERSPACE, "众创空间"),
]
# The 45 of 2023 by their highest level: 7 national, 16 provincial, 22 city (the four named included).
LEVELS_2023: list[str] = [str(Level.NATIONAL)] * 7 + [str(Level.PROVINCIAL)] * 14 + [str(Level.CITY)] * 20
# Recognised each year after 2023.
NEW_PER_YEAR = 4


PREFIX = {"national": "国家", "provincial": "吉林省", "city": "长春市"}


def _unique(rng: random.Random, taken: set[str], prefix: str, suffix: str) -> str:
    """A platform name not used yet: the level's prefix, a field, the kind's word."""
    fields = rng.sample(FIELDS, len(FIELDS))
    for field in fields:
        name = f"{prefix}{field}{suffix}"
        if name not in taken:
            taken.add(name)
            return name
    name = f"长春新区{fields[0]}{suffix}{len(taken)}"
    taken.add(name)
    return name


def _platform(
    rng: random.Random,
    number: int,
    name: str,
    kind: str,
    department: Department,
    parks: list[OrgUnit],
    nodes: list[IndustryNode],
    firms: list[Enterprise],
    institution: str,
    created_on: dt.date,
) -> Platform:
    operator = None
    if not institution and kind not in (K.PARK,) and firms and rng.random() < 0.55:
        operator = rng.choice(firms)
    elif not institution and kind != K.PARK:
        institution = rng.choice(INSTITUTIONS)
    elif not institution:
        institution = "园区运营公司"
    return Platform(
        code=f"PT{created_on.year}{number:03d}",
        name=name,
        kind=kind,
        department=department,
        operator=operator,
        institution=institution,
        park=rng.choice(parks) if parks else None,
        chain_node=rng.choice(nodes) if nodes and rng.random() < 0.7 else None,
        space=Decimal(rng.choice([800, 1500, 3000, 6000, 12000, 30000])),
        staff=rng.randint(8, 160),
        created_on=created_on,
    )


def _recognitions(
    rng: random.Random, platform: Platform, top: str, first: dt.date, last: dt.date, today: dt.date
) -> list[Recognition]:
    """A city recognition first, then the higher ones it rose to, each no later than ``last``;
    incubators and maker spaces are reviewed every three years, the rest hold without end."""
    ladder: list[str] = [Level.CITY, Level.PROVINCIAL, Level.NATIONAL]
    steps = ladder[: ladder.index(top) + 1]
    span = max((last - first).days, 1)
    made = []
    for index, level in enumerate(steps):
        day = first + dt.timedelta(days=span * index // len(steps))
        reviewed = platform.kind in (K.INCUBATOR, K.MAKERSPACE)
        made.append(
            Recognition(
                platform=platform,
                level=level,
                recognised_on=day,
                # Reviewed ones hold until renewed: the demo keeps them valid through today.
                valid_until=dt.date(today.year + 3, 12, 31) if reviewed else None,
                document=f"{'国' if level == Level.NATIONAL else '吉' if level == Level.PROVINCIAL else '长'}科发〔{day.year}〕{rng.randint(10, 99)}号",
            )
        )
    return made


def _year(rng: random.Random, platform: Platform, year: int) -> PlatformYear:
    hosts = platform.kind in (K.INCUBATOR, K.MAKERSPACE, K.PARK)
    incubated = rng.randint(15, 90) if hosts else rng.randint(0, 6)
    return PlatformYear(
        platform=platform,
        year=year,
        incubated=incubated,
        graduated=rng.randint(0, max(incubated // 6, 1)) if hosts else 0,
        rd_spend=Decimal(rng.randint(200, 12_000)),
        patents=rng.randint(2, 60),
        hosted_revenue=Decimal(rng.randint(3_000, 250_000)) if hosts else Decimal(rng.randint(0, 20_000)),
    )


def load_demo_innovation(*, users: dict[str, User], today: dt.date, **_context: Any) -> int:
    if Platform.objects.exists():
        return 0
    made = _platforms(today)
    made += _projects(today)
    return made + _talents(today)


def _platforms(today: dt.date) -> int:
    tech = Department.objects.get(code="tech")
    parks = list(OrgUnit.objects.filter(kind="park").order_by("sort_order", "pk"))
    nodes = list(IndustryNode.objects.filter(kind="node").order_by("pk"))
    firms = list(Enterprise.objects.filter(confidential=False).order_by("pk")[:120])
    rng = random.Random(SEED)
    platforms: list[Platform] = []
    tops: list[tuple[Platform, str, dt.date, dt.date]] = []
    levels = list(LEVELS_2023)
    rng.shuffle(levels)
    taken = {name for name, *_rest in NAMED}
    for index in range(45):
        if index < len(NAMED):
            name, kind, top, institution = NAMED[index]
        else:
            kind, suffix = rng.choice(KINDS)
            top = levels.pop()
            name = _unique(rng, taken, PREFIX[top], suffix)
            institution = ""
        first = dt.date(rng.randint(2012, 2021), rng.randint(1, 12), rng.randint(1, 28))
        last = dt.date(2023, rng.randint(1, 12), rng.randint(1, 28)) if top != Level.CITY else first
        platform = _platform(rng, index + 1, name, kind, tech, parks, nodes, firms, institution, first)
        platforms.append(platform)
        tops.append((platform, top, first, max(last, first)))
    # After 2023: a few recognised each year, up to today.
    later = random.Random(SEED + today.year)
    number = 100
    for year in range(2024, today.year + 1):
        for _n in range(NEW_PER_YEAR):
            day = dt.date(year, later.randint(1, 12), later.randint(1, 28))
            if day > today:
                continue
            number += 1
            kind, suffix = later.choice(KINDS)
            name = _unique(later, taken, PREFIX[Level.CITY], suffix)
            platform = _platform(later, number, name, kind, tech, parks, nodes, firms, "", day)
            platforms.append(platform)
            tops.append((platform, Level.CITY, day, day))
    Platform.objects.bulk_create(platforms)
    recognitions: list[Recognition] = []
    for platform, top, first, last in tops:
        recognitions.extend(_recognitions(rng, platform, top, first, last, today))
    Recognition.objects.bulk_create(recognitions)
    years: list[PlatformYear] = []
    records = random.Random(SEED + 1)
    for platform, _top, first, _last in tops:
        for year in range(max(2023, first.year), today.year):
            years.append(_year(records, platform, year))
    PlatformYear.objects.bulk_create(years)
    return len(platforms)


P = InnovationProject.Kind
# Projects started (立项) each year: the article's 76 in 2023; 2024 on a path towards the "515"
# (50 high-level, 50 academician projects), a little short of it; later years near 2024's.
STARTED: dict[int, dict[str, int]] = {
    2022: {P.HIGH_LEVEL: 12, P.ACADEMICIAN: 6, P.OPEN_COMPETITION: 8, P.COOPERATION: 22, P.TRANSFER: 12},
    2023: {P.HIGH_LEVEL: 18, P.ACADEMICIAN: 10, P.OPEN_COMPETITION: 12, P.COOPERATION: 26, P.TRANSFER: 10},
    2024: {P.HIGH_LEVEL: 47, P.ACADEMICIAN: 44, P.OPEN_COMPETITION: 10, P.COOPERATION: 20, P.TRANSFER: 8},
}
# Landmark outcomes (标志性成果) each year: 2024 towards the 100 of the "515".
LANDMARKS = {2022: 20, 2023: 38, 2024: 93}
TOPICS = [
    "高性能光电芯片",
    "空间遥感载荷",
    "基因工程疫苗",
    "高端医疗影像",
    "碳纤维复合材料",
    "车规级传感器",
    "智能农机装备",
    "工业互联网平台",
    "中药质量标准",
    "精细化工催化剂",
]
PHASES = ["关键技术攻关", "研发及产业化", "中试验证", "工程化应用", "联合攻关"]
REASONS = ["填补国内空白", "获省科技进步一等奖", "制定国家标准", "实现首台套应用", "技术转让额超过千万元"]


def _projects(today: dt.date) -> int:
    """The innovation projects since 2022 with their partners and outcomes, dated no later than
    today: 2022–2024 as set above (2023's from its own seed), later years drawn from today's."""
    tech = Department.objects.get(code="tech")
    firms = list(Enterprise.objects.filter(confidential=False).order_by("pk")[:150])
    platforms = list(
        Platform.objects.filter(recognitions__recognised_on__lte=today).distinct().order_by("pk")
    )
    projects: list[InnovationProject] = []
    for year in range(2022, today.year + 1):
        rng = (
            random.Random(SEED * 100 + year)
            if year <= 2024
            else random.Random(SEED * 100 + year + today.toordinal())
        )
        plan = STARTED.get(year) or {
            kind: max(int(n * rng.uniform(0.9, 1.1)), 1) for kind, n in STARTED[2024].items()
        }
        number = 0
        for kind, count in plan.items():
            for _n in range(count):
                day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                if day > today:
                    continue
                number += 1
                topic = rng.choice(TOPICS)
                firm = rng.choice(firms) if firms and rng.random() < 0.6 else None
                budget = Decimal(rng.choice([300, 800, 1500, 3000, 8000, 20000]))
                ends = day + dt.timedelta(days=730)
                projects.append(
                    InnovationProject(
                        code=f"CX{year}{number:03d}",
                        name=f"{topic}{rng.choice(PHASES)}",
                        kind=kind,
                        department=tech,
                        enterprise=firm,
                        institution="" if firm else rng.choice(INSTITUTIONS),
                        platform=rng.choice(platforms) if platforms and rng.random() < 0.5 else None,
                        started_on=day,
                        due_on=ends,
                        ended_on=ends if ends <= today - dt.timedelta(days=30) else None,
                        budget=budget,
                        support=(budget * Decimal("0.2")).quantize(Decimal(1)),
                    )
                )
    InnovationProject.objects.bulk_create(projects)
    partners = []
    pick = random.Random(SEED + 5)
    for project in projects:
        partners.append(
            Partner(project=project, kind=Partner.Kind.UNIVERSITY, name=pick.choice(INSTITUTIONS))
        )
        if firms and pick.random() < 0.5:
            firm = pick.choice(firms)
            partners.append(
                Partner(project=project, kind=Partner.Kind.ENTERPRISE, enterprise=firm, name=firm.name)
            )
    Partner.objects.bulk_create(partners)
    outcomes = []
    for year in range(2022, today.year + 1):
        rng = (
            random.Random(SEED * 1000 + year)
            if year <= 2024
            else random.Random(SEED * 1000 + year + today.toordinal())
        )
        wanted = LANDMARKS.get(year) or int(LANDMARKS[2024] * rng.uniform(0.9, 1.1))
        made = {True: 0, False: 0}
        for _attempt in range(wanted * 8):
            if made[True] >= wanted and made[False] >= wanted:
                break
            day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            running = [
                p for p in projects if p.started_on <= day and (p.ended_on is None or p.ended_on >= day)
            ]
            if day > today or not running:
                continue
            project = rng.choice(running)
            landmark = made[True] < wanted
            made[landmark] += 1
            kind = rng.choice(Outcome.Kind.values)
            outcomes.append(
                Outcome(
                    project=project,
                    kind=kind,
                    title=f"{project.name}{Outcome.Kind(kind).label}",
                    number=f"ZL{year}{rng.randint(100000, 999999)}" if kind == Outcome.Kind.PATENT else "",
                    achieved_on=day,
                    landmark=landmark,
                    landmark_reason=rng.choice(REASONS) if landmark else "",
                )
            )
    Outcome.objects.bulk_create(outcomes)
    return len(projects)


PROGRAMMES = [
    ("长春新区院士引进计划", TalentCategory.ACADEMICIAN, dt.date(2021, 3, 1), 4),
    ("长春新区海外高层次人才计划", TalentCategory.OVERSEAS, dt.date(2020, 6, 1), 10),
    ("长春新区创新型人才计划", TalentCategory.INNOVATIVE, dt.date(2019, 9, 1), 24),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["明远", "晓峰", "思源", "建华", "志强", "海燕", "立新", "文博", "子涵", "嘉怡", "国栋", "雪松"]


def _talents(today: dt.date) -> int:
    """Each programme's recruits per year since 2023 (demo ID numbers and phones, not real
    people's), their support paid in instalments and the reviews of those past two years."""
    from xinqu.investment.models import Lead

    tech = Department.objects.get(code="tech")
    firms = list(Enterprise.objects.filter(confidential=False).order_by("pk")[:150])
    platforms = list(Platform.objects.filter(confidential=False).order_by("pk"))
    leads = list(Lead.objects.filter(talent_project=True, landed_on__isnull=False).order_by("pk")[:20])
    rng = random.Random(SEED + 9)
    talents: list[Talent] = []
    for name, category, started, per_year in PROGRAMMES:
        programme = TalentProgramme.objects.create(name=name, category=category, started_on=started)
        for year in range(2023, today.year + 1):
            for _n in range(per_year):
                day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                if day > today:
                    continue
                team = category != TalentCategory.INNOVATIVE and rng.random() < 0.4
                person = rng.choice(SURNAMES) + rng.choice(GIVEN)
                promised = Decimal({"academician": 500, "overseas": 200, "innovative": 50}[category])
                talents.append(
                    Talent(
                        department=tech,
                        programme=programme,
                        name=f"{person}团队" if team else person,
                        team=team,
                        id_number=f"2201{rng.randint(10, 99)}{rng.randint(1960, 1995)}{rng.randint(1, 12):02d}"
                        f"{rng.randint(1, 28):02d}{len(talents):04d}",
                        phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                        host_enterprise=rng.choice(firms) if firms and rng.random() < 0.7 else None,
                        host_platform=rng.choice(platforms) if platforms else None,
                        lead=leads.pop() if leads and day.year >= 2024 and rng.random() < 0.3 else None,
                        recruited_on=day,
                        service_years=3 if category == TalentCategory.INNOVATIVE else 5,
                        support_promised=promised,
                        obligations="在新区全职工作满服务期；每年至少申请发明专利 2 件。",
                    )
                )
    for talent in talents:
        if talent.host_enterprise is None and talent.host_platform is None:
            talent.host_platform = platforms[0] if platforms else None
    Talent.objects.bulk_create(talents)
    payments: list[SupportPayment] = []
    reviews: list[Review] = []
    for talent in talents:
        first = talent.recruited_on + dt.timedelta(days=30)
        if first <= today:
            payments.append(SupportPayment(talent=talent, paid_on=first, amount=talent.support_promised / 2))
        review_day = talent.recruited_on + dt.timedelta(days=730)
        if review_day <= today:
            score = Decimal(rng.randint(52, 96))
            back = (
                (talent.support_promised / 2 * Decimal("0.5")).quantize(Decimal("0.01"))
                if score < 60
                else Decimal(0)
            )
            reviews.append(
                Review(
                    talent=talent,
                    reviewed_on=review_day,
                    score=score,
                    note="按约定义务逐项验收。",
                    clawed_back=back,
                )
            )
            if back:
                payments.append(
                    SupportPayment(
                        talent=talent,
                        paid_on=review_day,
                        amount=-back,
                        clawback=True,
                        over_reason="验收不合格，按规则追回",
                    )
                )
            elif review_day + dt.timedelta(days=30) <= today:
                payments.append(
                    SupportPayment(
                        talent=talent,
                        paid_on=review_day + dt.timedelta(days=30),
                        amount=talent.support_promised / 2,
                    )
                )
    SupportPayment.objects.bulk_create(payments)
    Review.objects.bulk_create(reviews)
    return len(talents)
