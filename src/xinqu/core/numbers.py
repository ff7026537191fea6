"""Numbers as Chinese statistics tables write them: reading "1,234.5亿元" or "7.2%" from a cell, and
showing amounts with digit grouping, growth as 增长/下降 and differences in 百分点."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Units a cell may carry after its number; the yuan family converts exactly.
_YUAN = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_SQUARE_METRES = {
    "平方米": Decimal(1),
    "㎡": Decimal(1),
    "万平方米": Decimal(10_000),
    "万㎡": Decimal(10_000),
}
KNOWN_UNITS = sorted(
    {*_YUAN, *_SQUARE_METRES, "万美元", "美元", "%", "个", "家", "户", "项", "套", "人", "万人", "辆", "吨"},
    key=len,
    reverse=True,
)
_EMPTY = {"", "-", "--", "—", "——", "/", "…", "无"}
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _family(unit: str) -> dict[str, Decimal] | None:
    for family in (_YUAN, _SQUARE_METRES):
        if unit in family:
            return family
    return None


def parse_number(value: Any, unit: str = "") -> Decimal | None:
    """A cell's number in ``unit``. Accepts thousands separators, full-width digits, a trailing
    unit equal to ``unit`` (or one that converts exactly, 万元 → 亿元) and "%" for percentages.
    Raises ValueError with a sentence for anything ambiguous."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("不是数字"))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return _parse_text(str(value), unit)


@lru_cache(maxsize=8192)
def _parse_text(value: str, unit: str) -> Decimal | None:
    # Sheets repeat the same texts (growth rates, "—"): each is read once. Errors are not cached.
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "").replace("−", "-")
    if text in _EMPTY:
        return None
    factor = Decimal(1)
    for suffix in KNOWN_UNITS:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            if unit and suffix != unit:
                family = _family(unit)
                if family is None or suffix not in family:
                    raise ValueError(
                        _("单位“%(found)s”与指标的计量单位“%(unit)s”不一致") % {"found": suffix, "unit": unit}
                    )
                factor = family[suffix] / family[unit]
            break
    if not text:
        raise ValueError(_("只有单位，没有数字"))
    if not _NUMBER.match(text):
        if "," in text and re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", text):
            raise ValueError(_("千位分隔符的位置不对，无法确定数值"))
        raise ValueError(_("不是数字"))
    try:
        return Decimal(text.replace(",", "")) * factor
    except InvalidOperation:
        raise ValueError(_("不是数字")) from None


def parse_percent(value: Any) -> Decimal | None:
    """A growth rate in percent: "7.2%", "7.2" or "-3.1". A bare fraction from a %-formatted cell
    (0.072) is not guessed at: Excel shows it as 7.2%, but we cannot tell it from 0.072%."""
    return parse_number(value, "%")


COUNT_UNITS = {"个", "家", "户", "项", "套", "人", "辆", "件", "次"}


def places_for(unit: str) -> int:
    """The decimals a figure in ``unit`` is shown with: none for a count (845 户, never 845.00
    户), one for a percentage, two for amounts."""
    if unit in COUNT_UNITS:
        return 0
    return 1 if unit == "%" else 2


