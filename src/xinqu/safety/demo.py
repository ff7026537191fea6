"""Demo work-safety hazards: ten found by inspections over the half-year before the demo's day,
the older ones rectified and closed (销号) by a second person, the recent ones still being
rectified or checked, and one major hazard a few days past its deadline and under supervision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinqu.core.models import Notification, User
from xinqu.enterprises.models import Enterprise
from xinqu.safety.models import Hazard
from xinqu.workflow import engine

# location, description, level, how far it goes, found how many days before the demo's day
HAZARDS = [
    ("危化品仓库", "消防通道被货物堵塞", "general", "closed", 180),
    ("配电室", "电缆桥架盖板缺失，线缆裸露", "general", "closed", 160),
    ("喷涂车间", "通风设施未开启，可燃气体浓度偏高", "major", "overdue", 24),
    ("锅炉房", "安全阀校验过期", "general", "closed", 130),
    ("厂区道路", "叉车限速标识缺失", "general", "rectifying", 9),
    ("实验室", "危化品未分类存放", "general", "submitted", 12),
    ("冲压车间", "设备防护罩拆除未恢复", "general", "closed", 95),
    ("员工宿舍", "私拉电线充电", "general", "reported", 2),
    ("储罐区", "可燃气体报警器失效", "major", "closed", 70),
    ("仓库", "应急照明损坏", "general", "closed", 40),
]


@transaction.atomic
def load_demo_hazards(*, users: dict[str, User], today: dt.date, **_context: Any) -> int:
    if Hazard.objects.exists():
        return 0
    inspector, colleague = users["demo-safety-staff"], users["demo-safety-head"]
    handler = users["demo-econ-staff"]
    enterprises = list(Enterprise.objects.order_by("id")[: len(HAZARDS)])
    for (location, description, level, goes, days_ago), enterprise in zip(HAZARDS, enterprises, strict=False):
        day = today - dt.timedelta(days=days_ago)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        item = engine.item_open(
            kind=engine.KINDS["hazard"],
            title=f"{enterprise.name}：{location}",
            actor=inspector,
            org_unit_id=enterprise.area_id,
            comment=description,
            now=at,
        )
        Hazard.objects.create(
            item=item,
            enterprise=enterprise,
            level=level,
            location=location,
            description=description,
            reporter=inspector,
        )
        if level == "major":
            engine.escalate(item=item, level=1, reason="重大隐患，挂牌督办", now=at)
        if goes == "reported":
            continue
        later = at + dt.timedelta(days=1)
        engine.item_act(
            item=item,
            action="assign",
            actor=inspector,
            department=handler.department,
            data={"owner": "企业安全负责人"},
            now=later,
            due_on=day + dt.timedelta(days=14),
        )
        if goes in {"rectifying", "overdue"}:
            continue
        engine.item_act(
            item=item,
            action="submit_evidence",
            actor=handler,
            comment="已整改，附整改前后照片",
            now=later + dt.timedelta(days=7),
        )
        if goes == "submitted":
            continue
        engine.item_act(
            item=item,
            action="verify",
            actor=colleague,
            comment="现场复核合格，予以销号",
            now=later + dt.timedelta(days=9),
        )
    # The notices about hazards since closed were read at the time.
    closed = Hazard.objects.filter(item__state="closed").values_list("item_id", flat=True)
    Notification.objects.filter(read_at__isnull=True).filter(
        Q(key__in=[f"major-hazard-{pk}" for pk in closed])
        | Q(key__regex=rf"^hazard-evidence-({'|'.join(str(pk) for pk in closed) or '0'})-")
    ).update(read_at=timezone.now())
    return len(HAZARDS)
