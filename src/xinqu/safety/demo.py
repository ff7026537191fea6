"""Demo work-safety hazards: a dozen inspections in 2024, most rectified and closed (销号) by a
second person, some still being rectified, and one major hazard overdue and under supervision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinqu.core.models import User
from xinqu.enterprises.models import Enterprise
from xinqu.safety.models import Hazard
from xinqu.workflow import engine

# location, description, level, how far it goes
HAZARDS = [
    ("危化品仓库", "消防通道被货物堵塞", "general", "closed"),
    ("配电室", "电缆桥架盖板缺失，线缆裸露", "general", "closed"),
    ("喷涂车间", "通风设施未开启，可燃气体浓度偏高", "major", "overdue"),
    ("锅炉房", "安全阀校验过期", "general", "closed"),
    ("厂区道路", "叉车限速标识缺失", "general", "rectifying"),
    ("实验室", "危化品未分类存放", "general", "submitted"),
    ("冲压车间", "设备防护罩拆除未恢复", "general", "closed"),
    ("员工宿舍", "私拉电线充电", "general", "reported"),
    ("储罐区", "可燃气体报警器失效", "major", "closed"),
    ("仓库", "应急照明损坏", "general", "closed"),
]


@transaction.atomic
def load_demo_hazards(*, users: dict[str, User], **_context: Any) -> int:
    if Hazard.objects.exists():
        return 0
    inspector, colleague = users["demo-safety-staff"], users["demo-safety-head"]
    handler = users["demo-econ-staff"]
    enterprises = list(Enterprise.objects.order_by("id")[: len(HAZARDS)])
    for n, ((location, description, level, goes), enterprise) in enumerate(
        zip(HAZARDS, enterprises, strict=False)
    ):
        day = dt.date(2024, 3, 4) + dt.timedelta(days=21 * n)
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
    return len(HAZARDS)