def rounded(value: Any, places: int = 1) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, as Chinese statistics tables round
    (81.25 → 81.3; Python's own rounding is half-even and gives 81.2). The one rounding helper:
    pages, the API, exports, Word and charts all round through it."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def json_number(value: Any, places: int = 1) -> int | float | None:
    """A figure for JSON at its stated precision: a number, never a string ("7.20") or a long
    decimal ("8061868.0100000000"); a whole number when ``places`` is 0."""
    if value is None or value == "":
        return None
    number = rounded(value, places)
    return int(number) if places <= 0 else float(number)


def amount(value: Any, decimals: int = 1) -> str:
    """A number with digit grouping and fixed decimals; "–" when unknown."""
    if value is None or value == "":
        return "–"
    # Round half up first: Django's number_format cuts extra decimals off instead of rounding.
    number = rounded(value, decimals)
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


def growth(value: Any, decimals: int = 1) -> str:
    """增长 7.2% / 下降 3.1% / 持平."""
    if value is None or value == "":
        return "–"
    number = rounded(value, decimals)
    if number > 0:
        return _("增长 %(n)s%%") % {"n": amount(number, decimals)}
    if number < 0:
        return _("下降 %(n)s%%") % {"n": amount(-number, decimals)}
    return _("持平")


def points(value: Any, decimals: int = 1) -> str:
    """A difference of two percentages: 超 2.1 个百分点 / 落后 3.4 个百分点."""
    if value is None or value == "":
        return "–"
    number = rounded(value, decimals)
    if number > 0:
        return _("超 %(n)s 个百分点") % {"n": amount(number, decimals)}
    if number < 0:
        return _("落后 %(n)s 个百分点") % {"n": amount(-number, decimals)}
    return _("持平")


def plain(value: Any) -> str:
    """A number as typed back into a form: no exponent, no padding; "" when unknown."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def change_points(value: Any, decimals: int = 1) -> str:
    """How a rate or ratio moved: 提高 1.2 个百分点 / 降低 0.4 个百分点 / 持平 (never a percentage)."""
    if value is None or value == "":
        return "–"
    number = rounded(value, decimals)
    if number > 0:
        return _("提高 %(n)s 个百分点") % {"n": amount(number, decimals)}
    if number < 0:
        return _("降低 %(n)s 个百分点") % {"n": amount(-number, decimals)}
    return _("持平")


@dataclass(frozen=True)
class Growth:
    """Year-on-year growth as a statistics table prints it. ``rate`` in percent, or None with a
    ``note`` where a percentage would mislead (a loss turned to profit is 扭亏, not "下降 150%")."""

    rate: Decimal | None
    computed: bool = False  # worked out from the two values: no growth was published
    note: str = ""


def year_on_year(
    value: Decimal | None, last: Decimal | None, *, reported: Decimal | None = None, places: int = 1
) -> Growth:
    """The published growth whenever there is one (同口径, as the bureau gives it); else computed
    from last year's value and marked. A zero base gives "—"; a negative base (a loss) gives
    扭亏 (now ≥ 0), 减亏 (a smaller loss) or 增亏 (a larger one)."""
    if reported is not None:
        return Growth(rounded(reported, places))
    if value is None or last is None:
        return Growth(None)
    if last > 0:
        return Growth(rounded((value / last - 1) * 100, places), computed=True)
    if last == 0:
        return Growth(None, computed=True, note="—")
    if value >= 0:
        note = _("扭亏")
    elif value > last:
        note = _("减亏")
    elif value < last:
        note = _("增亏")
    else:
        note = _("持平")
    return Growth(None, computed=True, note=str(note))


def two_year_average(
    value: Decimal | None,
    two_years_ago: Decimal | None,
    *,
    growth: Decimal | None = None,
    growth_last_year: Decimal | None = None,
    places: int = 1,
) -> Decimal | None:
    """两年平均增速: the geometric mean of two years' growth, from the two published rates when both
    exist (their price basis kept), else from the value two years ago. None on a base ≤ 0."""
    if growth is not None and growth_last_year is not None:
        factor = (1 + growth / 100) * (1 + growth_last_year / 100)
    elif value is not None and two_years_ago is not None and two_years_ago > 0 and value >= 0:
        factor = value / two_years_ago
    else:
        return None
    if factor < 0:
        return None
    return rounded((factor.sqrt() - 1) * 100, places)


# --- Phrases for the cockpit and (coming) the briefings: the settled wording of an 经济运行分析 ---


def progress_phrase(gap: Any, places: int = 1) -> str:
    """Completion against time elapsed: 超序时进度 2.1 个百分点 / 落后序时进度 2.2 个百分点 / 与序时进度持平."""
    if gap is None or gap == "":
        return ""
    number = rounded(gap, places)
    if number > 0:
        return _("超序时进度 %(n)s 个百分点") % {"n": amount(number, places)}
    if number < 0:
        return _("落后序时进度 %(n)s 个百分点") % {"n": amount(-number, places)}
    return _("与序时进度持平")


def target_phrase(gap: Any, places: int = 1) -> str:
    """A rate against its target: 高于目标 0.6 个百分点 / 低于目标 0.5 个百分点 / 与目标持平."""
    if gap is None or gap == "":
        return ""
    number = rounded(gap, places)
    if number > 0:
        return _("高于目标 %(n)s 个百分点") % {"n": amount(number, places)}
    if number < 0:
        return _("低于目标 %(n)s 个百分点") % {"n": amount(-number, places)}
    return _("与目标持平")


def yuan(value: Any, unit: str = "万元", places: int = 2) -> str:
    """An amount of money as a briefing writes it: in 亿元 from one 亿 up, else in 万元, two
    decimals, rounded half up ("913.00亿元", "2,615.00万元"). ``value`` is in ``unit`` (元, 万元 or 亿元)."""
    if value is None or value == "":
        return "–"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit not in _YUAN:
        raise ValueError(f"not a yuan unit: {unit}")
    in_yuan = number * _YUAN[unit]
    if abs(in_yuan) >= _YUAN["亿元"]:
        return _("%(n)s亿元") % {"n": amount(in_yuan / _YUAN["亿元"], places)}
    return _("%(n)s万元") % {"n": amount(in_yuan / _YUAN["万元"], places)}


def growth_phrase(found: Growth, places: int = 1) -> str:
    """A :class:`Growth` in words: 增长 7.2% / 下降 3.1% / 持平, or its note (扭亏, 减亏 …) where
    a percentage would mislead; "" when nothing is known."""
    if found.rate is not None:
        return growth(found.rate, places)
    return found.note if found.note and found.note != "—" else ""


def rank_phrase(rank: int | None, of: int | None) -> str:
    """排名第3（共10个）; "" without a rank."""
    if not rank:
        return ""
    if not of:
        return _("排名第%(n)s") % {"n": rank}
    return _("排名第%(n)s（共%(m)s个）") % {"n": rank, "m": of}


def reference_phrase(gap: Any, reference: str, places: int = 1) -> str:
    """A growth rate against a reference rate (全市, 全省 …), in 百分点: 高于全市平均 1.3 个百分点 /
    低于全市平均 0.4 个百分点 / 与全市平均持平."""
    if gap is None or gap == "":
        return ""
    number = rounded(gap, places)
    if number > 0:
        return _("高于%(r)s平均 %(n)s 个百分点") % {"r": reference, "n": amount(number, places)}
    if number < 0:
        return _("低于%(r)s平均 %(n)s 个百分点") % {"r": reference, "n": amount(-number, places)}
    return _("与%(r)s平均持平") % {"r": reference}


def trend_phrase(change: Any, earlier: str, places: int = 1) -> str:
    """How a growth rate moved since an earlier period, in 百分点: 较上半年回升 0.3 个百分点 /
    较1—8月回落 0.2 个百分点 / 与上半年持平."""
    if change is None or change == "":
        return ""
    number = rounded(change, places)
    if number > 0:
        return _("较%(e)s回升 %(n)s 个百分点") % {"e": earlier, "n": amount(number, places)}
    if number < 0:
        return _("较%(e)s回落 %(n)s 个百分点") % {"e": earlier, "n": amount(-number, places)}
    return _("与%(e)s持平") % {"e": earlier}


def pull(part_change: Any, whole_last: Any) -> Decimal | None:
    """拉动: how many 百分点 of the whole's growth one part contributed, its increase over the
    whole's value a year ago (× 100). None on a base ≤ 0."""
    if part_change is None or whole_last is None:
        return None
    base = Decimal(str(whole_last))
    if base <= 0:
        return None
    return Decimal(str(part_change)) / base * 100


def pull_phrase(value: Any, places: int = 1) -> str:
    """拉动增长 1.8 个百分点 (a negative contribution: 下拉 0.6 个百分点)."""
    if value is None or value == "":
        return ""
    number = rounded(value, places)
    if number < 0:
        return _("下拉 %(n)s 个百分点") % {"n": amount(-number, places)}
    return _("拉动增长 %(n)s 个百分点") % {"n": amount(number, places)}


def two_year_phrase(value: Any, places: int = 1) -> str:
    """两年平均增长 5.1% / 两年平均下降 0.8%."""
    if value is None or value == "":
        return ""
    number = rounded(value, places)
    if number < 0:
        return _("两年平均下降 %(n)s%%") % {"n": amount(-number, places)}
    return _("两年平均增长 %(n)s%%") % {"n": amount(number, places)}


# The units the catalog and plans use, translatable; any other unit is shown as it was entered.
UNIT_LABELS = {
    "亿元": gettext_lazy("亿元"),
    "万元": gettext_lazy("万元"),
    "万美元": gettext_lazy("万美元"),
    "万平方米": gettext_lazy("万平方米"),
    "个": gettext_lazy("个"),
    "户": gettext_lazy("户"),
    "套": gettext_lazy("套"),
    "项": gettext_lazy("项"),
    "家": gettext_lazy("家"),
    "人": gettext_lazy("人"),
    "万人": gettext_lazy("万人"),
    "件": gettext_lazy("件"),
    "条": gettext_lazy("条"),
}


def unit_label(value: Any) -> str:
    """A unit as the reader's language writes it (亿元 is "100 m yuan" in English)."""
    text = str(value or "")
    return str(UNIT_LABELS[text]) if text in UNIT_LABELS else text
