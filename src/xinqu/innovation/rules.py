"""Pure rules of the innovation registry: a platform's level on a day, and its yearly score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xinqu.innovation.models import LEVEL_ORDER, AssessmentRule, PlatformYear

HUNDRED_MILLION = Decimal(10_000)  # 万元 in a 亿元


def valid_on(recognition: Any, day: dt.date) -> bool:
    return recognition.recognised_on <= day and (
        recognition.valid_until is None or recognition.valid_until >= day
    )


def level_on(recognitions: Iterable[Any], day: dt.date) -> str:
    """The highest level among the recognitions valid on ``day`` ("" when none is)."""
    held = {r.level for r in recognitions if valid_on(r, day)}
    return next((level for level in LEVEL_ORDER if level in held), "")


@dataclass(frozen=True)
class Score:
    total: Decimal
    parts: list[tuple[str, Decimal, Decimal, Decimal]]  # (what, value, points each, points)
    capped: bool


def score(rule: AssessmentRule, level: str, year: PlatformYear) -> Score:
    """The rule's points for the level held at the year's end plus each figure times its points,
    capped at the rule's maximum, rounded half up to one decimal."""
    base = {"national": rule.national, "provincial": rule.provincial, "city": rule.city}.get(
        level, Decimal(0)
    )
    parts: list[tuple[str, Decimal, Decimal, Decimal]] = [
        ("level", Decimal(1) if level else Decimal(0), base, base if level else Decimal(0)),
        ("incubated", Decimal(year.incubated), rule.per_incubated, year.incubated * rule.per_incubated),
        ("graduated", Decimal(year.graduated), rule.per_graduated, year.graduated * rule.per_graduated),
        ("patents", Decimal(year.patents), rule.per_patent, year.patents * rule.per_patent),
        (
            "rd_spend",
            year.rd_spend / HUNDRED_MILLION,
            rule.per_rd_100m,
            year.rd_spend / HUNDRED_MILLION * rule.per_rd_100m,
        ),
        (
            "hosted_revenue",
            year.hosted_revenue / HUNDRED_MILLION,
            rule.per_revenue_100m,
            year.hosted_revenue / HUNDRED_MILLION * rule.per_revenue_100m,
        ),
    ]
    raw = sum((points for *_rest, points in parts), start=Decimal(0))
    total = min(raw, rule.cap).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Score(total, parts, raw > rule.cap)


def mask(text: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Personal data as lists, exports and pages show it: the ends kept, the middle starred."""
    text = text or ""
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def clawback(paid: Decimal, score: Decimal, threshold: Decimal, percent: Decimal) -> Decimal:
    """What a review below the threshold claws back: that share of the support paid so far."""
    if score >= threshold or paid <= 0:
        return Decimal(0)
    return (paid * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
