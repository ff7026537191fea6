"""The plan's pure predicates."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from xinqu.core.access import member_of


def is_office(user: Any) -> bool:
    """Staff and heads of the plan office (XINQU_PLAN_OFFICE), who keep the plan."""
    return member_of(user, settings.PLAN_OFFICE_DEPARTMENT)
