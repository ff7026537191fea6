"""The demo zone: Changchun New Area (长春新区), as its 2024 high-quality development conference
described it. Areas are the "三区"; the parks are the industrial parks and platforms the article
names (their assignment to areas is illustrative demo data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from xinqu.core.audit import audit_record
from xinqu.core.models import AuditEntry, ClosedMonth, Department, OrgUnit, User
from xinqu.core.modules import demo_loaders
from xinqu.core.periods import last_finished_month
from xinqu.core.roles import Role
from xinqu.core.services import period_close
from xinqu.updates.models import WorkUpdate

ZONE = ("changchun-new-area", "长春新区", "Changchun New Area")

# code, name, English name, parks: (code, name, English name, flagship)
AREAS: list[tuple[str, str, str, list[tuple[str, str, str, bool]]]] = [
    (
        "gaoxin",
        "高新区",
        "High-tech Area",
        [
            ("yongchun-biomed-city", "永春现代生物医药城", "Yongchun Modern Biomedicine City", True),
            ("changzhi-optics-valley", "长智光谷", "Changzhi Optics Valley", False),
            ("aerospace-info-park", "航天信息产业园", "Aerospace Information Industrial Park", False),
            ("ricoh-park", "理光产业园", "Ricoh Industrial Park", False),
        ],
    ),
    (
        "beihu",
        "北湖区",
        "Beihu Area",
        [
            ("beihu-future-science-city", "北湖未来科学城", "Beihu Future Science City", True),
            ("sino-russian-tech-park", "中俄科技园", "Sino-Russian Science and Technology Park", False),
            ("sensor-park", "传感器产业园", "Sensor Industrial Park", False),
            ("ji-nobel-tech-park", "吉诺贝尔科技园", "Ji-Nobel Science and Technology Park", False),
        ],
    ),
    (
        "linkong",
        "临空区",
        "Airport Economic Area",
        [
            ("fine-chemicals-park", "精细化工产业园", "Fine Chemicals Industrial Park", False),
            ("jixing-park", "吉兴产业园", "Jixing Industrial Park", False),
        ],
    ),
]

DEPARTMENTS: list[tuple[str, str, str]] = [
    ("office", "党政办公室", "General Office"),
    ("econ", "经济发展局", "Economic Development Bureau"),
    ("invest", "招商局", "Investment Promotion Bureau"),
    ("tech", "科技创新局", "Science and Technology Innovation Bureau"),
    ("projects", "重点项目服务中心", "Key Projects Service Centre"),
    (
        "business-env",
        "营商环境建设局（企业服务中心）",
        "Business Environment Bureau (Enterprise Service Centre)",
    ),
    ("safety", "应急管理局", "Emergency Management Bureau"),
    ("stats", "统计局", "Statistics Bureau"),
    ("finance", "财政局", "Finance Bureau"),
    ("talent", "人才工作局", "Talent Bureau"),
]

# username, full name, role, department code
ACCOUNTS: list[tuple[str, str, str, str | None]] = [
    ("demo-leader", "王主任（演示）", Role.LEADER, None),
    ("demo-leader-li", "李副主任（演示）", Role.LEADER, None),
    ("demo-leader-zhao", "赵副主任（演示）", Role.LEADER, None),
    ("demo-econ-staff", "李明（演示）", Role.STAFF, "econ"),
    ("demo-econ-head", "张局长（演示）", Role.HEAD, "econ"),
    ("demo-invest-staff", "赵敏（演示）", Role.STAFF, "invest"),
    ("demo-service-clerk", "陈静（演示）", Role.STAFF, "business-env"),
    ("demo-projects-staff", "孙磊（演示）", Role.STAFF, "projects"),
    ("demo-safety-staff", "周强（演示）", Role.STAFF, "safety"),
    ("demo-safety-head", "吴局长（演示）", Role.HEAD, "safety"),
    ("demo-office-staff", "刘洋（演示）", Role.STAFF, "office"),
    ("demo-office-head", "郑主任（演示）", Role.HEAD, "office"),
    ("demo-invest-head", "钱局长（演示）", Role.HEAD, "invest"),
    ("demo-tech-staff", "林峰（演示）", Role.STAFF, "tech"),
    ("demo-tech-head", "何局长（演示）", Role.HEAD, "tech"),
    ("demo-projects-head", "冯主任（演示）", Role.HEAD, "projects"),
    ("demo-service-head", "蒋局长（演示）", Role.HEAD, "business-env"),
    ("demo-stats-head", "杨局长（演示）", Role.HEAD, "stats"),
    ("demo-sysadmin", "系统管理员（演示）", Role.SYSTEM_ADMIN, None),
    ("demo-secadmin", "安全管理员（演示）", Role.SECURITY_ADMIN, None),
    ("demo-auditor", "审计管理员（演示）", Role.AUDIT_ADMIN, None),
]

# department, author, reviewer, title, body, date, status, confidential
UPDATES: list[tuple[str, str, str | None, str, str, dt.date, str, bool]] = [
    (
        "econ",
        "demo-econ-staff",
        "demo-econ-head",
        "2023年新区经济运行情况",
        "2023年，长春新区地区生产总值完成913亿元，增长7.2%；规上工业产值905.4亿元，增长8.7%；"
        "固定资产投资143.8亿元，增长15.2%；社会消费品零售总额170.3亿元，增长13.5%。"
        "GDP和规上工业产值总量突破“双九百”。",
        dt.date(2024, 1, 20),
        WorkUpdate.Status.APPROVED,
        False,
    ),
    (
        "econ",
        "demo-econ-staff",
        "demo-econ-head",
        "召开全区高质量发展大会",
        "2月23日，新区召开全区高质量发展大会，部署实施“2+5+10”总策略：以双城建设为引擎、把握五个原则、实施十大工程。",
        dt.date(2024, 2, 23),
        WorkUpdate.Status.APPROVED,
        False,
    ),
    (
        "econ",
        "demo-econ-staff",
        None,
        "一季度工业运行调度情况",
        "重点调度汽车及装备制造、生物医药、光电信息、新材料等产业骨干企业，材料待部门负责人审核。",
        dt.date(2024, 4, 8),
        WorkUpdate.Status.SUBMITTED,
        False,
    ),
    (
        "invest",
        "demo-invest-staff",
        "demo-econ-head",
        "2023年招商引资成效",
        "全年落地项目128个，利用内资269亿元、外资2615万美元；开复工5000万元以上项目147个，产业项目占比76.3%。",
        dt.date(2024, 1, 25),
        WorkUpdate.Status.APPROVED,
        False,
    ),
    (
        "invest",
        "demo-invest-staff",
        None,
        "重点在谈项目情况（内部）",
        "“三个五”目标：入规入统项目50个、高科技人才产业项目50个、落位开工十亿元以上项目50个。在谈项目名单仅限本局掌握。",
        dt.date(2024, 3, 1),
        WorkUpdate.Status.DRAFT,
        True,
    ),
]


def _recent_updates(today: dt.date, last_month: dt.date, closed: dt.date) -> list[tuple[Any, ...]]:
    """The work updates of the last weeks, dated from the demo's day."""
    closed_label = f"{closed.year}年{closed.month}月"
    last_label = f"{last_month.year}年{last_month.month}月"
    return [
        (
            "econ",
            "demo-econ-staff",
            "demo-econ-head",
            f"{closed_label}全区经济运行情况",
            f"统计局已完成{closed_label}关账。主要指标总体平稳，规上工业产值、固定资产投资按月调度，"
            "落后序时进度的指标已列入下月调度会议题。",
            today - dt.timedelta(days=12),
            WorkUpdate.Status.APPROVED,
            False,
        ),
        (
            "projects",
            "demo-projects-staff",
            "demo-projects-head",
            f"{last_label}重点项目推进情况",
            "重点项目按月填报投资完成情况，个别项目未按时报送月报，已电话催报；项目堵点已派相关部门协调。",
            today - dt.timedelta(days=3),
            WorkUpdate.Status.APPROVED,
            False,
        ),
        (
            "econ",
            "demo-econ-staff",
            None,
            f"{last_label}工业运行调度情况",
            "重点调度汽车及装备制造、生物医药、光电信息、新材料等产业骨干企业，材料待部门负责人审核。",
            today - dt.timedelta(days=1),
            WorkUpdate.Status.SUBMITTED,
            False,
        ),
    ]


