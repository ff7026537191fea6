"""The stage order, the default gates and the conversions of investment attraction: pure rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from xinqu.investment.models import DocumentKind, Lead

S = Lead.Stage
# The pipeline in order. 开工 and 投产 come from the project ledger once the lead has landed.
ORDER: list[str] = [S.LEAD, S.CONTACT, S.INSPECT, S.NEGOTIATE, S.SIGNED, S.LANDED, S.STARTED, S.OPERATING]
# The stages a user moves a lead to here; landing has its own action (it creates records).
MOVES: list[str] = [S.CONTACT, S.INSPECT, S.NEGOTIATE, S.SIGNED]
STOPPED: set[str] = {S.PAUSED, S.LOST}

DEFAULT_GATES = [
    (S.INSPECT, DocumentKind.VISIT),
    (S.NEGOTIATE, DocumentKind.FEASIBILITY),
    (S.SIGNED, DocumentKind.NEGOTIATION),
    (S.SIGNED, DocumentKind.LEGAL),
    (S.SIGNED, DocumentKind.FAIR_COMPETITION),
]

CENT = Decimal("0.01")


def to_cny(amount: Decimal, rate: Decimal) -> Decimal:
    """万 of a currency at ``rate`` yuan per unit, in 万元, rounded half up to the fen of a 万."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def reached(stage: str) -> int:
    """How far along the pipeline a stage is (its index in ORDER)."""
    return ORDER.index(stage) if stage in ORDER else -1
