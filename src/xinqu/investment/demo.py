"""The demo's investment attraction, consistent with the article and alive on any day.

Every project the ledger shows as landed came through a lead: its lead is written here with its
stages, gate documents, activities, contract and paid-in capital. 2023's payments add up to the
article's 269亿元 of domestic capital and 2,615万美元 of foreign capital; each later year's grow
from it. Around today there is a pipeline in every stage: new leads, visits and negotiations,
a few gone quiet, signed ones waiting to land (two past their day), some paused or lost.
Leads are generated from a seed; the agencies and ambassadors are illustrative demo data."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xinqu.core.models import Department, User
from xinqu.enterprises.models import Enterprise, IndustryNode
from xinqu.investment.models import (
    Activity,
    Currency,
    Document,
    DocumentKind,
    ExchangeRate,
    GateRule,
    Lead,
    Payment,
    Referrer,
    StageStep,
    Target,
)
from xinqu.investment.rules import DEFAULT_GATES, ORDER, to_cny
from xinqu.projects.models import Project

SEED = 15
# The share of landed projects founded on high-tech talent (高科技人才产业项目): about 40 a year
# against the "三个五" target of 50, so the demo plan shows that KPI lagging.
TALENT_SHARE = 0.28
DOMESTIC_2023 = Decimal(2_690_000)  # 万元: 269亿元 of domestic capital used in 2023
FOREIGN_2023 = Decimal(2_615)  # 万美元
GROWTH = Decimal("1.08")  # each later year's paid-in capital
S = Lead.Stage
CENT = Decimal("0.01")

REFERRERS = [
    ("agency", "长春新区驻深圳招商联络处", dt.date(2022, 6, 18)),
    ("agency", "长春新区驻上海招商联络处", dt.date(2022, 6, 18)),
    ("agency", "吉林省欧美同学会招商服务中心", dt.date(2022, 9, 1)),
    ("agency", "东北亚产业咨询有限公司", dt.date(2024, 2, 26)),
    ("agency", "长三角产业转移服务联盟", dt.date(2024, 2, 26)),
    ("ambassador", "王建国（招商大使）", dt.date(2022, 6, 18)),
    ("ambassador", "陈晓华（招商大使）", dt.date(2022, 6, 18)),
    ("ambassador", "刘海涛（招商大使）", dt.date(2024, 2, 26)),
    ("ambassador", "孙丽娜（招商大使）", dt.date(2024, 2, 26)),
    ("ambassador", "赵宏伟（招商大使）", dt.date(2024, 2, 26)),
]
COMPANIES = ["华晟", "博远", "中科新材", "启明", "海创", "瑞丰", "东方精工", "宏图", "天合", "长光"]
KINDS = ["光电信息", "生物医药", "新能源汽车零部件", "航空航天", "新材料", "智能制造", "现代物流", "数字经济"]
FOREIGN = [
    ("德国", Currency.EUR),
    ("日本", Currency.JPY),
    ("韩国", Currency.KRW),
    ("新加坡", Currency.USD),
    ("中国香港", Currency.HKD),
]
PIPELINE = [
    (S.LEAD, 18),
    (S.CONTACT, 16),
    (S.INSPECT, 12),
    (S.NEGOTIATE, 9),
    (S.SIGNED, 6),
    (S.PAUSED, 3),
    (S.LOST, 4),
]
GATE_DOCS: dict[str, list[str]] = {}
for _stage, _doc in DEFAULT_GATES:
    GATE_DOCS.setdefault(_stage, []).append(_doc)


def _rate(currency: str, day: dt.date) -> Decimal:
    """A smooth, plausible demo rate (yuan per unit) for each day."""
    base = {"USD": 7.1, "EUR": 7.75, "JPY": 0.05, "KRW": 0.0053, "HKD": 0.91, "GBP": 9.0}[currency]
    wave = 1 + 0.02 * math.sin(day.toordinal() / 45)
    return Decimal(str(round(base * wave, 6)))


def _rates(today: dt.date) -> None:
    rows = []
    day = dt.date(2023, 1, 1)
    while day <= today:
        for currency in ("USD", "EUR", "JPY", "KRW", "HKD"):
            rows.append(ExchangeRate(currency=currency, on=day, rate=_rate(currency, day)))
        day += dt.timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows, batch_size=2000)


def _split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, to the fen, adding up exactly."""
    whole = sum(weights) or Decimal(1)
    parts = [(total * w / whole).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights]
    if parts:
        parts[parts.index(max(parts))] += total - sum(parts)
    return parts


