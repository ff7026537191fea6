from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field, PlainSerializer

from xinqu.core import periods, services, workdays
from xinqu.core.access import AuthedRequest
from xinqu.core.models import CalendarDay, ClosedMonth, Department, OrgUnit, User
from xinqu.core.params import OFFSET_MAX, Year
from xinqu.core.selectors import departments_list, org_units_list, users_directory

router = Router(tags=["core"])


def _json_number(value: Decimal) -> int | float:
    # Trailing zeros carry no meaning in JSON: 845.00 → 845, 7.20 → 7.2, 8061868.0100000000 → 8061868.01.
    return int(value) if value == value.to_integral_value() else float(value.normalize())


# A number in an API answer: a JSON number, never a string (pydantic writes Decimal as "7.20").
# The selectors round each figure to its stated precision before it gets here.
Number = Annotated[Decimal, PlainSerializer(_json_number, return_type=float)]


class Pages(LimitOffsetPagination):
    """limit/offset pagination whose offset is bounded, so ``offset=10**30`` is a 422 that says
    so rather than an integer overflow in the database driver."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=OFFSET_MAX)


class PageOf:
    """A queryset for django-ninja's pagination whose rows become API objects only for the page
    asked for (and whose count is the queryset's own)."""

    def __init__(self, queryset: QuerySet[Any], convert: Callable[[Any], list[Any]]) -> None:
        self.queryset, self.convert = queryset, convert

    def all(self) -> PageOf:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return self.convert(self.queryset[index])


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class WhoAmIOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_display: str
    department: DepartmentRef | None
    must_change_password: bool

    @staticmethod
    def resolve_role_display(obj: User) -> str:
        return str(obj.get_role_display())


class OrgUnitOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    name_en: str
    parent_id: int | None
    is_flagship: bool


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    is_active: bool


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    department_id: int | None
    is_active: bool


@router.get("/whoami", response=WhoAmIOut, summary="The authenticated user")
def whoami(request: AuthedRequest) -> Any:
    return request.user


@router.get("/org-units", response=list[OrgUnitOut], summary="The zone, its areas and parks")
@paginate(Pages)
def list_org_units(request: AuthedRequest, kind: str | None = None) -> Any:
    return org_units_list(kind=kind)


@router.get("/org-units/{int:unit_id}", response=OrgUnitOut)
def get_org_unit(request: AuthedRequest, unit_id: int) -> Any:
    return get_object_or_404(OrgUnit, pk=unit_id)


@router.get("/departments", response=list[DepartmentOut])
@paginate(Pages)
def list_departments(request: AuthedRequest) -> Any:
    return departments_list()


@router.get("/departments/{int:department_id}", response=DepartmentOut)
def get_department(request: AuthedRequest, department_id: int) -> Any:
    return get_object_or_404(Department, pk=department_id)


@router.get("/users", response=list[UserOut], summary="The directory of active accounts")
@paginate(Pages)
def list_users(request: AuthedRequest, department: int | None = None) -> Any:
    return users_directory(request.user, department=department)


@router.get("/users/{int:user_id}", response=UserOut)
def get_user(request: AuthedRequest, user_id: int) -> Any:
    return get_object_or_404(users_directory(request.user), pk=user_id)


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str


class CalendarOut(Schema):
    year: int
    working_days: int
    days: list[CalendarDayOut]


class CalendarDayIn(Schema):
    date: dt.date
    kind: str = Field(description="holiday (a weekday off) or workday (a weekend day worked)")
    name: str = ""


@router.get("/calendar", response=CalendarOut, summary="A year's holiday arrangements and its working days")
def calendar_year(request: AuthedRequest, year: Year) -> Any:
    cal = workdays.calendar()
    start = dt.date(year, 1, 1)
    return {
        "year": year,
        "working_days": cal.between(start - dt.timedelta(days=1), dt.date(year, 12, 31)),
        "days": list(CalendarDay.objects.filter(date__year=year)),
    }


@router.get("/calendar/working-days", summary="The date a number of working days after another")
def calendar_add(request: AuthedRequest, start: dt.date, days: int = Query(..., ge=0, le=1000)) -> Any:
    return {"start": start, "days": days, "due": workdays.calendar().add(start, days)}


@router.post("/calendar", response=list[CalendarDayOut], summary="Add or change days (system administrator)")
def calendar_set(request: AuthedRequest, payload: list[CalendarDayIn]) -> Any:
    lines = "\n".join(f"{d.date.isoformat()} {d.kind} {d.name}" for d in payload)
    days = services.parse_calendar_lines(lines)
    services.calendar_days_set(actor=request.user, days=days)
    return list(CalendarDay.objects.filter(date__in=[d for d, _k, _n in days]))


class PeriodOut(Schema):
    month: str = Field(description="YYYY-MM: the zone's current reporting period, every page's default as of")
    label: str
    closed: bool = Field(
        description="closed by the statistics office; false: the last finished month stands in"
    )
    closed_months: list[str]


class CloseIn(Schema):
    month: str = Field(
        description="YYYY-MM: the month to close, the one after the latest closed", pattern=r"^\d{4}-\d{2}$"
    )


def _period_out() -> dict[str, Any]:
    current = periods.reporting_period()
    return {
        "month": f"{current.month:%Y-%m}",
        "label": current.label,
        "closed": current.closed,
        "closed_months": [f"{m:%Y-%m}" for m in ClosedMonth.objects.values_list("month", flat=True)[:36]],
    }


@router.get("/reporting-period", response=PeriodOut, summary="The zone's current reporting period")
def reporting_period(request: AuthedRequest) -> Any:
    return _period_out()


@router.post(
    "/reporting-period/close", response=PeriodOut, summary="Close the next month (statistics office)"
)
def close_month(request: AuthedRequest, payload: CloseIn) -> Any:
    try:
        month = dt.date.fromisoformat(f"{payload.month}-01")
    except ValueError:
        raise ValidationError({"month": "不是有效的月份。"}) from None
    services.period_close(actor=request.user, month=month)
    return _period_out()


@router.post(
    "/reporting-period/reopen", response=PeriodOut, summary="Reopen the latest closed month (its head)"
)
def reopen_month(request: AuthedRequest) -> Any:
    services.period_reopen(actor=request.user)
    return _period_out()