def demo_password() -> str:
    password: str = settings.DEMO_PASSWORD
    validate_password(password)
    return password


DEMO_CLOSED_FROM = dt.date(2023, 1, 1)
EARLIEST_DAY = dt.date(2024, 3, 1)  # the conference's plan must lie in the past


def demo_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The demo's last month (its returns and reports are coming in now) and the month before it,
    the last the statistics office has closed: on 2 December the October figures are published
    and November's returns are being filled in."""
    last = last_finished_month(today)
    return last, last_finished_month(last)


def _close_months(head: User, closed_through: dt.date) -> None:
    """The statistics office has closed every month from January 2023 on, which wrote the fed
    figures (高企 from the registry, 开复工 and 落地 from the ledger …) into the indicators: the
    demo's reporting period, every page's default "as of", is the month before last."""
    if ClosedMonth.objects.exists():
        return
    month = DEMO_CLOSED_FROM
    while month <= closed_through:
        period_close(actor=head, month=month)
        month = (month + dt.timedelta(days=32)).replace(day=1)


@transaction.atomic
def load_demo_zone(*, skip: Collection[str] = ()) -> dict[str, Any]:
    """Create or refresh the demo zone, as it stands on today's date: 2023 as the conference
    report gives it, 2024's plan as it lays it out, and every year since generated up to last
    month. Running it again changes nothing that is already there."""
    password = demo_password()
    today = timezone.localdate()
    if today < EARLIEST_DAY:
        raise ValueError(f"the demo zone needs a date from {EARLIEST_DAY} on, not {today}")
    last_month, closed_through = demo_months(today)
    zone, _ = OrgUnit.objects.update_or_create(
        code=ZONE[0],
        defaults={"kind": OrgUnit.Kind.ZONE, "name": ZONE[1], "name_en": ZONE[2], "parent": None},
    )
    for a_order, (code, name, name_en, parks) in enumerate(AREAS, start=1):
        area, _ = OrgUnit.objects.update_or_create(
            code=code,
            defaults={
                "kind": OrgUnit.Kind.AREA,
                "name": name,
                "name_en": name_en,
                "parent": zone,
                "sort_order": a_order,
            },
        )
        for p_order, (p_code, p_name, p_name_en, flagship) in enumerate(parks, start=1):
            OrgUnit.objects.update_or_create(
                code=p_code,
                defaults={
                    "kind": OrgUnit.Kind.PARK,
                    "name": p_name,
                    "name_en": p_name_en,
                    "parent": area,
                    "is_flagship": flagship,
                    "sort_order": p_order,
                },
            )
    departments = {}
    for order, (code, name, name_en) in enumerate(DEPARTMENTS, start=1):
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order, "is_active": True}
        )
    users = {}
    created_users = 0
    for username, full_name, role, dept in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "department": departments[dept] if dept else None,
                "must_change_password": False,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created_users += 1
        users[username] = user
    for dept, author, reviewer, title, body, day, status, confidential in [
        *UPDATES,
        *_recent_updates(today, last_month, closed_through),
    ]:
        WorkUpdate.objects.get_or_create(
            department=departments[dept],
            title=title,
            defaults={
                "body": body,
                "happened_on": day,
                "status": status,
                "confidential": confidential,
                "author": users[author],
                "reviewed_by": users[reviewer] if reviewer and status == WorkUpdate.Status.APPROVED else None,
            },
        )
    # Each module loads its own part, in the order its AppConfig gives (xinqu.core.modules).
    for label, loader in demo_loaders():
        if label in skip:
            continue
        loader(
            users=users,
            departments=departments,
            today=today,
            last_month=last_month,
            closed_through=closed_through,
        )
    _close_months(users["demo-stats-head"], closed_through)
    audit_record(actor=None, action=AuditEntry.Action.CREATE, object_type="demo", detail="demo zone loaded")
    return {
        "zone": zone,
        "accounts": [a[0] for a in ACCOUNTS],
        "created_users": created_users,
        "password": password,
    }
