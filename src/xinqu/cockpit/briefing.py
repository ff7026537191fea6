"""The monthly economic-operations briefing (经济运行分析), written from the cockpit's tiles.

:func:`compose` reads every tile the reader may see for a closed month, each figure where it
lives (the figure register, the indicator overview), and writes the briefing's text through the
number-and-phrase helper (:mod:`xinqu.core.numbers`): a title and a foreword, a section per
module with its table and charts, the lagging items and what to do about them, and the closing
list of problems to solve. The result is plain JSON, the briefing's snapshot: the .docx and the
PDF are drawn from it (:mod:`xinqu.cockpit.documents`), and a later revision of the data leaves
it as it was written.

A figure the month has no value for is named in the document ("本期缺少以下数据"), never left
blank.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinqu.cockpit import selectors
from xinqu.core.cockpit import Figure, Line, Scope
from xinqu.core.modules import cockpit_tiles
from xinqu.core.numbers import amount, unit_label, yuan
from xinqu.core.periods import month_label

VERSION = 1
ORDINALS_ZH = "一二三四五六七八九十"
LINES_SHOWN = 10  # records a section lists under its paragraph (hazards, overdue requests …)
POINT = 3  # figures to one point (一是…) of a section's paragraph
ADVICE = 6  # lagging figures the 意见建议 take up one by one


def span(month: dt.date, language: str) -> str:
    """The months a year-to-date briefing covers: 2023年1—12月 / January–December 2023."""
    if language == "en":
        first = "January" if month.month > 1 else ""
        return f"{first}{'–' if first else ''}{month:%B} {month.year}"
    if month.month == 1:
        return f"{month.year}年1月"
    return f"{month.year}年1—{month.month}月"


def ordinal(index: int, language: str) -> str:
    """一、二、三、 for a section heading; 1. 2. 3. in English."""
    if language == "en":
        return f"{index + 1}. "
    return f"{ORDINALS_ZH[index] if index < len(ORDINALS_ZH) else index + 1}、"


def point(index: int, language: str) -> str:
    """一是 / 二是 … opening each point of a paragraph; First, / Second, … in English."""
    if language == "en":
        words = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth"]
        return f"{words[index] if index < len(words) else index + 1}, "
    return f"{ORDINALS_ZH[index] if index < len(ORDINALS_ZH) else index + 1}是"


def stated(figure: Figure) -> str:
    """The figure's value as a briefing prints it: money in 亿元/万元 to two decimals, a rate to
    one decimal with its %, a count as a whole number, with its unit."""
    if figure.value is None:
        return _("数据缺失")
    if figure.unit in ("元", "万元", "亿元"):
        return yuan(figure.value, figure.unit)
    if figure.unit == "%":
        return f"{amount(figure.value, 1)}%"
    places = 2 if figure.places else 0
    return f"{amount(figure.value, places)}{_unit(figure.unit)}"


def _unit(unit: str) -> str:
    shown = unit_label(unit).strip()
    return f" {shown}" if shown[:1].isascii() and shown else shown


def sentence(figure: Figure) -> str:
    """地区生产总值完成913.00亿元，增长 7.2%，…: the figure with its growth or 百分点 and rank."""
    money = figure.unit in ("元", "万元", "亿元")
    if "完成" in figure.label:  # 项目完成投资 98.60亿元, not 完成投资完成
        template = _("%(label)s%(value)s")
    else:
        template = _("%(label)s完成%(value)s") if money else _("%(label)s为%(value)s")
    text = template % {
        "label": figure.label,
        "value": stated(figure),
    }
    for part in (figure.note, figure.rank):
        if part:
            text += _("，") + part
    return text


def _figures_paragraph(figures: list[Figure], language: str) -> list[str]:
    """The section's text: 一是…；二是… for a long list, one sentence otherwise."""
    held = [f for f in figures if f.value is not None]
    if not held:
        return []
    end = "." if language == "en" else "。"
    if len(held) <= POINT:
        return [_("；").join(sentence(f) for f in held) + end]
    groups = [held[i : i + POINT] for i in range(0, len(held), POINT)]
    return [
        point(i, language) + _("；").join(sentence(f) for f in group) + end for i, group in enumerate(groups)
    ]


