"""The demo zone's 2024 plan, "2+5+10" as the conference report lays it out (../shared/context):
the two-city engine, the five principles and the ten programmes with the measures and the
quantified targets the article names ("三个五", "515", the 7.0 business-environment plan …),
reported on month by month; then each year's plan copied from the year before, up to the demo's
day. Every month up to last month has its department reports taken through submission and
approval; last month's are coming in (some await the head, one is still a draft), and the
current plan has two supervision items."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinqu.core import feeds
from xinqu.core.models import Department, Notification, User
from xinqu.plans import services
from xinqu.plans.models import Node, Plan, Report

YEAR = 2024
S, PR, PG, M, K = "strategy", "principle", "programme", "measure", "kpi"

# code, parent, kind, title, lead, partners, target, unit, deadline, weight, source, description
NODES: list[tuple[str, str, str, str, str, tuple[str, ...], Any, str, str, int, str, str]] = [
    ("S", "", S, "“2+5+10”总策略", "office", (), None, "", "", 0, "", "以双城建设为引擎、把握五个原则、实施十大工程。"),
    ("S1", "S", S, "全力铸造“双城”动力引擎", "office", ("tech", "projects"), None, "", "", 0, "",
     "北湖未来科学城和永春现代生物医药城“双城”建设。"),
    ("S1.1", "S1", M, "北湖未来科学城建设", "tech", ("projects",), None, "", "2024-12-31", 50, "",
     "打造创新要素与服务集聚的活力枢纽、产业技术转化应用的场景窗口。"),
    ("S1.2", "S1", M, "永春现代生物医药城建设", "projects", ("invest",), None, "", "2024-12-31", 50, "",
     "打造东北新质生产力培育的示范平台。"),
    ("P1", "S", PR, "以产业为基石，让高质量发展“聚链成势”", "office", (), None, "", "", 0, "", ""),
    ("P2", "S", PR, "向创新要活力，让高质量发展“聚峰成岭”", "office", (), None, "", "", 0, "", ""),
    ("P3", "S", PR, "视人才如珍宝，让高质量发展“聚智成军”", "office", (), None, "", "", 0, "", ""),
    ("P4", "S", PR, "与企业共成长，让高质量发展“聚川成海”", "office", (), None, "", "", 0, "", ""),
    ("P5", "S", PR, "以环境增优势，让高质量发展“聚品成景”", "office", (), None, "", "", 0, "", ""),
    # The ten programmes, equal weights.
    ("1", "S", PG, "经济实力跃升工程", "econ", ("stats",), None, "", "2024-12-31", 10, "", "奋力书写“乘势而上快发展”的新答卷。"),
    ("1.1", "1", K, "地区生产总值增速", "econ", ("stats",), None, "%", "2024-12-31", 40,
     "indicator.gdp.growth", "来自经济指标模块的全区 GDP 累计增速；目标取自经济指标的年度目标。"),
    ("1.2", "1", M, "“突出重点”抓好工业运行", "econ", (), None, "", "2024-12-31", 30, "",
     "统筹汽车及装备制造、生物医药、光电信息、新材料等重点产业发展。"),
    ("1.3", "1", M, "“打通堵点”加快服务业发展", "econ", ("invest",), None, "", "2024-12-31", 20, "",
     "推动聚财、吉智谷等一批新电商项目落位。"),
    ("1.4", "1", M, "“聚焦要点”实现普查数据颗粒归仓", "stats", ("econ",), None, "", "2024-10-31", 10, "", ""),
    ("2", "S", PG, "项目建设攻坚工程", "projects", ("invest",), None, "", "2024-12-31", 10, "", "奋力书写“量质齐升挑大梁”的新答卷。"),
    ("2.1", "2", K, "开复工 5000 万元以上项目", "projects", (), None, "个", "2024-12-31", 50,
     "indicator.projects_started.value", "全年开复工项目 240 个以上；经济指标自动取自项目建设台账，目标也在那里。"),
    ("2.2", "2", K, "重点项目投产运营", "projects", ("invest",), Decimal("4"), "个", "2024-12-31", 30, "",
     "航空轮胎、西安大医、长光博翔、妙可蓝多等项目投产运营。"),
    ("2.3", "2", M, "产业园区加快建设", "projects", (), None, "", "2024-12-31", 20, "",
     "精细化工产业园、传感器产业园、长智光谷二期、航天信息产业园二期加快建设。"),
    ("3", "S", PG, "招商引资突破工程", "invest", (), None, "", "2024-12-31", 10, "", "质量上实现“三个五”。"),
    ("3.1", "3", K, "入规入统项目", "invest", ("stats",), Decimal("50"), "个", "2024-12-31", 35,
     "investment.registered", "“三个五”之一；招商落地项目当年首次入统（项目建设台账的入库日期）或其企业当年入规（企业名录的入规年份），每个项目只计一次。"),
    ("3.2", "3", K, "高科技人才产业项目", "invest", ("talent",), Decimal("50"), "个", "2024-12-31", 30,
     "investment.talent_projects", "“三个五”之一；来自招商台账，按落地日期计。"),
    ("3.3", "3", K, "落位开工十亿元以上项目", "invest", ("projects",), Decimal("50"), "个", "2024-12-31", 35,
     "projects.started_1bn", "“三个五”之一；来自项目建设台账。"),
    ("4", "S", PG, "科技创新领跑工程", "tech", ("talent",), None, "", "2024-12-31", 10, "", "实现“515”创新裂变量目标。"),
    ("4.1", "4", K, "高能级项目", "tech", (), Decimal("50"), "个", "2024-12-31", 20,
     "innovation.high_level_projects", "“515”之一；来自科技创新的项目库，按立项日期计。"),
    ("4.2", "4", K, "标志性成果", "tech", (), Decimal("100"), "项", "2024-12-31", 20,
     "innovation.landmark_outcomes", "“515”之一；来自科技创新的项目成果，按取得日期计。"),
    ("4.3", "4", K, "院士型项目", "tech", ("talent",), Decimal("50"), "个", "2024-12-31", 20,
     "innovation.academician_projects", "“515”之一；来自科技创新的项目库，按立项日期计。"),
    ("4.4", "4", K, "高新技术企业总数", "tech", (), None, "户", "2024-12-31", 20,
     "indicator.high_tech_enterprises.value", "“梯次育主体”：企业名录的有效高企户数（经济指标自动取数），目标在经济指标；2023 年末 845 户。"),
    ("4.5", "4", K, "新增专精特新企业", "tech", (), Decimal("150"), "户", "2024-12-31", 20, "enterprises.srdi_new",
     "实施“昂首”“强基”“挖潜”企业梯次培育计划。"),
    ("5", "S", PG, "发展格局优化工程", "office", (), None, "", "2024-12-31", 10, "", "奋力书写“三区共进齐跃升”的新答卷。"),
    ("5.1", "5", M, "推动高新区引领型发展", "office", ("econ",), None, "", "2024-12-31", 40, "", ""),
    ("5.2", "5", M, "促进北湖区跨越式发展", "office", ("projects",), None, "", "2024-12-31", 30, "", ""),
    ("5.3", "5", M, "加快临空区特色化发展", "office", ("invest",), None, "", "2024-12-31", 30, "", ""),
    ("6", "S", PG, "对外合作引领工程", "invest", (), None, "", "2024-12-31", 10, "", "奋力书写“互联互通促开放”的新答卷。"),
    ("6.1", "6", K, "实际利用外资", "invest", (), None, "万美元", "2024-12-31", 50,
     "indicator.foreign_capital_used.value", "来自经济指标模块，目标也取自那里；2023 年为 2615 万美元。"),
    ("6.2", "6", M, "打好外贸、外资、外包、外经、外智“五外联动”组合拳", "invest", (), None, "", "2024-12-31", 50, "", ""),
    ("7", "S", PG, "发展环境提档升级工程", "business-env", (), None, "", "2024-12-31", 10, "", "奋力书写“政务服务创一流”的新答卷。"),
    ("7.1", "7", M, "出台新区营商环境 7.0 版方案", "business-env", ("office",), None, "", "2024-06-30", 30, "",
     "坚持“有事必到、无事不扰、闭环解决”。"),
    ("7.2", "7", K, "企业诉求满意率", "business-env", (), None, "%", "2024-12-31", 35,
     "indicator.service_satisfaction.value", "经济指标自动取自企业诉求模块（12345 口径），目标也在经济指标。"),
    ("7.3", "7", K, "企业诉求按时办结率", "business-env", (), None, "%", "2024-12-31", 35,
     "indicator.service_on_time.value", "经济指标自动取自企业诉求模块（12345 口径），目标也在经济指标。"),
    ("8", "S", PG, "城市品质提质工程", "office", (), None, "", "2024-12-31", 10, "", "奋力书写“人民生活更美好”的新答卷。"),
    ("8.1", "8", K, "商旅文体“四个百项活动”", "office", (), Decimal("400"), "项", "2024-12-31", 100, "", ""),
    ("9", "S", PG, "安全稳定巩固工程", "safety", (), None, "", "2024-12-31", 10, "", "奋力书写“坚定不移保安全”的新答卷。"),
    ("9.1", "9", M, "精准管控风险隐患，守住安全底线", "safety", (), None, "", "2024-12-31", 100, "", ""),
    ("10", "S", PG, "党建引领工程", "office", (), None, "", "2024-12-31", 10, "", "奋力书写“助力发展强保障”的新答卷。"),
    ("10.1", "10", M, "打造不折不扣抓落实的干部队伍", "office", (), None, "", "2024-12-31", 100, "", ""),
]  # fmt: skip

# Cumulative values reported for the manual KPIs, January to April 2024; later months go on at
# each KPI's own pace towards its target.
VALUES = {
    "2.2": ["0", "0", "1", "1"],
    "8.1": ["30", "62", "101", "138"],
}
TEXTS = {
    "progress": "本月按计划推进，已完成阶段性任务。",
    "problems": "要素保障仍有堵点，需相关部门协调。",
    "next_steps": "下月继续加快推进，按月调度。",
}
# Departments late with a month's report in 2024 (first submitted three days after the deadline);
# later years draw theirs.
LATE = {("invest", 3), ("tech", 2)}
LATE_SHARE = 0.06


def _measure(source: str, unit: str) -> str:
    """A fed KPI is scored as its figure's kind says; a hand-reported one by its unit."""
    fed = feeds.feed(source) if source else None
    if fed is not None and fed.measure:
        return fed.measure
    return Node.Measure.RATE if unit == "%" else Node.Measure.QUANTITY


