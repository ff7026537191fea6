"""The indicator tables as .xlsx, laid out as they are on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xinqu.core.models import OrgUnit
from xinqu.core.numbers import change_points, json_number
from xinqu.core.xlsx import workbook_bytes
from xinqu.indicators.checks import warning_text
from xinqu.indicators.models import Indicator
from xinqu.indicators.selectors import Row, light_rule


def _num(value: Any, places: int = 1) -> Any:
    """A cell's number as the page shows it, rounded half up (never 78.2577 for 78.3)."""
    return json_number(value, places)


def _growth_words(row: Row) -> str:
    """What stands instead of, or beside, the growth rate: 扭亏 / 减亏 / 增亏, a rate's change in
    百分点, "一季度数据" after a quarter, and a computed growth marked as such."""
    words = []
    if row.growth_note:
        words.append(row.growth_note)
    if row.change_pp is not None:
        words.append(change_points(row.change_pp))
    if row.growth_computed:
        words.append(_("未公布增速，按上年同期数值计算"))
    if row.carried_label:
        words.append(row.carried_label)
    return "；".join(str(w) for w in words)


def _row_cells(row: Row) -> list[Any]:
    places = row.indicator.decimals
    return [
        row.period_label,
        _num(row.value, places),
        _num(row.single, places),
        _num(row.growth),
        _growth_words(row),
        _num(row.target_value, places),
        _num(row.target_growth),
        _num(row.completion),
        _num(row.time_progress),
        _num(row.gap),
        _num(row.growth_gap),
        row.light_label,
    ]


# Marked for the catalogue where no template already holds the same words (those with "%" do).
_HEADERS = [
    gettext_noop("期间"),
    gettext_noop("累计值"),
    gettext_noop("当期值"),
    "同比增长%",
    gettext_noop("增速说明"),
    gettext_noop("目标值"),
    "目标增速%",
    "完成率%",
    "序时进度%",
    gettext_noop("超/落后序时进度（百分点）"),
    gettext_noop("增速差（百分点）"),
    gettext_noop("亮灯"),
]


def overview_workbook(rows: list[Row], unit: OrgUnit, period: dt.date) -> bytes:
    headers = [_("指标"), _("计量单位"), *(_(h) for h in _HEADERS), _("亮灯规则")]
    table = ([r.indicator.name, r.indicator.unit, *_row_cells(r), light_rule(r.indicator)] for r in rows)
    return workbook_bytes(f"{unit.name} {period:%Y-%m}", headers, table, widths=[26, 10, 14])


def breakdown_workbook(indicator: Indicator, total: Row, rows: list[Row]) -> bytes:
    headers = [_("地区"), *(_(h) for h in _HEADERS), _("按数值排名"), _("按增速排名")]
    table = [[r.unit.name, *_row_cells(r), r.value_rank or "–", r.growth_rank or "–"] for r in [total, *rows]]
    return workbook_bytes(f"{indicator.name}（{indicator.unit}）", headers, table, widths=[22, 14])


def benchmark_workbook(indicator: Indicator, year: int, result: dict[str, Any]) -> bytes:
    # The import's columns (indicators.imports.PEER_COLUMNS) first, so an export edited in Excel
    # goes back in as it is; the ranks after them are left out on import.
    headers = [
        _("新区"),
        _("年度"),
        _("总量"),
        _("增速（%）"),
        _("统计范围"),
        _("来源"),
        _("说明"),
        _("按总量排名"),
        _("按增速排名"),
    ]
    table = (
        [
            r.peer.name,
            year,
            _num(r.value, indicator.decimals),
            _num(r.growth),
            r.scope,
            r.source,
            r.note,
            r.value_rank or "–",
            r.growth_rank or "–",
        ]
        for r in result["rows"]
    )
    return workbook_bytes(
        f"{indicator.name} {year}", headers, table, widths=[20, 8, 14, 10, 20, 30, 50, 10, 10]
    )


def catalog_workbook(indicators: list[Indicator]) -> bytes:
    headers = [
        _("编码"),
        _("名称"),
        _("英文名称"),
        _("指标类别"),
        _("计量单位"),
        _("频度"),
        _("累计发布"),
        _("可按区域加总"),
        _("方向"),
        _("增速口径"),
        _("序时进度"),
        _("填报到"),
        _("负责部门"),
        _("计算公式"),
        _("亮灯规则"),
    ]
    table = (
        [
            i.code,
            i.name,
            i.name_en,
            i.get_kind_display(),
            i.unit,
            i.get_frequency_display(),
            _("是") if i.cumulative else _("否"),
            _("是") if i.additive else _("否"),
            i.get_direction_display(),
            i.get_price_basis_display(),
            _("按季节比重") if i.seasonal_progress else _("已过月数 ÷ 12"),
            i.get_lowest_level_display(),
            str(i.department),
            i.formula,
            light_rule(i),
        ]
        for i in indicators
    )
    return workbook_bytes(_("指标目录"), headers, table, widths=[24, 26, 30, 10])


def targets_workbook(year: int, rows: list[Any]) -> bytes:
    headers = [_("指标"), _("地区"), _("计量单位"), _("目标值"), _("目标增速（%）"), _("分月进度（累计%）")]
    table = (
        [
            r.indicator.name,
            r.unit.name,
            r.indicator.unit,
            _num(r.target.value) if r.target else None,
            _num(r.target.growth) if r.target else None,
            ", ".join(f"{p:g}" for p in r.target.phasing) if r.target else "",
        ]
        for r in rows
    )
    return workbook_bytes(str(year), headers, table, widths=[26, 20, 10, 14, 14, 50])


def return_workbook(submission: Any, values: list[Any]) -> bytes:
    headers = [
        _("指标名称"),
        _("计量单位"),
        _("地区"),
        _("本月"),
        _("累计"),
        _("同比增长（%）"),
        _("核实提示"),
    ]
    table = (
        [
            v.indicator.name,
            v.indicator.unit,
            v.org_unit.name,
            _num(v.period_value),
            _num(v.ytd_value),
            _num(v.growth),
            "；".join(warning_text(w) for w in v.warnings),
        ]
        for v in values
    )
    return workbook_bytes(f"{submission.period:%Y-%m}", headers, table, widths=[26, 10, 20, 14, 14, 14, 60])