def _table(figures: list[Figure]) -> dict[str, Any]:
    return {
        "columns": [_("指标"), _("本期"), _("增减及进度"), _("排名")],
        "rows": [[f.label, stated(f), f.note or "—", f.rank or "—"] for f in figures],
    }


def _chart(chart: dict[str, Any], title: str) -> dict[str, Any]:
    return {
        "title": str(chart.get("title") or title),
        "categories": [str(c) for c in chart.get("categories", [])],
        "unit": unit_label(chart.get("unit", "")),
        "series": [
            {
                "name": str(s.get("name", "")),
                "data": list(s.get("data", [])),
                "type": s.get("type", "bar"),
            }
            for s in chart.get("series", [])
        ],
    }


def _lagging(figure: Figure) -> bool:
    return figure.light in ("red", "yellow") and not figure.legend


def _line(line: Line) -> str:
    return f"{line.label}（{line.detail}）" if line.detail else line.label


def _foreword(scope: Scope, unit_name: str, language: str, figures: list[Figure], lagging: int) -> str:
    """The opening paragraph: how the main figures moved, how many lag behind time elapsed."""
    changed = [f for f in figures if f.change is not None and f.unit != "%"]
    rising = sum(1 for f in changed if f.change is not None and f.change > 0)
    falling = sum(1 for f in changed if f.change is not None and f.change < 0)
    if changed and rising >= falling * 2:
        tone = _("经济运行总体平稳、稳中有进")
    elif changed and rising >= falling:
        tone = _("经济运行总体平稳")
    else:
        tone = _("经济运行承压")
    text = _("%(span)s，%(unit)s%(tone)s。") % {
        "span": span(scope.month, language),
        "unit": unit_name,
        "tone": tone,
    }
    lead = [f for f in figures if f.value is not None][:2]
    stop = ". " if language == "en" else "。"
    if lead:
        text += _("；").join(sentence(f) for f in lead) + stop
    if changed:
        text += _("%(n)s 项主要指标中，%(r)s 项增长，%(f)s 项下降。") % {
            "n": len(changed),
            "r": rising,
            "f": falling,
        }
    if lagging:
        text += _("有 %(n)s 项指标落后序时进度或低于目标，需加快推进。") % {"n": lagging}
    elif any(f.light and not f.live for f in figures):
        text += _("有目标的指标均达到序时进度。")
    return text


def compose(*, reader: Any, scope: Scope, language: str) -> dict[str, Any]:
    """The briefing's content for what ``reader`` may see, in ``language``. A month that is not
    closed, or that has no figures at all, is refused with the reason."""
    if not scope.closed:
        raise ValidationError(
            {
                "period": _("%(m)s 尚未关账，不能生成经济运行分析：请待统计部门关账后再生成。")
                % {"m": scope.label}
            }
        )
    with override(language):
        return _compose(reader, Scope(scope.unit, scope.month, scope.closed, briefing=True), language)


