"""The registry's figures other modules show: high-tech and SRDI enterprises as of a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import RECORDS_SHOWN, Fed, Feed, Record
from xinqu.enterprises.models import Enterprise
from xinqu.enterprises.selectors import first_granted_in, held_on

HIGH_TECH = "high_tech"  # the qualification group (and kind) of 高新技术企业


def _counted(found: QuerySet[Any]) -> Fed:
    """Enterprises (each once) behind qualifications, with the first of them listed; a
    confidential enterprise is counted but named "保密企业" and not linked, whoever reads it."""
    found = found.select_related("enterprise").order_by("granted_on", "id")
    count = found.values("enterprise").distinct().count()
    return Fed(Decimal(count), partial(_first_enterprises, found), count)


def _first_enterprises(found: QuerySet[Any]) -> list[Record]:
    records: list[Record] = []
    seen: set[int] = set()
    for q in found[: RECORDS_SHOWN * 2]:  # an enterprise rarely holds one group twice at once
        if q.enterprise_id in seen:
            continue
        seen.add(q.enterprise_id)
        hidden = q.enterprise.confidential
        records.append(
            Record(
                str(Enterprise.masked_name) if hidden else q.enterprise.name,
                "" if hidden else reverse("enterprises:detail", args=[q.enterprise_id]),
                f"{q.granted_on}",
            )
        )
        if len(records) >= RECORDS_SHOWN:
            break
    return records


def high_tech_total(year: int, as_of: dt.date) -> Fed:
    """高企总数 on a day: the registry statistics' own count (selectors.held_on)."""
    return _counted(held_on(as_of).filter(group=HIGH_TECH))


def _new(group: str) -> Callable[[int, dt.date], Fed]:
    return lambda year, as_of: _counted(first_granted_in(year, as_of).filter(group=group))


FEEDS = [
    Feed(
        "enterprises.high_tech_new",
        _("新认定高新技术企业（户，企业名录）"),
        "户",
        _new(HIGH_TECH),
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
        _new("srdi"),
        measure="quantity",
    ),
]
