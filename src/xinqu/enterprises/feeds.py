"""The registry's figures other modules show: high-tech and SRDI enterprises as of a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import RECORDS_SHOWN, Fed, Feed, Record
from xinqu.enterprises.models import Qualification


def _granted(year: int, as_of: dt.date, condition: Q) -> Fed:
    found = (
        Qualification.objects.filter(
            condition, granted_on__year=year, granted_on__lte=as_of, revoked_on__isnull=True
        )
        .select_related("enterprise", "kind")
        .order_by("granted_on", "id")
    )
    count = found.count()
    records = [
        Record(
            q.enterprise.name,
            reverse("enterprises:detail", args=[q.enterprise_id]),
            f"{q.kind.name} {q.granted_on}",
        )
        for q in found[:RECORDS_SHOWN]
    ]
    return Fed(Decimal(count), records, count)


def high_tech_total(year: int, as_of: dt.date) -> Fed:
    found = (
        Qualification.objects.filter(kind__code="high_tech", granted_on__lte=as_of, revoked_on__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    enterprises = found.values("enterprise").distinct().count()
    records = [
        Record(q.enterprise.name, reverse("enterprises:detail", args=[q.enterprise_id]), f"{q.granted_on}")
        for q in found[:RECORDS_SHOWN]
    ]
    return Fed(Decimal(enterprises), records, enterprises)


FEEDS = [
    Feed(
        "enterprises.high_tech_new",
        _("新认定高新技术企业（户，企业名录）"),
        "户",
        lambda year, as_of: _granted(year, as_of, Q(kind__code="high_tech")),
        measure="quantity",
    ),
    Feed(
        "enterprises.high_tech_total",
        _("高新技术企业总数（户，企业名录）"),
        "户",
        high_tech_total,
        measure="stock",
    ),
    Feed(
        "enterprises.srdi_new",
        _("新增专精特新企业（户，企业名录）"),
        "户",
        lambda year, as_of: _granted(year, as_of, Q(kind__group="srdi")),
        measure="quantity",
    ),
]