def _compose(reader: Any, scope: Scope, language: str) -> dict[str, Any]:
    shown = selectors.tiles(reader, scope)
    for tile in cockpit_tiles():
        found = next((s for s in shown if s.tile.key == tile.key), None)
        if tile.essential and (scope.is_zone or tile.areas) and not (found and found.data.figures):
            raise ValidationError(
                {
                    "period": _(
                        "%(m)s 的%(tile)s还没有数据，不能生成经济运行分析：请待数据报送并关账后再生成。"
                    )
                    % {"m": month_label(scope.month), "tile": tile.label}
                }
            )
    # Open items are counted now, not as of a month: only the current period's briefing has them.
    current = selectors.months()[0][0] == scope.month
    for s in shown:
        if not current:
            s.data.figures = [f for f in s.data.figures if not f.live]
        if s.data.live and not current:
            s.data.lines, s.data.chart, s.data.more = [], None, 0
    shown = [s for s in shown if s.data.figures or s.data.lines]
    everything = [f for s in shown for f in s.data.figures]
    if not any(f.value is not None for f in everything):
        raise ValidationError(
            {"period": _("%(m)s 没有任何指标数据，不能生成经济运行分析。") % {"m": month_label(scope.month)}}
        )
    unit_name = scope.unit.display_name(language)
    sections: list[dict[str, Any]] = []
    charts = 0
    for s in shown:
        label = str(s.tile.label)
        section: dict[str, Any] = {
            "key": s.tile.key,
            "heading": ordinal(len(sections), language) + label,
            "paragraphs": _figures_paragraph(s.data.figures, language),
            "table": _table(s.data.figures) if s.data.figures else None,
            "lines_title": (
                _("%(title)s（截至生成时）") % {"title": s.data.lines_title}
                if s.data.live
                else str(s.data.lines_title)
            )
            if s.data.lines
            else "",
            "lines": [_line(line) for line in s.data.lines[:LINES_SHOWN]],
            "more": s.data.more + max(len(s.data.lines) - LINES_SHOWN, 0),
            "note": s.data.note,
            "charts": [],
        }
        if s.data.chart:
            section["charts"].append(_chart(s.data.chart, label))
        section["charts"] += [_chart(c, label) for c in s.data.briefing_charts]
        charts += len(section["charts"])
        sections.append(section)
    lagging = [f for f in everything if _lagging(f) and not f.live]
    watch = [f for f in everything if _lagging(f) and f.live]
    alerts = selectors.alerts(shown)
    missing = [name for s in shown for name in s.data.missing]
    missing += [f.label for f in everything if f.value is None]
    issues = [i for s in shown for i in s.data.issues]
    end = "." if language == "en" else "。"
    return {
        "version": VERSION,
        "language": language,
        "unit": scope.unit.code,
        "unit_name": unit_name,
        "period": f"{scope.month:%Y-%m}",
        "title": _("%(unit)s%(span)s经济运行分析") % {"unit": unit_name, "span": span(scope.month, language)},
        "as_of": _("数据截至 %(period)s末") % {"period": scope.label},
        "written_at": f"{timezone.localtime():%Y-%m-%d %H:%M}",
        "foreword": _foreword(scope, unit_name, language, everything, len(lagging)),
        "missing": missing,
        "sections": sections,
        "lagging_heading": ordinal(len(sections), language) + _("落后和预警事项"),
        "lagging": [sentence(f) + end for f in lagging]
        + [_line(a) + end for a in alerts]
        + [_("%(what)s（截至生成时）") % {"what": sentence(f)} + end for f in watch],
        "lagging_none": _("本期没有落后序时进度或亮灯变差的指标。"),
        "advice_heading": ordinal(len(sections) + 1, language) + _("意见建议"),
        "advice": _advice(lagging, watch, issues, language),
        "issues_heading": ordinal(len(sections) + 2, language) + _("需要解决的问题"),
        "issues": [_line(i) for i in issues],
        "issues_none": _("本期没有未解决的问题。"),
        "charts": charts,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": None if f.value is None else str(f.value),
                "unit": f.unit,
            }
            for f in everything
        ],
    }


def _advice(lagging: list[Figure], watch: list[Figure], issues: list[Line], language: str) -> list[str]:
    """意见建议 from the data: one for each lagging figure and each open alarm, one for the
    open problems."""
    end = "." if language == "en" else "。"
    # The red first; past ADVICE the rest are named together rather than one by one.
    ordered = sorted(lagging, key=lambda f: f.light != "red")
    found = [
        _("盯紧%(label)s：%(note)s，要逐月调度、压茬推进，确保完成全年目标")
        % {"label": f.label.removeprefix("其中："), "note": f.note or stated(f)}
        + end
        for f in ordered[:ADVICE]
    ]
    if len(ordered) > ADVICE:
        found.append(
            _("%(names)s也落后序时进度或低于目标，责任部门要对标对表、加快追赶")
            % {"names": _("、").join(f.label.removeprefix("其中：") for f in ordered[ADVICE:])}
            + end
        )
    found += [
        _("抓紧处置%(label)s（%(value)s）：责任部门要限时办理、按期销号")
        % {"label": f.label, "value": stated(f)}
        + end
        for f in watch
    ]
    if issues:
        found.append(
            _("推动问题清单销号：本期仍有 %(n)s 个问题未解决，责任部门要限时办结、逐项销号")
            % {"n": len(issues)}
            + end
        )
    if not found:
        found.append(_("保持各项指标按序时进度推进，巩固向好态势") + end)
    return found
