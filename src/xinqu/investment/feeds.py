"""The figures investment attraction gives the register: signings, their amount, and paid-in
capital, domestic and foreign. Landed projects are the ledger's (projects.landed): one source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Case, F, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import Fed, Feed, Record, records_of
from xinqu.enterprises.models import Enterprise
from xinqu.investment.models import Lead
from xinqu.investment.selectors import paid_in
from xinqu.projects.models import Project

HUNDRED_MILLION = Decimal(10_000)  # 万元 in a 亿元
MASKED = _("保密项目")


def _signed(year: int, as_of: dt.date) -> QuerySet[Lead]:
    return Lead.objects.filter(signed_on__year=year, signed_on__lte=as_of).order_by("signed_on", "code")


def _records(leads: QuerySet[Lead]) -> Callable[[], list[Record]]:
    return records_of(
        leads,
        lambda lead: Record(
            str(MASKED) if lead.confidential else f"{lead.code} {lead.name}",
            "" if lead.confidential else reverse("investment:detail", args=[lead.pk]),
            f"{lead.contract_cny or 0:,.0f}",
        ),
    )


def signed_count(year: int, as_of: dt.date) -> Fed:
    found = _signed(year, as_of)
    count = found.count()
    return Fed(Decimal(count), _records(found), count)


def signed_amount(year: int, as_of: dt.date) -> Fed:
    found = _signed(year, as_of)
    total = found.aggregate(s=Sum("contract_cny"))["s"] or Decimal(0)
    return Fed((total / HUNDRED_MILLION).quantize(Decimal("0.01")), _records(found), found.count())


def signed_1bn(year: int, as_of: dt.date) -> Fed:
    found = _signed(year, as_of).filter(contract_cny__gte=100_000)
    count = found.count()
    return Fed(Decimal(count), _records(found), count)


def _paid_in_url(year: int) -> str:
    return f"{reverse('investment:funnel')}?year={year}"


def paid_in_domestic(year: int, as_of: dt.date) -> Fed:
    total = paid_in(None, year, as_of, foreign=False)
    label = _("%(year)s 年到位内资，按线索") % {"year": year}
    return Fed((total / HUNDRED_MILLION).quantize(Decimal("0.01")), [Record(str(label), _paid_in_url(year))])


def paid_in_foreign(year: int, as_of: dt.date) -> Fed:
    total = paid_in(None, year, as_of, foreign=True)
    label = _("%(year)s 年到位外资，按线索") % {"year": year}
    return Fed(total.quantize(Decimal("0.01")), [Record(str(label), _paid_in_url(year))])


def registered(year: int, as_of: dt.date) -> Fed:
    """Landed leads that came into the statistics (入规入统) in the year: one of the "三个五".

    A lead counts once, in the year of the first of two events after it landed: its project
    entered the fixed-asset investment statistics (入统, the ledger's 入库（入统）日期), or its
    enterprise entered the above-scale list (入规, the registry's 入规年份). An enterprise that
    was above scale before the lead landed brings no 入规; a later event adds nothing."""
    if year > as_of.year:
        return Fed(Decimal(0))
    # Only a lead whose project entered the statistics in the year, or whose enterprise entered
    # the above-scale list in it, can count: both small sets, read from their indexes before the
    # rules below look at the lead's project and enterprise.
    entered_now = Project.objects.filter(
        registered_on__range=(dt.date(year, 1, 1), min(as_of, dt.date(year, 12, 31)))
    )
    listed_now = Enterprise.objects.filter(above_scale=True, above_scale_year=year)
    candidates = Q(project__in=entered_now.values("pk")) | Q(enterprise__in=listed_now.values("pk"))
    leads = Lead.objects.filter(candidates, landed_on__isnull=False).annotate(
        landed_year=ExtractYear("landed_on"),
        entered_year=ExtractYear("project__registered_on"),
        listed_year=Case(
            When(
                enterprise__above_scale=True,
                enterprise__above_scale_year__gte=F("landed_year"),
                then=F("enterprise__above_scale_year"),
            ),
            default=None,
        ),
    )
    entered = Q(entered_year=year, project__registered_on__lte=as_of) & (
        Q(listed_year__isnull=True) | Q(listed_year__gte=year)
    )
    listed = Q(listed_year=year) & (Q(entered_year__isnull=True) | Q(entered_year__gte=year))
    found = leads.filter(entered | listed).order_by("landed_on", "code")
    count = found.count()
    return Fed(Decimal(count), _records(found), count)


def talent_projects(year: int, as_of: dt.date) -> Fed:
    """Leads marked 高科技人才产业项目 that landed (registered here) in the year: one of the "三个五"."""
    found = Lead.objects.filter(talent_project=True, landed_on__year=year, landed_on__lte=as_of).order_by(
        "landed_on", "code"
    )
    count = found.count()
    return Fed(Decimal(count), _records(found), count)


FEEDS = [
    Feed("investment.signed", _("当年签约项目（个，招商引资）"), "个", signed_count, measure="quantity"),
    Feed(
        "investment.signed_amount",
        _("当年签约投资额（亿元，招商引资）"),
        "亿元",
        signed_amount,
        measure="quantity",
    ),
    Feed(
        "investment.signed_1bn",
        _("当年签约十亿元以上项目（个，招商引资）"),
        "个",
        signed_1bn,
        measure="quantity",
    ),
    Feed(
        "investment.paid_in_domestic",
        _("到位内资（亿元，招商引资）"),
        "亿元",
        paid_in_domestic,
        measure="quantity",
    ),
    Feed(
        "investment.paid_in_foreign",
        _("实际利用外资（万美元，招商引资）"),
        "万美元",
        paid_in_foreign,
        measure="quantity",
    ),
    Feed(
        "investment.registered",
        _("当年入规入统的招商项目（个，招商引资）"),
        "个",
        registered,
        measure="quantity",
    ),
    Feed(
        "investment.talent_projects",
        _("当年落地的高科技人才产业项目（个，招商引资）"),
        "个",
        talent_projects,
        measure="quantity",
    ),
]