@transaction.atomic
def load_demo_plan(*, users: dict[str, User], today: dt.date, last_month: dt.date, **_context: Any) -> int:
    """Create the 2024 plan and its successors once; running the demo again changes nothing."""
    if Plan.objects.filter(year=YEAR).exists():
        return 0
    office = users["demo-office-staff"]
    departments = {d.code: d for d in Department.objects.all()}
    plan = services.plan_save(actor=office, year=YEAR, title="2024年长春新区高质量发展总策略（2+5+10）")
    for order, (
        code,
        parent,
        kind,
        title,
        lead,
        partners,
        target,
        unit,
        deadline,
        weight,
        source,
        text,
    ) in enumerate(NODES, start=1):
        services.node_save(
            actor=office,
            plan=plan,
            partner_departments=[departments[p] for p in partners],
            parent=plan.nodes.get(code=parent) if parent else None,
            kind=kind,
            code=code,
            title=title,
            description=text,
            lead_department=departments[lead],
            target_value=target,
            unit=unit,
            deadline=dt.date.fromisoformat(deadline) if deadline else None,
            weight=Decimal(weight),
            source=source,
            direction=Node.Direction.HIGHER,
            measure=_measure(source, unit),
            sort_order=order,
        )
    staff: dict[str, User | None] = {
        "econ": users["demo-econ-staff"],
        "invest": users["demo-invest-staff"],
        "tech": users["demo-tech-staff"],
        "projects": users["demo-projects-staff"],
        "business-env": users["demo-service-clerk"],
        "safety": users["demo-safety-staff"],
        "office": office,
        "stats": None,  # no account: 统计局 reports nothing in the demo, and shows as late
    }
    heads = {
        "econ": users["demo-econ-head"],
        "invest": users["demo-invest-head"],
        "tech": users["demo-tech-head"],
        "projects": users["demo-projects-head"],
        "business-env": users["demo-service-head"],
        "safety": users["demo-safety-head"],
        "office": users["demo-office-head"],
    }
    rng = random.Random(YEAR)
    paces = {code: Decimal(str(rng.uniform(0.8, 1.08))) for code in VALUES}
    plans = [plan]
    for year in range(YEAR + 1, today.year + 1):
        plans.append(services.plan_copy(actor=office, source=plans[-1], year=year))
    for current in plans:
        months = (
            12
            if current.year < last_month.year
            else last_month.month
            if current.year == last_month.year
            else 0
        )
        for month in range(1, months + 1):
            _report_month(current, month, month == last_month.month and current.year == last_month.year,
                          staff, heads, departments, paces, rng)  # fmt: skip
        # The office closes a month's reporting once the month after next is being reported.
        for period in current.periods.filter(month__lt=_months_before(last_month, 1)):
            services.period_update(actor=office, period=period, deadline=period.deadline, closed=True)
    # What was done long ago was read long ago: only the notices of the reports still waiting for
    # a head are unread.
    Notification.objects.filter(key__startswith="plan-report-", read_at__isnull=True).exclude(
        key__in=_waiting_keys()
    ).update(read_at=timezone.now())
    _supervision(next(p for p in plans if p.year == last_month.year), users, today)
    return plan.nodes.count()


