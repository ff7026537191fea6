"""The indicators API: the catalog, the overview, bulk upsert of observations into the department's
returns, the return workflow, targets and peer benchmarking. Same permissions as the pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from xinqu.core.access import AuthedRequest, ensure_business, get_visible_or_404
from xinqu.core.api import Number
from xinqu.core.models import OrgUnit
from xinqu.core.numbers import parse_number, parse_percent, rounded
from xinqu.core.params import Year
from xinqu.core.periods import current_period
from xinqu.indicators import selectors, services
from xinqu.indicators.checks import warning_text
from xinqu.indicators.models import Indicator, Submission, SubmissionValue, Target
from xinqu.indicators.selectors import Row

router = Router(tags=["indicators"])


def _month(text: str | None, field: str = "period") -> dt.date:
    if not text:
        return current_period()  # the zone's reporting period, as on the pages
    try:
        return dt.date.fromisoformat(f"{text[:7]}-01")
    except ValueError:
        raise ValidationError({field: "月份应写作 2024-05。"}) from None


def _unit(code: str | None) -> OrgUnit:
    if not code:
        unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).first()
        if unit is None:
            raise Http404
        return unit
    return get_object_or_404(OrgUnit, code=code)


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str = Field(description="flow (累计), stock (期末数), rate or ratio (in 百分点)")
    unit: str
    decimals: int
    frequency: str
    cumulative: bool
    jan_feb_combined: bool
    additive: bool
    direction: str
    price_basis: str
    seasonal_progress: bool
    lowest_level: str
    formula: str
    feed: str = Field(description="the module feed that writes a fed figure; empty for a return")
    department: str
    light_rule: str

    @staticmethod
    def resolve_department(obj: Indicator) -> str:
        return obj.department.name

    @staticmethod
    def resolve_light_rule(obj: Indicator) -> str:
        return selectors.light_rule(obj)


class RowOut(Schema):
    indicator: str
    name: str
    unit: str
    org_unit: str
    period: dt.date | None
    period_label: str
    ytd_value: Number | None
    ytd_derived: bool
    period_value: Number | None
    period_derived: bool
    growth: Number | None = Field(description="year-on-year growth in %: the published one, else computed")
    growth_computed: bool = Field(description="no growth was published: computed from last year's value")
    growth_note: str = Field(description="扭亏 / 减亏 / 增亏 / — where last year's value is zero or negative")
    change_pp: Number | None = Field(description="a rate's or ratio's change on last year, in 百分点")
    two_year_growth: Number | None = Field(description="两年平均增速, in %")
    price_basis: str = Field(description="comparable (可比价) or current (现价，可比口径)")
    carried_label: str = Field(description='for months after a quarter: "一季度数据"')
    target_value: Number | None
    target_growth: Number | None
    completion: Number | None
    time_progress: Number | None
    progress_basis: str
    gap: Number | None
    growth_gap: Number | None
    light: str | None
    light_rule: str
    value_rank: int | None
    growth_rank: int | None


def _figure(value: Decimal | None, indicator: Indicator) -> Decimal | None:
    """A value at its indicator's stated precision (half up, as the pages show it)."""
    return None if value is None else rounded(value, indicator.decimals)


def _row(row: Row) -> dict[str, Any]:
    return {
        "indicator": row.indicator.code,
        "name": row.indicator.name,
        "unit": row.indicator.unit,
        "org_unit": row.unit.code,
        "period": row.period,
        "period_label": row.period_label,
        "ytd_value": _figure(row.value, row.indicator),
        "ytd_derived": row.ytd_derived,
        "period_value": _figure(row.single, row.indicator),
        "period_derived": row.single_derived,
        "growth": row.growth,
        "growth_computed": row.growth_computed,
        "growth_note": row.growth_note,
        "change_pp": row.change_pp,
        "two_year_growth": row.two_year_growth,
        "price_basis": row.indicator.price_basis,
        "carried_label": row.carried_label,
        "target_value": _figure(row.target_value, row.indicator),
        "target_growth": row.target_growth,
        "completion": row.completion,
        "time_progress": row.time_progress,
        "progress_basis": row.progress_basis,
        "gap": row.gap,
        "growth_gap": row.growth_gap,
        "light": row.light,
        "light_rule": row.rule,
        "value_rank": row.value_rank,
        "growth_rank": row.growth_rank,
    }


class OverviewOut(Schema):
    org_unit: str
    period: dt.date
    rows: list[RowOut]


class BreakdownOut(Schema):
    total: RowOut
    rows: list[RowOut]


@router.get("/indicators", response=list[IndicatorOut], summary="The indicator catalog")
def indicator_list(request: AuthedRequest) -> Any:
    ensure_business(request.user)
    return list(Indicator.objects.visible_to(request.user).select_related("department"))


