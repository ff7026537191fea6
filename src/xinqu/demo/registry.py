"""The demo zone's enterprise registry: industry system, enterprises, qualifications, figures,
chain positions and visits, generated from a seed so that at the end of 2023 it reproduces the
article's counts: 845 high-tech enterprises (377 new in 2023, 25% of the province's and 33% of
the city's), 410 专精特新 enterprises (154 new) and 11 listed companies. Every year since, up to
the demo's day, certificates expire, most are renewed and new ones are granted (high-tech
enterprises +16% in 2024, the plan's path, then 8–12% a year), from a second seed, so that the
2023 figures stay exactly as they were."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from xinqu.core.models import Department, OrgUnit, User
from xinqu.demo.generator import day_in, enterprises
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    ReferenceTotal,
    Visit,
    VisitRule,
    YearlyFigure,
)
from xinqu.enterprises.rules import add_months
from xinqu.enterprises.services import tiers_apply_rules

SEED = 2024

# cluster → chain → (segment, node) — the clusters the article names.
INDUSTRY: dict[str, dict[str, list[tuple[str, str]]]] = {
    "汽车及装备制造": {
        "汽车零部件": [
            ("up", "汽车电子"),
            ("up", "轻量化材料"),
            ("mid", "底盘与车身部件"),
            ("mid", "动力总成"),
            ("down", "整车配套服务"),
        ],
        "航空装备": [
            ("up", "航空材料"),
            ("mid", "航空轮胎"),
            ("mid", "机载设备"),
            ("down", "维修与运营服务"),
        ],
    },
    "生物医药": {
        "现代中药与生物药": [
            ("up", "药用原料"),
            ("up", "医学研发外包"),
            ("mid", "生物制品"),
            ("mid", "化学药制剂"),
            ("down", "医药流通"),
        ],
        "医疗器械": [
            ("up", "核心零部件"),
            ("mid", "医学影像设备"),
            ("mid", "放疗设备"),
            ("down", "医疗服务"),
        ],
    },
    "光电信息": {
        "光电子": [
            ("up", "光学材料"),
            ("up", "光电芯片"),
            ("mid", "激光器"),
            ("mid", "光学镜头与模组"),
            ("down", "卫星遥感应用"),
        ],
        "传感器": [
            ("up", "敏感材料"),
            ("mid", "MEMS 传感器"),
            ("mid", "智能传感模组"),
            ("down", "物联网应用"),
        ],
    },
    "新材料": {
        "化工新材料": [
            ("up", "基础化工原料"),
            ("mid", "精细化学品"),
            ("mid", "高性能树脂"),
            ("down", "新材料应用"),
        ],
        "先进金属材料": [("up", "合金冶炼"), ("mid", "精密铸锻件"), ("down", "表面处理")],
    },
    "现代服务业": {
        "电子商务": [("up", "数字平台"), ("mid", "直播电商"), ("down", "仓储物流")],
        "法律服务": [("mid", "律师事务所"), ("down", "知识产权服务")],
    },
}

# group → list of (first grant year, count, renewed in year or None). See the module docstring.
HIGH_TECH = [
    (2023, 377, None),
    (2022, 260, None),
    (2021, 130, None),
    (2020, 78, 2023),
    (2019, 60, None),
    (2020, 60, None),
]
SRDI = [(2023, 154, None), (2022, 140, None), (2021, 116, None), (2019, 40, None)]
LITTLE_GIANTS = 35
LISTED = [(2023, 1), (2021, 3), (2015, 7)]
TECH_SME = 1_200
INNOVATIVE_SME = 600
# After 2023: (kind, months of the year its grants fall in, share renewed on expiry, new grants a
# year: a growth of the stock in % for high-tech enterprises, else a count range)
LATER: list[tuple[str, tuple[int, int], float, tuple[float, float]]] = [
    ("high_tech", (9, 12), 0.72, (8, 12)),
    ("provincial_srdi", (5, 10), 0.75, (140, 170)),
    ("tech_sme", (3, 9), 0.8, (250, 350)),
    ("innovative_sme", (4, 10), 0.7, (100, 150)),
]
HIGH_TECH_GROWTH_2024 = 16
VISITS_FROM = dt.date(2023, 1, 1)
REFERENCES = [
    ("high_tech", 2023, "province", 3_380, "845 户占全省 25%（长春新区高质量发展大会报道）"),
    ("high_tech", 2023, "city", 2_561, "845 户占全市 33%（长春新区高质量发展大会报道）"),
]


def _industry_tree() -> dict[str, list[IndustryNode]]:
    nodes_by_chain: dict[str, list[IndustryNode]] = {}
    for c_order, (cluster_name, chains) in enumerate(INDUSTRY.items(), start=1):
        cluster, _ = IndustryNode.objects.get_or_create(
            kind="cluster", name=cluster_name, parent=None, defaults={"sort_order": c_order}
        )
        for ch_order, (chain_name, nodes) in enumerate(chains.items(), start=1):
            chain, _ = IndustryNode.objects.get_or_create(
                kind="chain", name=chain_name, parent=cluster, defaults={"sort_order": ch_order}
            )
            nodes_by_chain[chain_name] = []
            for n_order, (segment, node_name) in enumerate(nodes, start=1):
                node, _ = IndustryNode.objects.get_or_create(
                    kind="node",
                    name=node_name,
                    parent=chain,
                    defaults={"segment": segment, "sort_order": n_order},
                )
                nodes_by_chain[chain_name].append(node)
    return nodes_by_chain


def _grant(
    kind: QualificationKind, enterprise_id: int, granted: dt.date, department_id: int, number: str = ""
) -> Qualification:
    return Qualification(
        enterprise_id=enterprise_id,
        kind=kind,
        granted_on=granted,
        expires_on=add_months(granted, kind.validity_months) - dt.timedelta(days=1)
        if kind.validity_months
        else None,
        review_due=add_months(granted, kind.review_months) if kind.review_months else None,
        certificate_no=number,
        department_id=department_id,
    )


@transaction.atomic
def load_demo_registry(
    *, departments: dict[str, Department], users: dict[str, User], today: dt.date, **_context: Any
) -> int:
    """Generate the registry once; a second run finds it there and changes nothing."""
    nodes_by_chain = _industry_tree()
    for group, year, scope, total, source in REFERENCES:
        ReferenceTotal.objects.get_or_create(
            group=group, year=year, scope=scope, defaults={"total": total, "source": source}
        )
    if not VisitRule.objects.exists():
        VisitRule.objects.create(
            max_inspections_per_year=2, max_visits_per_month=3, quiet_requires_announcement=True
        )
    if Enterprise.objects.exists():
        return 0
    rng = random.Random(SEED)
    parks = list(OrgUnit.objects.filter(kind="park").values_list("pk", "parent_id"))
    econ, tech = departments["econ"], departments["tech"]
    Enterprise.objects.bulk_create(
        enterprises(count=settings.DEMO_ENTERPRISES, seed=SEED, department_id=econ.pk, parks=parks),
        batch_size=2000,
    )
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    above = list(Enterprise.objects.filter(above_scale=True).order_by("pk").values_list("pk", flat=True))
    above_set = set(above)
    kinds = {k.code: k for k in QualificationKind.objects.all()}
    # Qualified enterprises are drawn mostly from the larger ones.
    others = [i for i in ids if i not in above_set]
    pool = above + rng.sample(others, min(3_000, len(others)))
    rng.shuffle(pool)
    quals: list[Qualification] = []
    cursor = 0

    def take(n: int) -> list[int]:
        nonlocal cursor
        chosen = pool[cursor : cursor + n]
        cursor += n
        return chosen

    for first_year, count, renewed in HIGH_TECH:
        for i, enterprise_id in enumerate(take(count)):
            first = day_in(rng, first_year, 9, 12)
            quals.append(
                _grant(kinds["high_tech"], enterprise_id, first, tech.pk, f"GR{first_year}22{i:06d}")
            )
            if renewed:
                quals.append(
                    _grant(
                        kinds["high_tech"],
                        enterprise_id,
                        day_in(rng, renewed, 9, 12),
                        tech.pk,
                        f"GR{renewed}22{i:06d}",
                    )
                )
    fresh = {"high_tech": cursor}
    cursor = 0  # 专精特新 enterprises overlap with the high-tech ones, as in life
    srdi_holders: list[int] = []
    for first_year, count, _renewed in SRDI:
        for enterprise_id in take(count):
            quals.append(
                _grant(kinds["provincial_srdi"], enterprise_id, day_in(rng, first_year, 5, 10), econ.pk)
            )
            if first_year in (2021, 2022):
                srdi_holders.append(enterprise_id)
    fresh["provincial_srdi"] = cursor
    # "Little giants" grew out of provincial ones recognised before 2023, so they add no new 专精特新 enterprise.
    for enterprise_id in rng.sample(srdi_holders, LITTLE_GIANTS):
        quals.append(_grant(kinds["little_giant"], enterprise_id, day_in(rng, 2023, 6, 8), econ.pk))
    for first_year, count in LISTED:
        for enterprise_id in rng.sample(above, count):
            q = _grant(kinds["listed"], enterprise_id, day_in(rng, first_year), econ.pk)
            q.exchange, q.ticker = rng.choice([("上交所", "688"), ("深交所", "300"), ("北交所", "8")])
            q.ticker += f"{rng.randrange(100, 999)}"
            quals.append(q)
    for enterprise_id in rng.sample(ids, TECH_SME):
        quals.append(_grant(kinds["tech_sme"], enterprise_id, day_in(rng, 2023, 3, 9), tech.pk))
    for enterprise_id in rng.sample(ids, INNOVATIVE_SME):
        quals.append(
            _grant(
                kinds["innovative_sme"], enterprise_id, day_in(rng, rng.choice([2022, 2023]), 4, 10), econ.pk
            )
        )
    # An enterprise drawn twice for the same kind and day would break the unique grant; keep the first.
    unique: dict[tuple[int, int, dt.date], Qualification] = {}
    for q in quals:
        unique.setdefault((q.enterprise_id, q.kind.pk, q.granted_on), q)
    later = _later_grants(
        kinds, list(unique.values()), pool, fresh, today, {"high_tech": tech.pk, "tech_sme": tech.pk}, econ.pk
    )
    Qualification.objects.bulk_create([*unique.values(), *later], batch_size=2000)

    figures = []
    qualified = {q.enterprise_id for q in unique.values()}
    for enterprise_id in sorted(above_set | qualified):
        # Revenue (万元) spread log-uniformly: many small firms, few large ones.
        base = Decimal(10 ** rng.uniform(3.3, 5.3 if enterprise_id in above_set else 3.9)).quantize(
            Decimal("0.01")
        )
        for year in (2021, 2022, 2023):
            factor = Decimal(1 + rng.uniform(-0.05, 0.25)) ** (year - 2021)
            revenue = (base * factor).quantize(Decimal("0.01"))
            figures.append(
                YearlyFigure(
                    enterprise_id=enterprise_id,
                    year=year,
                    employees=int(revenue / 60) + 5,
                    revenue=revenue,
                    rd_spend=(revenue * Decimal(rng.uniform(0.01, 0.08))).quantize(Decimal("0.01")),
                    tax=(revenue * Decimal(rng.uniform(0.02, 0.06))).quantize(Decimal("0.01")),
                )
            )
    figures += _later_figures(figures, today)
    YearlyFigure.objects.bulk_create(figures, batch_size=2000)

    positions: list[ChainPosition] = []
    chains = list(nodes_by_chain.values())
    for chain_nodes in chains:
        # Leave the last node of every other chain empty: the gaps investment attraction targets.
        filled = chain_nodes[:-1] if len(positions) % 2 == 0 else chain_nodes
        for index, node in enumerate(filled):
            members = rng.sample(pool[:2_000], rng.randint(3, 12))
            positions.extend(
                ChainPosition(enterprise_id=e, node=node, is_leader=(index == 0 and j == 0))
                for j, e in enumerate(members)
            )
    ChainPosition.objects.bulk_create(positions, ignore_conflicts=True)

    officer = users["demo-econ-staff"]
    Enterprise.objects.filter(pk__in=pool[:300]).update(service_officer=officer)

    visiting = [departments[c] for c in ("econ", "tech", "safety", "business-env", "invest")]
    visits = []
    visit_span = (today - VISITS_FROM).days
    for _ in range(3_000):
        enterprise_id = rng.choice(pool[:1_500])
        department = rng.choice(visiting)
        kind = Visit.Kind.INSPECTION if department.code == "safety" else rng.choice(list(Visit.Kind.values))
        visits.append(
            Visit(
                enterprise_id=enterprise_id,
                department=department,
                visited_on=VISITS_FROM + dt.timedelta(days=rng.randrange(visit_span)),
                kind=kind,
                purpose=rng.choice(
                    [
                        "了解生产经营情况",
                        "宣传惠企政策",
                        "安全生产检查",
                        "项目建设调研",
                        "协调用工需求",
                        "走访诉求办理情况",
                    ]
                ),
                announced=rng.random() < 0.6,
                recorded_by=officer,
            )
        )
    Visit.objects.bulk_create(visits, batch_size=2000)
    tiers_apply_rules(actor=None, year=2023)
    if today.year > 2024:
        tiers_apply_rules(actor=None, year=today.year - 1)
    return len(ids)


def _later_grants(
    kinds: dict[str, QualificationKind],
    held: list[Qualification],
    pool: list[int],
    fresh: dict[str, int],
    today: dt.date,
    departments: dict[str, int],
    default_department: int,
) -> list[Qualification]:
    """Each year from 2024 to ``today``'s: the certificates expiring in it are mostly renewed and
    new ones granted, none after ``today`` (a certificate due for renewal later this year is
    still expiring, as some are on any day)."""
    rng = random.Random(SEED + 1)
    grants: list[Qualification] = []
    for code, (first, last), renew, new_range in LATER:
        kind = kinds[code]
        holders: dict[int, dt.date] = {}
        for q in held:
            if q.kind.pk == kind.pk and (
                q.enterprise_id not in holders or q.granted_on > holders[q.enterprise_id]
            ):
                holders[q.enterprise_id] = q.granted_on
        taken = set(holders)
        newcomers = (e for e in pool[fresh.get(code, 0) :] if e not in taken)
        department = departments.get(code, default_department)

        def expiry(day: dt.date, months: int = kind.validity_months or 0) -> dt.date:
            return add_months(day, months) - dt.timedelta(days=1)

        for year in range(2024, today.year + 1):
            end_before = dt.date(year - 1, 12, 31)
            stock = sum(1 for d in holders.values() if expiry(d) > end_before)
            expiring = sorted(e for e, d in holders.items() if expiry(d).year == year)
            renewed = rng.sample(expiring, round(len(expiring) * renew))
            if code == "high_tech":
                growth = HIGH_TECH_GROWTH_2024 if year == 2024 else rng.uniform(*new_range)
                count = round(stock * (1 + growth / 100)) - (stock - len(expiring) + len(renewed))
            else:
                count = rng.randint(int(new_range[0]), int(new_range[1]))
            chosen = [(e, True) for e in renewed]
            for _n in range(max(count, 0)):
                newcomer = next(newcomers, None)
                if newcomer is None:
                    break
                chosen.append((newcomer, False))
            for enterprise_id, _renewal in chosen:
                granted = day_in(rng, year, first, last)
                if granted > today:
                    continue
                holders[enterprise_id] = granted
                number = f"GR{year}22{len(grants):06d}" if code == "high_tech" else ""
                grants.append(_grant(kind, enterprise_id, granted, department, number))
    return grants


def _later_figures(figures: list[YearlyFigure], today: dt.date) -> list[YearlyFigure]:
    """Every finished year after 2023, each enterprise growing at its own steady pace."""
    rng = random.Random(SEED + 2)
    later = []
    for figure in (f for f in figures if f.year == 2023):
        pace = Decimal(str(rng.uniform(-0.04, 0.18)))
        revenue = figure.revenue or Decimal(0)
        for year in range(2024, today.year):
            revenue = (revenue * (1 + pace) * Decimal(str(rng.uniform(0.97, 1.03)))).quantize(Decimal("0.01"))
            later.append(
                YearlyFigure(
                    enterprise_id=figure.enterprise_id,
                    year=year,
                    employees=int(revenue / 60) + 5,
                    revenue=revenue,
                    rd_spend=(revenue * Decimal(str(rng.uniform(0.01, 0.08)))).quantize(Decimal("0.01")),
                    tax=(revenue * Decimal(str(rng.uniform(0.02, 0.06)))).quantize(Decimal("0.01")),
                )
            )
    return later
