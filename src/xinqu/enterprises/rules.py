"""The registry's rules: qualification validity, the "无事不扰" visit rules and the tier rules."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from xinqu.enterprises.models import Enterprise, Tier, Visit, VisitRule


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def visit_breaches(
    *, enterprise: Enterprise, visited_on: dt.date, kind: str, announced: bool, rules: VisitRule
) -> list[str]:
    """The rules a new visit would break, as sentences; empty when it breaks none."""
    breaches: list[str] = []
    if enterprise.is_quiet and rules.quiet_requires_announcement and not announced:
        breaches.append(_("该企业为“无事不扰”企业，只接受事先告知的走访"))
    if enterprise.pk is None:
        return breaches
    visits = Visit.objects.filter(enterprise_id=enterprise.pk)
    if kind == Visit.Kind.INSPECTION and rules.max_inspections_per_year is not None:
        done = visits.filter(kind=Visit.Kind.INSPECTION, visited_on__year=visited_on.year).count()
        if done >= rules.max_inspections_per_year:
            breaches.append(
                _("%(year)d 年全区已对该企业检查 %(done)d 次，达到上限 %(limit)d 次")
                % {"year": visited_on.year, "done": done, "limit": rules.max_inspections_per_year}
            )
    if rules.max_visits_per_month is not None:
        done = visits.filter(visited_on__year=visited_on.year, visited_on__month=visited_on.month).count()
        if done >= rules.max_visits_per_month:
            breaches.append(
                _("%(month)s 已走访该企业 %(done)d 次，达到每月上限 %(limit)d 次")
                % {"month": visited_on.strftime("%Y-%m"), "done": done, "limit": rules.max_visits_per_month}
            )
    return breaches


def growth_pct(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None or previous <= 0:
        return None
    return (current / previous - 1) * 100


def matching_tier(
    tiers: Iterable[Tier],
    *,
    revenue: Decimal | None,
    growth: Decimal | None,
    held_kind_ids: set[int],
    tier_kind_ids: dict[int, set[int]],
) -> Tier | None:
    """The highest tier whose every set threshold the enterprise meets. A threshold that needs a
    figure the enterprise has not reported is not met."""
    for tier in sorted(tiers, key=lambda t: -t.rank):
        if tier.min_revenue is not None and (revenue is None or revenue < tier.min_revenue):
            continue
        if tier.min_growth_pct is not None and (growth is None or growth < tier.min_growth_pct):
            continue
        kinds = tier_kind_ids.get(tier.pk, set())
        if kinds and not kinds & held_kind_ids:
            continue
        return tier
    return None
