"""Factories beside the personas (tests/conftest.py): one record of each business kind, built
through the services where the services keep derived facts (workflow items, tallies), directly
where a row is all there is. Each takes what it needs and makes the rest up, deterministically."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from xinqu.core.models import Department, OrgUnit, User
from xinqu.demo.generator import credit_code
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    Visit,
)
from xinqu.indicators.models import Submission
from xinqu.projects.models import Project
from xinqu.safety import services as safety
from xinqu.service_requests import services as requests
from xinqu.service_requests.models import Category
from xinqu.updates.models import WorkUpdate

_serial = itertools.count(1)
_codes = random.Random(20261201)


def enterprise(department: Department, **fields: Any) -> Enterprise:
    n = next(_serial)
    fields.setdefault("name", f"测试企业{n}有限公司")
    return Enterprise.objects.create(credit_code=credit_code(_codes), department=department, **fields)


def qualification(of: Enterprise, **fields: Any) -> Qualification:
    kind = QualificationKind.objects.get_or_create(code="high_tech", defaults={"name": "高新技术企业"})[0]
    fields.setdefault("granted_on", dt.date(2025, 1, 1) + dt.timedelta(days=next(_serial)))
    return Qualification.objects.create(enterprise=of, kind=kind, department=of.department, **fields)


def visit(of: Enterprise, by: User, **fields: Any) -> Visit:
    fields.setdefault("visited_on", dt.date(2026, 3, 1))
    fields.setdefault("kind", "service")
    fields.setdefault("purpose", "走访")
    return Visit.objects.create(enterprise=of, recorded_by=by, department=by.department, **fields)


def chain_node() -> IndustryNode:
    cluster = IndustryNode.objects.get_or_create(kind="cluster", name="光电信息", parent=None)[0]
    chain = IndustryNode.objects.get_or_create(kind="chain", name="光电材料", parent=cluster)[0]
    return IndustryNode.objects.get_or_create(
        kind="node", name="衬底", parent=chain, defaults={"segment": "up"}
    )[0]


def place(of: Enterprise) -> ChainPosition:
    return ChainPosition.objects.create(enterprise=of, node=chain_node())


def work_update(author: User, **fields: Any) -> WorkUpdate:
    fields.setdefault("title", f"工作动态{next(_serial)}")
    fields.setdefault("status", "approved")
    fields.setdefault("reviewed_by", author)
    return WorkUpdate.objects.create(
        department=author.department, author=author, body="正文", happened_on=dt.date(2026, 3, 1), **fields
    )


def submission(by: User, period: dt.date) -> Submission:
    return Submission.objects.create(department=by.department, period=period, created_by=by)


def service_request(clerk: User, to: Department) -> Any:
    request, _token = requests.request_file(
        actor=clerk,
        category=Category.objects.get(name="水电气暖"),
        enterprise_name=f"诉求企业{next(_serial)}",
        contact_name="刘经理",
        contact_phone="13800000000",
        description="用电增容",
    )
    requests.request_act(actor=clerk, request=request, action="accept")
    requests.request_act(actor=clerk, request=request, action="dispatch", department=to)
    return request


def hazard(inspector: User, of: Enterprise) -> Any:
    return safety.hazard_report(
        actor=inspector,
        enterprise=of,
        level="general",
        location="仓库",
        description="通道堵塞",
        inspected_on=dt.date(2026, 3, 3),
    )


def project(department: Department, area: OrgUnit, **fields: Any) -> Project:
    n = next(_serial)
    fields.setdefault("total_investment", 10000 + n)
    return Project.objects.create(
        code=f"P-{n}", name=f"测试项目{n}", kind="industrial", area=area, department=department, **fields
    )
