"""Query parameters that pages and the API share, with the bounds that keep a typo (``year=0``,
``offset=10**30``) a clear 400 or 422 instead of a server error."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from pydantic import Field

YEAR_MIN, YEAR_MAX = 1990, 2100
# Far beyond any table's size, well inside SQLite's and PostgreSQL's 64-bit integers.
OFFSET_MAX = 10**9

Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description=f"a year, {YEAR_MIN}–{YEAR_MAX}")]


def year_param(request: Any, default: int, name: str = "year") -> int:
    """The year a page was asked for (``?year=``), or ``default``; an impossible one is a 400
    with a sentence that says which years exist."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BadRequest(_("年份须为 %(lo)d 至 %(hi)d 之间的整数。") % {"lo": YEAR_MIN, "hi": YEAR_MAX})
    return year
