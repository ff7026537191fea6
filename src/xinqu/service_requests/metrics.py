"""The service-request metrics, each with its definition.

Three layers, each checked against the one below it:
- each request keeps its *facts* (signed on time? replied on time? rating …), written as it moves;
  `recount` rebuilds them from the timeline alone;
- *tallies* add the facts up per month × department × category × area, moved by `tally_move`
  every time a request's facts change, so that a year's metrics read a few thousand rows, not
  every request; `recounted` computes the same result from the requests themselves and
  `tallies_rebuild` puts it back (`xinqu recount-metrics`);
- the *rates* follow from the counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import Department, OrgUnit
from xinqu.core.numbers import rounded
from xinqu.service_requests.flow import apply_event
from xinqu.service_requests.models import Category, ServiceRequest, Tally

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
    "first_rated": ~Q(first_rating=""),
    "first_satisfied": Q(first_rating=ServiceRequest.Rating.SATISFIED),
    "first_basically": Q(first_rating=ServiceRequest.Rating.BASICALLY),
    "verdicts": Q(confirmed_solved__isnull=False),
    "confirmed_solved": Q(confirmed_solved=True),
    "dispatched": Q(first_department__isnull=False),
    "returned": Q(returns__gt=0),
    "first_right": Q(first_department=F("item__department"), signed_on_time__isnull=False),
    "reopened": Q(reopened__gt=0),
    "supervised": Q(item__supervision_level__gt=0),
}


@dataclass(frozen=True)
class Rate:
    """A rate as 12345 hotlines define it: ``numerator`` ÷ the sum of ``denominator``; the count
    named ``weighted`` (basically satisfied) adds to the numerator at the configured weight."""

    key: str
    label: str | Promise
    definition: str | Promise
    numerator: str
    denominator: tuple[str, ...]
    weighted: str = ""


RATES = [
    Rate(
        "sign_for",
        _("签收及时率"),
        _("派单后 1 个工作日内签收的诉求 ÷ 已派单的诉求（迟签和至今未签收的都在分母中）"),
        "signed_on_time",
        ("dispatched",),
    ),
    Rate(
        "response",
        _("响应率"),
        _("已答复或已请企业补充材料的诉求 ÷ 已派单的诉求"),
        "responded",
        ("dispatched",),
    ),
    Rate(
        "on_time",
        _("按时办结率"),
        _(
            "在办理期限内首次答复的诉求 ÷（已答复的诉求 + 已过办理期限仍未答复的诉求）；"
            "等待企业补充的时间不计，未到期的在办诉求不计"
        ),
        "replied_on_time",
        ("replied", "overdue_open"),
    ),
    Rate(
        "resolution",
        _("解决率"),
        _("回访时企业确认“已解决”的诉求 ÷ 回访时表态的诉求（以企业意见为准，不以部门答复为准）"),
        "confirmed_solved",
        ("verdicts",),
    ),
    Rate(
        "first_satisfaction",
        _("一次满意率"),
        _("首次评价即满意的诉求（基本满意 × 权重 %(w)s）÷ 已评价的诉求，重办后的评价不计"),
        "first_satisfied",
        ("first_rated",),
        weighted="first_basically",
    ),
    Rate(
        "satisfaction",
        _("满意率"),
        _("最终评价满意的诉求（基本满意 × 权重 %(w)s）÷ 已评价的诉求，重办后以最后一次评价为准"),
        "satisfied",
        ("rated",),
        weighted="basically",
    ),
    Rate("return", _("退单率"), _("被承办部门退回过的诉求 ÷ 已派单的诉求"), "returned", ("dispatched",)),
    Rate(
        "first_dispatch",
        _("首派准确率"),
        _("由首次派往的部门签收办理的诉求 ÷ 已签收的诉求"),
        "first_right",
        ("signed",),
    ),
    Rate(
        "reopen", _("重办率"), _("企业不满意而重新办理过的诉求 ÷ 已评价的诉求"), "reopened", ("first_rated",)
    ),
    Rate(
        "supervision",
        _("督办率"),
        _("逾期或再次不满意而转入督办的诉求 ÷ 同期提出的全部诉求"),
        "supervised",
        ("total",),
    ),
]


def definitions() -> list[tuple[Rate, str]]:
    """Each rate with its definition as the page and the API state it (the weight filled in)."""
    weight = f"{settings.SATISFACTION_BASIC_WEIGHT:g}"
    return [
        (
            rate,
            str(rate.definition) % {"w": weight} if "%(w)s" in str(rate.definition) else str(rate.definition),
        )
        for rate in RATES
    ]


DIMENSIONS = {
    "department": ("department_key", _("承办部门")),
    "category": ("category_key", _("类别")),
    "area": ("org_unit_key", _("地区")),
    "month": ("month", _("月份")),
}
# The same dimensions read straight from the requests, for the recount.
_RECOUNT_KEYS = {
    "department": "item__department",
    "category": "category",
    "area": "item__org_unit",
    "month": "opened_month",
}


@dataclass
class MetricRow:
    label: str
    counts: dict[str, int]
    rates: dict[str, Decimal | None]
    average_days: Decimal | None
    rank: int | None = None


def _rate(rate: Rate, counts: dict[str, int]) -> Decimal | None:
    whole = sum(counts[name] for name in rate.denominator)
    if not whole:
        return None
    part = Decimal(counts[rate.numerator])
    if rate.weighted:
        part += Decimal(str(settings.SATISFACTION_BASIC_WEIGHT)) * counts[rate.weighted]
    return rounded(part / whole * 100, 1)


def _row(label: str, values: dict[str, Any]) -> MetricRow:
    """A row from sums named n_<count>, n_days_sum and n_days_count (and the live n_overdue_open)."""
    counts = {name: int(values.get(f"n_{name}") or 0) for name in (*COUNTS, "overdue_open")}
    days, replied = int(values["n_days_sum"] or 0), int(values["n_days_count"] or 0)
    return MetricRow(
        label=label,
        counts=counts,
        rates={rate.key: _rate(rate, counts) for rate in RATES},
        average_days=rounded(Decimal(days) / replied, 1) if replied else None,
    )


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def requests_in(year: int) -> QuerySet[ServiceRequest]:
    """Requests filed in ``year`` (local time)."""
    zone = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)
    return ServiceRequest.objects.filter(item__opened_at__gte=start, item__opened_at__lt=end)


def metrics(
    *, year: int, by: str, through: dt.date | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """The year's totals and one row per department, category, area or month, added up from the
    kept tallies (a few thousand rows a year, however many requests there are). ``through``: only
    requests filed up to that day's month."""
    start, end = _year(year)
    cells = Tally.objects.filter(month__gte=start, month__lt=end)
    if through is not None:
        cells = cells.filter(month__lte=through)
    sums: dict[str, Any] = {f"n_{name}": Sum(name) for name in (*COUNTS, "days_sum", "days_count")}
    field = DIMENSIONS[by][0]
    grouped = [(v[field] or None, v) for v in cells.values(field).annotate(**sums).order_by()]
    filed = ServiceRequest.objects.filter(month__gte=start, month__lt=end)
    if through is not None:
        filed = filed.filter(month__lte=through)
    late = _overdue_open(filed, _KEPT_KEYS[by], today)
    return _result(by, cells.aggregate(**sums), grouped, late)


