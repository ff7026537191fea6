"""The service-request metrics, each with its definition, computed in SQL from each request's
facts (written as the request moves; `recount` rebuilds them from the timeline, and a test proves
the two agree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqu.service_requests.models import ServiceRequest

COUNTS: dict[str, Q | None] = {
    "total": None,
    "accepted": Q(accepted_on__isnull=False),
    "signed": Q(signed_on_time__isnull=False),
    "signed_on_time": Q(signed_on_time=True),
    "responded": Q(responded=True),
    "replied": Q(replied_on_time__isnull=False),
    "replied_on_time": Q(replied_on_time=True),
    "solved": Q(outcome=ServiceRequest.Outcome.SOLVED),
    "rated": ~Q(rating=""),
    "satisfied": Q(rating=ServiceRequest.Rating.SATISFIED),
    "basically": Q(rating=ServiceRequest.Rating.BASICALLY),
    "dispatched": Q(first_department__isnull=False),
    "returned": Q(returns__gt=0),
    "first_right": Q(first_department=F("item__department"), signed_on_time__isnull=False),
    "reopened": Q(reopened__gt=0),
    "supervised": Q(item__supervision_level__gt=0),
}


@dataclass(frozen=True)
class Rate:
    key: str
    label: str | Promise
    definition: str | Promise
    numerator: tuple[str, ...]  # counts added up (basically satisfied is weighted, see below)
    denominator: str


RATES = [
    Rate(
        "sign_for",
        _("签收及时率"),
        _("派单后 1 个工作日内签收的诉求 ÷ 已签收的诉求"),
        ("signed_on_time",),
        "signed",
    ),
    Rate(
        "response", _("响应率"), _("已答复或已请企业补充材料的诉求 ÷ 已签收的诉求"), ("responded",), "signed"
    ),
    Rate("resolution", _("解决率"), _("答复结果为“已解决”的诉求 ÷ 已答复的诉求"), ("solved",), "replied"),
    Rate(
        "satisfaction",
        _("满意率"),
        _("（满意 + 基本满意 × 权重）÷ 已评价的诉求；基本满意的权重为 %(w)s"),
        ("satisfied", "basically"),
        "rated",
    ),
    Rate(
        "on_time",
        _("按时办结率"),
        _("在办理期限内首次答复的诉求 ÷ 已答复的诉求（等待企业补充的时间不计）"),
        ("replied_on_time",),
        "replied",
    ),
    Rate("return", _("退单率"), _("被承办部门退回过的诉求 ÷ 已派单的诉求"), ("returned",), "dispatched"),
    Rate(
        "first_dispatch",
        _("首派准确率"),
        _("由首次派往的部门签收办理的诉求 ÷ 已签收的诉求"),
        ("first_right",),
        "signed",
    ),
    Rate("reopen", _("重办率"), _("企业不满意而重新办理过的诉求 ÷ 已评价的诉求"), ("reopened",), "rated"),
    Rate(
        "supervision",
        _("督办率"),
        _("逾期或再次不满意而转入督办的诉求 ÷ 已受理的诉求"),
        ("supervised",),
        "accepted",
    ),
]
DIMENSIONS = {
    "department": ("item__department__name", _("承办部门")),
    "category": ("category__name", _("类别")),
    "area": ("item__org_unit__name", _("地区")),
    "month": ("month", _("月份")),
}


@dataclass
class MetricRow:
    label: str
    counts: dict[str, int]
    rates: dict[str, Decimal | None]
    average_days: Decimal | None
    rank: int | None = None


def _rate(rate: Rate, counts: dict[str, int]) -> Decimal | None:
    whole = counts[rate.denominator]
    if not whole:
        return None
    part = Decimal(counts[rate.numerator[0]])
    if rate.key == "satisfaction":
        part += Decimal(str(settings.SATISFACTION_BASIC_WEIGHT)) * counts["basically"]
    return (part / whole * 100).quantize(Decimal("0.1"))


def _aggregates() -> dict[str, Any]:
    # Named n_… so that no count shadows a field of the same name.
    found: dict[str, Any] = {
        f"n_{name}": Count("pk", filter=condition) if condition is not None else Count("pk")
        for name, condition in COUNTS.items()
    }
    found["average_days"] = Avg("handling_days")
    return found


def _row(label: str, values: dict[str, Any]) -> MetricRow:
    counts = {name: int(values[f"n_{name}"] or 0) for name in COUNTS}
    average = values["average_days"]
    return MetricRow(
        label=label,
        counts=counts,
        rates={rate.key: _rate(rate, counts) for rate in RATES},
        average_days=None if average is None else Decimal(str(average)).quantize(Decimal("0.1")),
    )


def requests_in(year: int) -> QuerySet[ServiceRequest]:
    """Requests filed in ``year`` (local time)."""
    zone = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)
    return ServiceRequest.objects.filter(item__opened_at__gte=start, item__opened_at__lt=end)


def metrics(*, year: int, by: str) -> dict[str, Any]:
    """The year's totals and one row per department, category, area or month, in one grouped
    query each."""
    requests = requests_in(year)
    total = _row(str(_("全部")), requests.aggregate(**_aggregates()))
    field, _label = DIMENSIONS[by]
    grouped = requests.annotate(month=TruncMonth("item__opened_at")) if by == "month" else requests
    rows = []
    for values in grouped.values(field).annotate(**_aggregates()).order_by(field):
        key = values[field]
        empty = _("（未派单）") if by == "department" else _("（未填）")
        label = f"{key:%Y-%m}" if by == "month" and key else (str(key) if key else str(empty))
        rows.append(_row(label, values))
    if by == "department":
        ranked = sorted(
            (r for r in rows if r.rates["on_time"] is not None),
            key=lambda r: (r.rates["on_time"] or 0, r.rates["satisfaction"] or 0),
            reverse=True,
        )
        for place, row in enumerate(ranked, start=1):
            row.rank = place
    return {"total": total, "rows": rows}


def recount(request: ServiceRequest) -> dict[str, Any]:
    """The request's facts rebuilt from its timeline alone, as `flow.apply_event` writes them."""
    from xinqu.service_requests.flow import apply_event

    fresh = ServiceRequest(
        item=request.item, category=request.category, enterprise_name="", contact_name="", contact_phone=""
    )
    for event in request.item.events.order_by("at", "id"):
        apply_event(fresh, request.item, event)
    return facts(fresh)


FACT_FIELDS = [
    "first_department_id",
    "accepted_on",
    "returns",
    "signed_on_time",
    "responded",
    "outcome",
    "replied_on_time",
    "handling_days",
    "rating",
    "reopened",
]


def facts(request: ServiceRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in FACT_FIELDS}