@router.get(
    "/indicators-overview", response=OverviewOut, summary="Every indicator for one org unit and month"
)
def overview(request: AuthedRequest, period: str | None = None, unit: str | None = None) -> Any:
    """Value, growth, target, completion, time-elapsed progress, gap and light; approved data only."""
    ensure_business(request.user)
    org_unit, month = _unit(unit), _month(period)
    key, seconds = selectors.cache_key("api", request.user, org_unit, month)
    body: bytes | None = cache.get(key) if seconds else None
    if body is None:
        rows = selectors.overview(user=request.user, unit=org_unit, period=month)
        payload = OverviewOut(org_unit=org_unit.code, period=month, rows=[RowOut(**_row(r)) for r in rows])
        body = payload.model_dump_json().encode()
        if seconds:
            cache.set(key, body, seconds)
    # The cached body was validated against OverviewOut when it was made.
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get(
    "/indicators/{code}/breakdown", response=BreakdownOut, summary="One indicator by sub-unit, ranked"
)
def breakdown(request: AuthedRequest, code: str, period: str | None = None, unit: str | None = None) -> Any:
    ensure_business(request.user)
    indicator = get_visible_or_404(request.user, Indicator.objects.all(), code=code)
    total, rows = selectors.breakdown(indicator=indicator, parent=_unit(unit), period=_month(period))
    return {"total": _row(total), "rows": [_row(r) for r in rows]}


class PeerOut(Schema):
    zone: str
    is_self: bool
    value: Number | None
    growth: Number | None
    value_rank: int | None
    growth_rank: int | None
    note: str


class BenchmarkOut(Schema):
    indicator: str
    year: int
    known_values: int
    known_growth: int
    missing: list[str]
    rows: list[PeerOut]


@router.get("/indicators/{code}/peers", response=BenchmarkOut, summary="The zone's rank among its peer zones")
def peers(request: AuthedRequest, code: str, year: Year) -> Any:
    ensure_business(request.user)
    indicator = get_visible_or_404(request.user, Indicator.objects.all(), code=code)
    result = selectors.benchmark(indicator=indicator, year=year, zone=_unit(None))
    return {
        "indicator": code,
        "year": year,
        "known_values": result["known_values"],
        "known_growth": result["known_growth"],
        "missing": result["missing"],
        "rows": [
            {
                "zone": r.peer.name,
                "is_self": r.peer.is_self,
                "value": r.value,
                "growth": r.growth,
                "value_rank": r.value_rank,
                "growth_rank": r.growth_rank,
                "note": r.note,
            }
            for r in result["rows"]
        ],
    }


class ObservationIn(Schema):
    indicator: str = Field(description="indicator code or name")
    org_unit: str = Field(description="org unit code")
    period: str = Field(description="YYYY-MM")
    ytd_value: Decimal | str | None = Field(default=None, description='累计; "1,234.5亿元" is accepted')
    period_value: Decimal | str | None = None
    growth: Decimal | str | None = Field(default=None, description='同比增长 in %; "7.2%" is accepted')


class ObservationsIn(Schema):
    items: list[ObservationIn] = Field(max_length=50_000)
    submit: bool = False
    confirm_warnings: bool = False


class WarningOut(Schema):
    indicator: str
    org_unit: str
    messages: list[str]


class ReturnOut(Schema):
    id: int
    department: str
    period: dt.date
    status: str
    review_note: str
    values: int
    warnings: list[WarningOut]


def _return(submission: Submission) -> dict[str, Any]:
    prefetched = "values" in getattr(submission, "_prefetched_objects_cache", {})
    values = list(
        submission.values.all() if prefetched else submission.values.select_related("indicator", "org_unit")
    )
    return {
        "id": submission.pk,
        "department": submission.department.name,
        "period": submission.period,
        "status": submission.status,
        "review_note": submission.review_note,
        "values": len(values),
        "warnings": [
            {
                "indicator": v.indicator.code,
                "org_unit": v.org_unit.code,
                "messages": [warning_text(w) for w in v.warnings],
            }
            for v in values
            if v.warnings
        ],
    }