def _months_before(month: dt.date, n: int) -> dt.date:
    for _n in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _waiting_keys() -> list[str]:
    """The notices' keys of the reports submitted and not yet approved."""
    waiting = set(Report.objects.filter(status=Report.Status.SUBMITTED).values_list("pk", flat=True))
    return [
        key
        for key in Notification.objects.filter(key__startswith="plan-report-").values_list("key", flat=True)
        if int(key.split("-")[2]) in waiting
    ]


def _value(code: str, month: int, year: int, target: Decimal | None, pace: Decimal) -> str:
    """A manual KPI's cumulative value for ``month``: the 2024 figures above, then the KPI's pace
    towards its target."""
    if year == YEAR and month <= len(VALUES[code]):
        return VALUES[code][month - 1]
    base = target or Decimal(VALUES[code][-1]) * 3
    return str((base * pace * month / 12).quantize(Decimal(1), ROUND_HALF_UP))


def _report_month(
    plan: Plan,
    month: int,
    in_progress: bool,
    staff: dict[str, User | None],
    heads: dict[str, User],
    departments: dict[str, Department],
    paces: dict[str, Decimal],
    rng: random.Random,
) -> None:
    """Every department's report for ``month``, submitted and approved; in the month still in
    progress the projects centre is drafting and the others await their head's approval."""
    period = plan.periods.get(month__month=month)
    for code, reporter in staff.items():
        if reporter is None:
            continue
        nodes = services.reported_nodes(plan, departments[code].pk)
        lines = {
            n.pk: {
                "value": _value(n.code, month, plan.year, n.target_value, paces[n.code])
                if n.code in VALUES and not n.source
                else "",
                **TEXTS,
            }
            for n in nodes
        }
        report = services.report_save(
            actor=reporter, period=period, lines=lines, submit=not (in_progress and code == "projects")
        )
        if report.first_submitted_at is not None:
            on_time = dt.datetime.combine(
                period.deadline - dt.timedelta(days=1), dt.time(16), tzinfo=timezone.get_current_timezone()
            )
            late = (code, month) in LATE if plan.year == YEAR else rng.random() < LATE_SHARE
            Report.objects.filter(pk=report.pk).update(
                first_submitted_at=on_time + dt.timedelta(days=3) if late else on_time
            )
        if in_progress:
            continue
        report.refresh_from_db()
        if code == "tech" and month == 3 and plan.year == YEAR:  # returned once, corrected, approved
            services.report_return(actor=heads[code], report=report, reason="标志性成果请附清单")
            services.report_save(actor=reporter, period=period, lines=lines, submit=True)
            report.refresh_from_db()
        services.report_approve(actor=heads[code], report=report)


def _supervision(plan: Plan, users: dict[str, User], today: dt.date) -> None:
    """The leader puts the lagging "十亿元以上项目" under supervision (answered, concluded as done)
    and "高科技人才产业项目" too (still waiting for the bureau's response)."""
    leader = users["demo-leader"]
    due = today + dt.timedelta(days=14)
    done = services.supervision_open(
        actor=leader,
        node=plan.nodes.get(code="3.3"),
        requirement="十亿元以上项目落位开工明显滞后于序时进度，请于两周内报送项目清单和攻坚计划。",
        due_on=due,
    )
    services.supervision_act(
        actor=users["demo-invest-staff"],
        supervision=done,
        action="respond",
        comment="已梳理 12 个十亿元以上在谈项目，制定一项目一专班攻坚计划，附清单。",
    )
    services.supervision_act(
        actor=leader, supervision=done, action="conclude_done", comment="同意，按计划推进。"
    )
    services.supervision_open(
        actor=leader,
        node=plan.nodes.get(code="3.2"),
        requirement="高科技人才产业项目落地进度偏慢，请说明原因并提出追赶措施。",
        due_on=due,
    )
