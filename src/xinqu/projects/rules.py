"""The ledger's pure predicates."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from xinqu.core.access import member_of


def is_centre(user: Any) -> bool:
    """Staff and heads of the projects centre (XINQU_PROJECTS_CENTRE), who keep the ledger."""
    return member_of(user, settings.PROJECTS_CENTRE_DEPARTMENT)