@router.post(
    "/indicator-observations",
    response=list[ReturnOut],
    summary="Bulk upsert of values into the department's returns",
)
def observations_upsert(request: AuthedRequest, payload: ObservationsIn) -> Any:
    """Values go into the department's open return for each period (a draft is opened when
    needed), all or none. With ``submit`` the returns go to the head at once; warnings then need
    ``confirm_warnings``. Only approved values reach the overview."""
    ensure_business(request.user)
    services.ensure_department_member(request.user)
    indicators = {i.code: i for i in Indicator.objects.select_related("department")}
    by_name = {i.name: i for i in indicators.values()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    problems: dict[str, list[str]] = {}
    grouped: dict[dt.date, list[services.ValueInput]] = defaultdict(list)
    for index, item in enumerate(payload.items):
        key = f"items[{index}]"
        indicator = indicators.get(item.indicator) or by_name.get(item.indicator)
        unit = units.get(item.org_unit)
        if indicator is None:
            problems[key] = [f"没有指标“{item.indicator}”"]
            continue
        if unit is None:
            problems[key] = [f"没有地区编码“{item.org_unit}”"]
            continue
        try:
            month = services.check_period(_month(item.period))
            value = services.ValueInput(
                indicator,
                unit,
                parse_number(item.ytd_value, indicator.unit),
                parse_number(item.period_value, indicator.unit),
                parse_percent(item.growth),
            )
        except ValidationError as exc:
            problems[key] = exc.messages
            continue
        except ValueError as exc:
            problems[key] = [str(exc)]
            continue
        problem = services.value_problem(request.user, value, month)
        if problem:
            problems[key] = [problem]
            continue
        grouped[month].append(value)
    if problems:
        raise ValidationError(problems)
    results = []
    with transaction.atomic():
        for month in sorted(grouped):
            submission = services.submission_for(actor=request.user, period=month)
            assert submission is not None
            services.submission_values_save(actor=request.user, submission=submission, values=grouped[month])
            if payload.submit:
                submission = services.submission_submit(
                    actor=request.user, submission=submission, confirm_warnings=payload.confirm_warnings
                )
            results.append(submission)
    return [_return(s) for s in results]


@router.get("/indicator-returns", response=list[ReturnOut], summary="Returns the user may see")
def return_list(request: AuthedRequest, status: str | None = None) -> Any:
    ensure_business(request.user)
    submissions = (
        Submission.objects.visible_to(request.user)
        .select_related("department")
        .prefetch_related(Prefetch("values", SubmissionValue.objects.select_related("indicator", "org_unit")))
        .order_by("-period", "-id")
    )
    if status:
        submissions = submissions.filter(status=status)
    return [_return(s) for s in submissions[:200]]


class ReturnActionIn(Schema):
    confirm_warnings: bool = False
    reason: str = ""


@router.post(
    "/indicator-returns/{int:return_id}/{action}", response=ReturnOut, summary="submit, approve or return"
)
def return_action(request: AuthedRequest, return_id: int, action: str, payload: ReturnActionIn) -> Any:
    ensure_business(request.user)
    submission = get_visible_or_404(
        request.user, Submission.objects.select_related("department"), pk=return_id
    )
    if action == "submit":
        services.submission_submit(
            actor=request.user, submission=submission, confirm_warnings=payload.confirm_warnings
        )
    elif action == "approve":
        services.submission_approve(actor=request.user, submission=submission)
    elif action == "return":
        services.submission_return(actor=request.user, submission=submission, reason=payload.reason)
    else:
        raise Http404
    submission.refresh_from_db()
    return _return(submission)


class TargetOut(Schema):
    indicator: str
    org_unit: str
    year: int
    value: Number | None
    growth: Number | None
    phasing: list[float]

    @staticmethod
    def resolve_indicator(obj: Target) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_org_unit(obj: Target) -> str:
        return obj.org_unit.code


class TargetIn(Schema):
    indicator: str
    org_unit: str
    value: Decimal | str | None = None
    growth: Decimal | str | None = None
    phasing: list[float] = Field(default_factory=list, description="12 monthly (or 4 quarterly) cumulative %")


class TargetsIn(Schema):
    year: int
    items: list[TargetIn] = Field(max_length=10_000)


@router.get("/indicator-targets", response=list[TargetOut], summary="The year's targets")
def target_list(request: AuthedRequest, year: Year) -> Any:
    ensure_business(request.user)
    visible = Indicator.objects.visible_to(request.user)
    return list(
        Target.objects.filter(year=year, indicator__in=visible).select_related("indicator", "org_unit")
    )


@router.put("/indicator-targets", response=list[TargetOut], summary="Set targets (all or none)")
def targets_set(request: AuthedRequest, payload: TargetsIn) -> Any:
    """An item with neither value nor growth removes that target."""
    ensure_business(request.user)
    indicators = {i.code: i for i in Indicator.objects.visible_to(request.user)}
    units = {u.code: u for u in OrgUnit.objects.all()}
    items, problems = [], {}
    for index, item in enumerate(payload.items):
        indicator, unit = indicators.get(item.indicator), units.get(item.org_unit)
        if indicator is None or unit is None:
            problems[f"items[{index}]"] = ["没有这个指标或地区"]
            continue
        try:
            value, growth = parse_number(item.value, indicator.unit), parse_percent(item.growth)
        except ValueError as exc:
            problems[f"items[{index}]"] = [str(exc)]
            continue
        items.append((indicator, unit, value, growth, item.phasing))
    if problems:
        raise ValidationError(problems)
    services.targets_set(actor=request.user, year=payload.year, items=items)
    keys = [(i.pk, u.pk) for i, u, *_rest in items]
    found = Target.objects.filter(year=payload.year).select_related("indicator", "org_unit")
    return [t for t in found if (t.indicator_id, t.org_unit_id) in set(keys)]
