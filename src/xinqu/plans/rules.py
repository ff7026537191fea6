"""The plan's pure predicates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from xinqu.core.access import member_of
from xinqu.plans.models import Node

# What a lead department reports on monthly.
REPORTED_KINDS = {Node.Kind.MEASURE, Node.Kind.KPI}


def is_office(user: Any) -> bool:
    """Staff and heads of the plan office (XINQU_PLAN_OFFICE), who keep the plan."""
    return member_of(user, settings.PLAN_OFFICE_DEPARTMENT)


def rate_points(gap: Decimal, *, per_point: Decimal, cap: Decimal, lower: bool = False) -> Decimal:
    """A rate KPI's points from its gap to target in 百分点: 100 at the target, ± ``per_point`` for
    each point above or below (for a lower-is-better rate, below is better), within 0 and ``cap``."""
    ahead = -gap if lower else gap
    return min(max(Decimal(100) + ahead * per_point, Decimal(0)), cap)