# Where the requests keep the same keys as the tallies (equal to their items', tested).
_KEPT_KEYS = {"department": "department", "category": "category", "area": "org_unit", "month": "month"}


def overdue_open_q(today: dt.date) -> Q:
    """Requests being handled past their deadline and never answered: 按时办结率 counts them as
    not on time (a request on a clock the enterprise paused is not late; one not yet due is not
    counted). Derived from the item's state today, so never stale, and never tallied."""
    return Q(
        replied_on_time__isnull=True,
        item__state="in_progress",
        item__paused_since__isnull=True,
        item__due_on__lt=today,
    )


def _overdue_open(requests: QuerySet[ServiceRequest], field: str, today: dt.date | None) -> dict[Any, int]:
    """Overdue-unanswered requests per key of ``field``; the key ``_ALL`` holds the total."""
    late = requests.filter(overdue_open_q(today or timezone.localdate()))
    found: dict[Any, int] = {
        (v[field].date() if isinstance(v[field], dt.datetime) else v[field]): v["n"]
        for v in late.values(field).annotate(n=Count("pk")).order_by()
    }
    found[_ALL] = sum(found.values())
    return found


_ALL = object()


def recounted(*, year: int, by: str, today: dt.date | None = None) -> dict[str, Any]:
    """The same result counted from every request of the year, through their items: what the
    tallies must always equal (tested), and what `xinqu recount-metrics` checks them against."""
    requests = requests_in(year)
    aggregates = _recount_aggregates()
    field = _RECOUNT_KEYS[by]
    grouped_qs = requests.annotate(opened_month=TruncMonth("item__opened_at")) if by == "month" else requests
    grouped = [
        (v[field].date() if by == "month" and v[field] else v[field], v)
        for v in grouped_qs.values(field).annotate(**aggregates).order_by()
    ]
    late = _overdue_open(grouped_qs, field, today)
    return _result(by, requests.aggregate(**aggregates), grouped, late)