def load_demo_leads(*, users: dict[str, User], today: dt.date, **_context: Any) -> int:
    # The default gates come with migration 0002; a database flushed since (as between browser
    # tests) has none, and a demo without gates would let any lead jump ahead.
    if not GateRule.objects.exists():
        GateRule.objects.bulk_create([GateRule(stage=stage, document=doc) for stage, doc in DEFAULT_GATES])
    if Lead.objects.exists():
        return 0
    rng = random.Random(SEED)
    _rates(today)
    invest = Department.objects.get(code="invest")
    officers = [users["demo-invest-staff"], users["demo-invest-head"]]
    referrers = [Referrer.objects.create(kind=k, name=n, appointed_on=d) for k, n, d in REFERRERS]
    nodes = list(IndustryNode.objects.filter(kind="node").order_by("pk"))
    firms = list(Enterprise.objects.filter(confidential=False).order_by("pk")[:200])
    sample = default_storage.save("investment/demo-sample.pdf", ContentFile(b"%PDF-1.4\n%demo\n"))
    state = {"n": 0}
    docs: list[Document] = []
    steps: list[StageStep] = []
    activities: list[Activity] = []

    def new_lead(**fields: Any) -> Lead:
        state["n"] += 1
        created: dt.date = fields["created_on"]
        return Lead(code=f"ZS{created.year}{state['n']:04d}", department=invest, **fields)

    def life(lead: Lead, days: dict[str, dt.date]) -> None:
        previous: dt.date | None = None
        for stage, on in days.items():
            gap = (on - previous).days if previous else None
            contract = lead.contract_cny if stage in (S.SIGNED, S.LANDED) else None
            amount = contract if contract is not None else lead.amount_cny
            steps.append(
                StageStep(
                    lead=lead, stage=stage, on=on, by=lead.officer, days=gap, department=invest, amount=amount
                )
            )
            previous = on
            for kind in GATE_DOCS.get(stage, []):
                docs.append(
                    Document(lead=lead, kind=kind, file=sample, name=f"{DocumentKind(kind).label}.pdf", size=16,
                             content_type="pdf", uploaded_by=lead.officer or officers[0])
                )  # fmt: skip
        ordered = sorted(days.values())
        for on in ordered:
            activities.append(
                Activity(lead=lead, kind=rng.choice(Activity.Kind.values), on=on, by=lead.officer or officers[0],
                         summary=rng.choice(["与企业负责人面谈投资意向", "陪同企业实地踏勘地块", "对接用地、能耗与配套政策",
                                             "就投资强度和产值承诺进一步洽谈"]),
                         next_step=rng.choice(["提供政策清单", "安排领导会见", "准备合同文本", ""]))
            )  # fmt: skip

    # Leads behind every landed project in the ledger.
    landed_leads: list[Lead] = []
    projects = list(
        Project.objects.filter(landed_on__isnull=False)
        .select_related("enterprise")
        .order_by("landed_on", "code")
    )
    foreign_pick = {p.pk for p in rng.sample(projects, k=min(len(projects), max(6, len(projects) // 20)))}
    # Its own generator, so the other draws (and the article's totals) stay as they were.
    talent = random.Random(SEED + 1)
    for project in projects:
        assert project.landed_on is not None
        signed = project.signed_on or project.landed_on - dt.timedelta(days=60)
        created = signed - dt.timedelta(days=rng.randint(120, 300))
        foreign = project.pk in foreign_pick
        country, currency = rng.choice(FOREIGN) if foreign else ("", Currency.CNY)
        source = rng.choices(Lead.Source.values, weights=[3, 3, 2, 1, 1])[0]
        referrer = None
        if source in (Lead.Source.AGENCY, Lead.Source.AMBASSADOR):
            pool = [r for r in referrers if r.kind == source and r.appointed_on <= signed]
            referrer = rng.choice(pool) if pool else None
            source = source if referrer else Lead.Source.EXHIBITION
        if source == Lead.Source.REFERRAL:
            source = Lead.Source.WALK_IN  # a referring enterprise would need one of its own: kept simple
        rate = _rate(currency, created) if currency != Currency.CNY else Decimal(1)
        amount = (
            (project.total_investment / rate).quantize(CENT)
            if currency != Currency.CNY
            else project.total_investment
        )
        lead = new_lead(
            name=project.name, company=project.enterprise.name if project.enterprise else project.name,
            credit_code=project.enterprise.credit_code if project.enterprise else "",
            origin="foreign" if foreign else rng.choices(["province", "city", "local"], weights=[6, 2, 2])[0],
            country=country, source=source, referrer=referrer, chain_node=project.chain_node,
            chain_role=rng.choice(Lead.ChainRole.values) if project.chain_node else "",
            currency=currency, amount=amount, rate=rate, amount_cny=to_cny(amount, rate),
            officer=rng.choice(officers), stage=S.LANDED, signed_on=signed, contract_amount=amount,
            contract_cny=project.total_investment, land_by=project.landed_on + dt.timedelta(days=rng.choice([0, 10, 30])),
            start_by=project.planned_start_on, landed_on=project.landed_on, enterprise=project.enterprise,
            project=project, created_on=created, last_activity_on=project.landed_on,
            talent_project=talent.random() < TALENT_SHARE,
        )  # fmt: skip
        landed_leads.append(lead)
    # The pipeline around today.
    open_leads: list[tuple[Lead, dict[str, dt.date]]] = []
    for stage, count in PIPELINE:
        for index in range(count):
            created = today - dt.timedelta(days=rng.randint(20, 260))
            reached = ORDER.index(stage) if stage in ORDER else rng.randint(0, 3)
            span = (today - created).days
            days = {
                s: created + dt.timedelta(days=span * i // (reached + 2))
                for i, s in enumerate(ORDER[: reached + 1])
            }
            foreign = rng.random() < 0.12
            country, currency = rng.choice(FOREIGN) if foreign else ("", Currency.CNY)
            amount_cny = Decimal(rng.choice([5_000, 12_000, 30_000, 60_000, 120_000, 250_000]))
            rate = _rate(currency, created) if currency != Currency.CNY else Decimal(1)
            amount = (amount_cny / rate).quantize(CENT)
            source = rng.choice(
                [Lead.Source.AGENCY, Lead.Source.AMBASSADOR, Lead.Source.EXHIBITION, Lead.Source.WALK_IN]
            )
            pool = [r for r in referrers if r.kind == source and r.appointed_on <= created]
            referrer = rng.choice(pool) if pool else None
            if source in (Lead.Source.AGENCY, Lead.Source.AMBASSADOR) and referrer is None:
                source = Lead.Source.EXHIBITION
            # Most are followed up in the last weeks; a few have gone quiet.
            quiet = stage in (S.LEAD, S.CONTACT) and index % 6 == 5
            last = today - dt.timedelta(days=rng.randint(45, 90) if quiet else rng.randint(0, 20))
            last = max(last, max(days.values()))
            signed_on = days.get(S.SIGNED)
            node = rng.choice(nodes) if nodes else None
            expected = (
                today + dt.timedelta(days=rng.randint(20, 200))
                if stage in (S.LEAD, S.CONTACT, S.INSPECT, S.NEGOTIATE)
                else None
            )
            referring = None
            if source == Lead.Source.WALK_IN and firms and index % 4 == 0:
                source, referring = Lead.Source.REFERRAL, rng.choice(firms)
            lead = new_lead(
                name=f"{rng.choice(COMPANIES)}{rng.choice(KINDS)}项目", company=f"{rng.choice(COMPANIES)}{rng.choice(KINDS)}有限公司",
                origin="foreign" if foreign else rng.choices(["province", "city", "local"], weights=[6, 2, 2])[0],
                country=country, source=source, referrer=referrer if source in (Lead.Source.AGENCY, Lead.Source.AMBASSADOR) else None,
                chain_node=node, chain_role=rng.choice(Lead.ChainRole.values) if node else "",
                chain_leader=rng.random() < 0.1, currency=currency, amount=amount, rate=rate, amount_cny=to_cny(amount, rate),
                officer=officers[0] if index % 3 else officers[1], stage=stage,
                stopped_at=ORDER[reached] if stage in (S.PAUSED, S.LOST) else "",
                stop_reason={S.PAUSED: "企业投资计划调整，暂缓推进", S.LOST: "企业选择落户其他地区"}.get(stage, ""),
                signed_on=signed_on, contract_amount=amount if signed_on else None,
                contract_cny=to_cny(amount, _rate(currency, signed_on) if currency != Currency.CNY else Decimal(1)) if signed_on else None,
                land_by=(signed_on + dt.timedelta(days=90 if index >= 2 else 20)) if signed_on else None,
                start_by=(signed_on + dt.timedelta(days=180)) if signed_on else None,
                created_on=created, last_activity_on=last if stage not in (S.LOST,) else max(days.values()),
                expected_sign_on=expected, referring_enterprise=referring,
                talent_project=talent.random() < TALENT_SHARE,
            )  # fmt: skip
            open_leads.append((lead, days))
    Lead.objects.bulk_create([*landed_leads, *(lead for lead, _d in open_leads)], batch_size=500)
    for lead in landed_leads:
        assert lead.signed_on is not None and lead.landed_on is not None
        signed = lead.signed_on
        gap = max((signed - lead.created_on).days, 4)
        life(lead, {
            S.LEAD: lead.created_on, S.CONTACT: lead.created_on + dt.timedelta(days=gap // 4),
            S.INSPECT: lead.created_on + dt.timedelta(days=gap // 2), S.NEGOTIATE: lead.created_on + dt.timedelta(days=3 * gap // 4),
            S.SIGNED: signed, S.LANDED: lead.landed_on,
        })  # fmt: skip
    for lead, days in open_leads:
        life(lead, days)
        if lead.stage in (S.PAUSED, S.LOST):
            steps.append(
                StageStep(
                    lead=lead,
                    stage=lead.stage,
                    on=lead.last_activity_on or today,
                    by=lead.officer,
                    note=lead.stop_reason,
                    department=invest,
                    amount=lead.amount_cny,
                )
            )
        if lead.last_activity_on and lead.last_activity_on > max(days.values()):
            activities.append(Activity(lead=lead, kind=Activity.Kind.CALL, on=lead.last_activity_on, by=lead.officer or officers[0],
                                       summary="电话跟进项目进展", next_step="约定下次会谈"))  # fmt: skip
    StageStep.objects.bulk_create(steps, batch_size=2000)
    Document.objects.bulk_create(docs, batch_size=2000)
    Activity.objects.bulk_create(activities, batch_size=2000)
    _payments(rng, landed_leads, today)
    # The bureau's targets each year from 2024: a little above the year before's signings.
    for year in range(2024, today.year + 1):
        before = [x for x in landed_leads if x.signed_on and x.signed_on.year == year - 1]
        amount = sum((x.contract_cny or Decimal(0) for x in before), start=Decimal(0)) / 10_000
        paid = DOMESTIC_2023 * GROWTH ** (year - 2023) / 10_000
        Target.objects.create(
            year=year,
            department=invest,
            signings=round(len(before) * 1.1),
            signed_amount=(amount * Decimal("1.1")).quantize(CENT),
            paid_in=paid.quantize(CENT),
        )
    return len(landed_leads) + len(open_leads)


def _payments(rng: random.Random, leads: list[Lead], today: dt.date) -> None:
    """Each year's paid-in capital over the leads landed that year, domestic and foreign apart;
    2023's adds up to the article's figures exactly."""
    rows: list[Payment] = []
    for year in range(2023, today.year + 1):
        factor = GROWTH ** (year - 2023)
        if year == today.year:
            # This year so far: the months gone by.
            factor *= Decimal(today.timetuple().tm_yday) / Decimal(366)
        of_year = [x for x in leads if x.landed_on and x.landed_on.year == year]
        for foreign in (False, True):
            group = [x for x in of_year if (x.origin == "foreign") is foreign]
            if not group:
                continue
            total = (FOREIGN_2023 if foreign else DOMESTIC_2023) * factor
            weights = [x.contract_cny or Decimal(1) for x in group]
            for lead, share in zip(group, _split(total.quantize(CENT), weights), strict=True):
                assert lead.landed_on is not None
                last = min(today, dt.date(year, 12, 31))
                first = max(lead.landed_on, dt.date(year, 1, 1))
                on = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
                if foreign:
                    usd = _rate("USD", on)
                    cny = (share * usd).quantize(CENT, rounding=ROUND_HALF_UP)
                    rows.append(Payment(lead=lead, on=on, currency="USD", amount=share, rate=usd, amount_cny=cny,
                                        amount_usd=share, kind="fixed", origin="foreign", by=lead.officer))  # fmt: skip
                else:
                    rows.append(Payment(lead=lead, on=on, currency="CNY", amount=share, rate=Decimal(1), amount_cny=share,
                                        kind=rng.choice(["fixed", "fixed", "working"]), origin=lead.origin, by=lead.officer))  # fmt: skip
    Payment.objects.bulk_create(rows, batch_size=2000)
