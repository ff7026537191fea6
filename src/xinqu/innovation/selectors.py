"""Reading the innovation registry as one user may: platforms with their current level, and the
counts the figure register gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xinqu.innovation.models import (
    LEVEL_ORDER,
    AssessmentRule,
    InnovationProject,
    Outcome,
    Platform,
    Recognition,
    Talent,
    TalentCategory,
)
from xinqu.innovation.rules import level_on

EXPIRING_DAYS = 90


def platforms_for(user: Any) -> QuerySet[Platform]:
    return (
        Platform.objects.visible_to(user)
        .select_related("operator", "park", "chain_node__parent", "department")
        .prefetch_related(
            Prefetch("recognitions", queryset=Recognition.objects.order_by("recognised_on", "id"))
        )
    )


def platform_for(user: Any, pk: int) -> Platform:
    return get_object_or_404(platforms_for(user), pk=pk)


def _valid_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}recognised_on__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def filtered(user: Any, params: Any, today: dt.date | None = None) -> QuerySet[Platform]:
    """The list's platforms: by kind, current level, park, name or operator, and 即将到期 (a valid
    recognition ending within 90 days) or 已失效 (none valid today)."""
    today = today or timezone.localdate()
    found = platforms_for(user)
    if params.get("kind") in Platform.Kind.values:
        found = found.filter(kind=params["kind"])
    level = params.get("level")
    if level in LEVEL_ORDER:
        found = found.filter(level_q(level, today))
    if str(params.get("park") or "").isdigit():
        found = found.filter(park_id=int(params["park"]))
    text = (params.get("q") or "").strip()
    if text:
        found = found.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(institution__icontains=text)
            | Q(operator__name__icontains=text)
        )
    status = params.get("status")
    valid = Recognition.objects.filter(_valid_q(today), platform=OuterRef("pk"))
    if status == "expiring":
        found = found.filter(Exists(valid.filter(valid_until__lte=today + dt.timedelta(days=EXPIRING_DAYS))))
    elif status == "lapsed":
        found = found.exclude(Exists(valid))
    return found


def level_q(level: str, day: dt.date) -> Q:
    """Platforms whose highest valid level on ``day`` is ``level``."""
    valid = Recognition.objects.filter(_valid_q(day), platform=OuterRef("pk"))
    higher = LEVEL_ORDER[: LEVEL_ORDER.index(level)]
    q = Q(Exists(valid.filter(level=level)))
    if higher:
        q &= ~Q(Exists(valid.filter(level__in=higher)))
    return q


def counted(day: dt.date, level: str = "") -> QuerySet[Platform]:
    """Every platform valid on ``day`` (at ``level``, its highest then, when given): the zone's
    figure, whoever reads it."""
    if level:
        return Platform.objects.filter(level_q(level, day))
    return Platform.objects.filter(Exists(Recognition.objects.filter(_valid_q(day), platform=OuterRef("pk"))))


def current_level(platform: Platform, day: dt.date | None = None) -> str:
    return level_on(platform.recognitions.all(), day or timezone.localdate())


def assessment_rule() -> AssessmentRule:
    return AssessmentRule.objects.first() or AssessmentRule()


def projects_for(user: Any) -> QuerySet[InnovationProject]:
    return InnovationProject.objects.visible_to(user).select_related("enterprise", "platform", "department")


def project_for(user: Any, pk: int) -> InnovationProject:
    return get_object_or_404(projects_for(user), pk=pk)


def projects_filtered(user: Any, params: Any) -> QuerySet[InnovationProject]:
    found = projects_for(user)
    if params.get("kind") in InnovationProject.Kind.values:
        found = found.filter(kind=params["kind"])
    if str(params.get("year") or "").isdigit():
        found = found.filter(started_on__year=int(params["year"]))
    if params.get("status") == "running":
        found = found.filter(ended_on__isnull=True)
    elif params.get("status") == "ended":
        found = found.filter(ended_on__isnull=False)
    text = (params.get("q") or "").strip()
    if text:
        found = found.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(institution__icontains=text)
            | Q(enterprise__name__icontains=text)
        )
    # A GROUP BY query drops Meta.ordering: the list's order is given again.
    return found.annotate(
        outcome_count=Count("outcomes"), landmark_count=Count("outcomes", filter=Q(outcomes__landmark=True))
    ).order_by("-started_on", "-id")


def started_in(year: int, as_of: dt.date, kind: str = "") -> QuerySet[InnovationProject]:
    """Projects started (立项) in ``year`` up to ``as_of``, of ``kind`` when given: the zone's figure."""
    found = InnovationProject.objects.filter(started_on__year=year, started_on__lte=as_of)
    return found.filter(kind=kind) if kind else found


def landmarks_in(year: int, as_of: dt.date) -> QuerySet[Outcome]:
    return Outcome.objects.filter(
        landmark=True, achieved_on__year=year, achieved_on__lte=as_of
    ).select_related("project")


def talents_for(user: Any) -> QuerySet[Talent]:
    return Talent.objects.visible_to(user).select_related(
        "programme", "host_enterprise", "host_platform", "lead", "department"
    )


def talent_for(user: Any, pk: int) -> Talent:
    return get_object_or_404(talents_for(user), pk=pk)


def talents_filtered(user: Any, params: Any) -> QuerySet[Talent]:
    found = talents_for(user)
    if str(params.get("programme") or "").isdigit():
        found = found.filter(programme_id=int(params["programme"]))
    if params.get("category") in TalentCategory.values:
        found = found.filter(programme__category=params["category"])
    text = (params.get("q") or "").strip()
    if text:
        found = found.filter(Q(name__icontains=text) | Q(host_enterprise__name__icontains=text))
    return found.annotate(paid=Sum("payments__amount")).order_by("-recruited_on", "-id")


def recruited_in(year: int, as_of: dt.date, category: str = "") -> QuerySet[Talent]:
    found = Talent.objects.filter(recruited_on__year=year, recruited_on__lte=as_of)
    return found.filter(programme__category=category) if category else found