def _recount_aggregates() -> dict[str, Any]:
    # Named n_… so that no count shadows a field of the same name.
    found: dict[str, Any] = {
        f"n_{name}": Count("pk", filter=condition) if condition is not None else Count("pk")
        for name, condition in COUNTS.items()
    }
    found["n_days_sum"] = Sum("handling_days")
    found["n_days_count"] = Count("handling_days")
    return found


def _labels(by: str, keys: Iterable[Any]) -> dict[Any, str]:
    wanted = [k for k in keys if k]
    named: dict[str, Any] = {"department": Department, "category": Category, "area": OrgUnit}
    if by in named:
        return dict(named[by].objects.filter(pk__in=wanted).values_list("pk", "name"))
    return {k: f"{k:%Y-%m}" for k in wanted}


def _result(
    by: str, whole: dict[str, Any], grouped: list[tuple[Any, dict[str, Any]]], late: dict[Any, int]
) -> dict[str, Any]:
    labels = _labels(by, (key for key, _values in grouped))
    empty = str(_("（未派单）") if by == "department" else _("（未填）"))
    rows = [
        (key, _row(labels.get(key, empty) if key else empty, {**values, "n_overdue_open": late.get(key, 0)}))
        for key, values in grouped
        if values["n_total"]  # a cell every request has moved out of
    ]
    # Months in order; names by name; the unassigned last.
    rows.sort(key=lambda kr: (kr[0] is None, kr[0] if by == "month" and kr[0] else kr[1].label))
    result_rows = [row for _key, row in rows]
    if by == "department":
        ranked = sorted(
            (r for r in result_rows if r.rates["on_time"] is not None),
            key=lambda r: (r.rates["on_time"] or 0, r.rates["satisfaction"] or 0),
            reverse=True,
        )
        for place, row in enumerate(ranked, start=1):
            row.rank = place
    total = _row(str(_("全部")), {**whole, "n_overdue_open": late[_ALL]})
    return {"total": total, "rows": result_rows}


def recount(request: ServiceRequest) -> dict[str, Any]:
    """The request's facts rebuilt from its timeline alone, as `flow.apply_event` writes them."""

    fresh = ServiceRequest(
        item=request.item, category=request.category, enterprise_name="", contact_name="", contact_phone=""
    )
    for event in request.item.events.order_by("at", "id"):
        apply_event(fresh, request.item, event)
    return facts(fresh)


FACT_FIELDS = [
    "month",
    "org_unit_id",
    "department_id",
    "supervised",
    "first_department_id",
    "accepted_on",
    "returns",
    "signed_on_time",
    "responded",
    "outcome",
    "replied_on_time",
    "first_rating",
    "confirmed_solved",
    "handling_days",
    "rating",
    "reopened",
]


def facts(request: ServiceRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in FACT_FIELDS}


# --- Tallies ----------------------------------------------------------------------------------
Cell = tuple[dt.date, int, int, int]  # month, department, category, area (0: none)
TALLIED = (*COUNTS, "days_sum", "days_count")


