from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from xinqu.core.models import Department, OrgUnit, User
from xinqu.indicators import services
from xinqu.indicators.models import Indicator, Observation, Submission

# Today, for these tests, is after every period they use.
PERIOD = dt.date(2024, 5, 1)


@pytest.fixture
def units(zone: OrgUnit) -> dict[str, OrgUnit]:
    gaoxin = OrgUnit.objects.get(code="gaoxin")
    beihu = OrgUnit.objects.create(kind="area", code="beihu", name="北湖区", parent=zone, sort_order=2)
    return {
        "zone": zone,
        "gaoxin": gaoxin,
        "beihu": beihu,
        "optics": OrgUnit.objects.get(code="optics"),
    }


def make_indicator(department: Department, code: str = "output", **extra: Any) -> Indicator:
    fields: dict[str, Any] = {"name": f"指标{code}", "unit": "亿元", "department": department} | extra
    return Indicator.objects.create(code=code, **fields)


@pytest.fixture
def output(econ: Department) -> Indicator:
    """规上工业总产值: monthly, cumulative, January published with February, growth computed."""
    return make_indicator(econ, "industrial_output", name="规上工业总产值")


@pytest.fixture
def gdp(econ: Department) -> Indicator:
    return make_indicator(
        econ, "gdp", name="地区生产总值", frequency="quarterly", price_basis="comparable", lowest_level="area"
    )


@pytest.fixture
def observe() -> Callable[..., Observation]:
    """An approved observation, straight into the table (for reading tests)."""

    def make(indicator: Indicator, unit: OrgUnit, period: dt.date, ytd: Any, **extra: Any) -> Observation:
        return Observation.objects.create(
            indicator=indicator, org_unit=unit, period=period, ytd_value=Decimal(str(ytd)), **extra
        )

    return make


@pytest.fixture
def approve() -> Callable[..., Submission]:
    """Enter values as the clerk, submit (confirming warnings) and approve as the head."""

    def run(clerk: User, head: User, period: dt.date, values: list[services.ValueInput]) -> Submission:
        submission = services.submission_for(actor=clerk, period=period)
        assert submission is not None
        services.submission_values_save(actor=clerk, submission=submission, values=values)
        services.submission_submit(actor=clerk, submission=submission, confirm_warnings=True)
        services.submission_approve(actor=head, submission=submission)
        submission.refresh_from_db()
        return submission

    return run


@pytest.fixture
def xlsx() -> Callable[..., io.BytesIO]:
    def make(rows: Sequence[Sequence[Any]], title: str | None = None) -> io.BytesIO:
        wb = Workbook()
        ws = wb.active
        if title:
            ws.append([title])
        for row in rows:
            ws.append(list(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        return buffer

    return make
