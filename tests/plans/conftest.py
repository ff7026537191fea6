"""Fixtures shared by this module's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.plans.helpers import YEAR
from xinqu.core.models import Department
from xinqu.core.roles import Role
from xinqu.plans import services


@pytest.fixture
def office(db):
    return Department.objects.create(code="office", name="党政办公室")


@pytest.fixture
def clerk(make_user, office):
    return make_user("plan-clerk", Role.STAFF, office)


@pytest.fixture
def plan(clerk, econ, invest):
    plan = services.plan_save(actor=clerk, year=YEAR, title="2024年总策略")
    root = services.node_save(actor=clerk, plan=plan, kind="strategy", code="S", title="总策略")
    programme = services.node_save(
        actor=clerk, plan=plan, parent=root, kind="programme", code="3", title="招商引资突破工程", weight=100
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="kpi",
        code="3.1",
        title="入规入统项目",
        lead_department=invest,
        target_value=Decimal(50),
        unit="个",
        deadline=dt.date(YEAR, 12, 31),
        weight=60,
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="kpi",
        code="3.2",
        title="规上工业产值",
        lead_department=econ,
        target_value=Decimal(1000),
        unit="亿元",
        weight=40,
    )
    services.node_save(
        actor=clerk,
        plan=plan,
        parent=programme,
        kind="measure",
        code="3.3",
        title="招商专班",
        lead_department=invest,
    )
    return plan


@pytest.fixture
def invest_head(make_user, invest):
    return make_user("invest-head", Role.HEAD, invest)