def contribution(request: ServiceRequest) -> tuple[Cell, dict[str, int]] | None:
    """Where ``request`` is counted and what it adds there: the COUNTS above, evaluated on the
    request's own row (its department and supervision are kept on it for this)."""
    if request.month is None:
        return None
    signed = request.signed_on_time is not None
    cell = (request.month, request.department_id or 0, request.category_id, request.org_unit_id or 0)
    adds = {
        "total": 1,
        "accepted": request.accepted_on is not None,
        "signed": signed,
        "signed_on_time": request.signed_on_time is True,
        "responded": request.responded,
        "replied": request.replied_on_time is not None,
        "replied_on_time": request.replied_on_time is True,
        "solved": request.outcome == ServiceRequest.Outcome.SOLVED,
        "rated": request.rating != "",
        "satisfied": request.rating == ServiceRequest.Rating.SATISFIED,
        "basically": request.rating == ServiceRequest.Rating.BASICALLY,
        "first_rated": request.first_rating != "",
        "first_satisfied": request.first_rating == ServiceRequest.Rating.SATISFIED,
        "first_basically": request.first_rating == ServiceRequest.Rating.BASICALLY,
        "verdicts": request.confirmed_solved is not None,
        "confirmed_solved": request.confirmed_solved is True,
        "dispatched": request.first_department_id is not None,
        "returned": request.returns > 0,
        "first_right": signed
        and request.first_department_id is not None
        and request.first_department_id == request.department_id,
        "reopened": request.reopened > 0,
        "supervised": request.supervised,
        "days_sum": request.handling_days or 0,
        "days_count": request.handling_days is not None,
    }
    return cell, {name: int(value) for name, value in adds.items()}


def tally_move(before: tuple[Cell, dict[str, int]] | None, after: tuple[Cell, dict[str, int]] | None) -> None:
    """Take ``before`` out of the tallies and put ``after`` in: one UPDATE per changed cell, in a
    fixed order so that two requests moving at once never wait on each other in a circle."""
    changes: dict[Cell, dict[str, int]] = {}
    for sign, part in ((-1, before), (1, after)):
        if part is None:
            continue
        cell, adds = part
        into = changes.setdefault(cell, dict.fromkeys(TALLIED, 0))
        for name, value in adds.items():
            into[name] += sign * value
    for cell in sorted(changes):
        delta = {name: value for name, value in changes[cell].items() if value}
        if not delta:
            continue
        month, department, category, area = cell
        where = {"month": month, "department_key": department, "category_key": category, "org_unit_key": area}
        updates = {name: F(name) + value for name, value in delta.items()}
        if Tally.objects.filter(**where).update(**updates):
            continue
        try:
            with transaction.atomic():
                Tally.objects.create(**where, **delta)
        except IntegrityError:  # another request opened the cell meanwhile
            Tally.objects.filter(**where).update(**updates)


@transaction.atomic
def tallies_rebuild() -> int:
    """Recount every tally from the requests (through their items, not the kept copies). Returns
    the number of cells."""
    Tally.objects.all().delete()
    rows = (
        ServiceRequest.objects.annotate(opened_month=TruncMonth("item__opened_at"))
        .values("opened_month", "item__department", "category", "item__org_unit")
        .annotate(**_recount_aggregates())
        .order_by()
    )
    cells = [
        Tally(
            month=v["opened_month"].date(),
            department_key=v["item__department"] or 0,
            category_key=v["category"],
            org_unit_key=v["item__org_unit"] or 0,
            **{name: int(v[f"n_{name}"] or 0) for name in TALLIED},
        )
        for v in rows.iterator(chunk_size=5000)
    ]
    Tally.objects.bulk_create(cells, batch_size=1000)
    return len(cells)


def tallies_differ() -> list[str]:
    """Each cell where the kept tallies and a recount from the requests disagree (empty: none)."""
    kept = {
        (t["month"], t["department_key"], t["category_key"], t["org_unit_key"]): {n: t[n] for n in TALLIED}
        for t in Tally.objects.values("month", "department_key", "category_key", "org_unit_key", *TALLIED)
    }
    with transaction.atomic():
        tallies_rebuild()
        fresh = {
            (t["month"], t["department_key"], t["category_key"], t["org_unit_key"]): {
                n: t[n] for n in TALLIED
            }
            for t in Tally.objects.values("month", "department_key", "category_key", "org_unit_key", *TALLIED)
        }
        transaction.set_rollback(True)
    zero = dict.fromkeys(TALLIED, 0)
    return [
        f"{cell[0]:%Y-%m} department {cell[1]} category {cell[2]} area {cell[3]}: "
        f"kept {kept.get(cell, zero)}, recounted {fresh.get(cell, zero)}"
        for cell in sorted(set(kept) | set(fresh))
        if kept.get(cell, zero) != fresh.get(cell, zero)
    ]
