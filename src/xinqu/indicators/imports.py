"""Importing indicator values from the workbook statistics bureaus publish: one row per indicator,
with 本月, 累计 and 同比增长% columns. The org unit and period come from the upload form, or from
地区 and 期间 columns when one sheet holds several. Values land in the department's open return
(a draft) for each period, all rows or none; the return then goes through checks and approval."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import ensure_can_write
from xinqu.core.audit import audit_record
from xinqu.core.bulk import insert_rows, update_rows
from xinqu.core.imports import (
    PREVIEW_ROWS,
    Column,
    ImportReport,
    all_or_nothing,
    parse_int,
    parse_text,
    read_records,
)
from xinqu.core.jobs import ImportKind
from xinqu.core.models import AuditEntry, OrgUnit, User
from xinqu.core.numbers import _family, parse_number, parse_percent
from xinqu.core.params import YEAR_MAX, YEAR_MIN
from xinqu.indicators.checks import find_warnings
from xinqu.indicators.models import Indicator, PeerFigure, PeerZone, Submission, SubmissionValue
from xinqu.indicators.services import (
    ValueInput,
    _catalog_problem,
    check_period,
    ensure_department_member,
    latest_closed_period,
    numbers_problem,
    peer_figure_set,
)

Progress = Callable[[int], None]
_PERIOD = re.compile(r"^(\d{4})\s*[-/.年]\s*(?:1\s*[-—~至]\s*)?(\d{1,2})\s*月?(?:份)?$")


def parse_period(value: Any) -> dt.date | None:
    """2024-05, 2024/5, 2024年5月, 2024年1-5月 or a date cell: the first day of that month."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return _period_from_text(parse_text(value))


@lru_cache(maxsize=1024)
def _period_from_text(text: str) -> dt.date:
    # A sheet names the same few periods on every row.
    match = _PERIOD.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(_("期间应写作 2024-05 或 2024年1-5月"))
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _raw(value: Any) -> Any:
    return value  # numbers are read per indicator, in its unit (see _row)


INDICATOR_VALUE_COLUMNS = [
    # The English headers are the English template's (see the import page); both are accepted.
    Column("指标名称", "name", required=True, aliases=("指标", "指标名", "Indicator")),
    Column("计量单位", "unit", aliases=("单位", "Unit")),
    Column("地区", "place", aliases=("区域", "单位名称", "功能区/园区", "Place")),
    Column("期间", "period", parse=parse_period, aliases=("时期", "月份", "统计期", "Period")),
    Column("本月", "period_value", parse=_raw, aliases=("当月", "本月值", "当月值", "本期", "Thismonth")),
    Column(
        "累计",
        "ytd_value",
        parse=_raw,
        aliases=("累计值", "本年累计", "1-N月累计", "本期累计", "数值", "Yeartodate"),
    ),
    Column(
        "同比增长%",
        "growth",
        parse=parse_percent,
        aliases=(
            "同比增长（%）",
            "同比增长(%)",
            "同比增长",
            "增速（%）",
            "增速(%)",
            "增速",
            "增长（%）",
            "增长(%)",
            "比上年同期增长（%）",
            "比上年同期增长(%)",
            "同比±%",
            "同比±（%）",
            "Growth%",
        ),
    ),
]


class _Catalog:
    def __init__(self) -> None:
        indicators = list(Indicator.objects.select_related("department"))
        self.by_name: dict[str, Indicator] = {}
        for i in indicators:
            self.by_name[i.name] = i
            self.by_name.setdefault(i.code, i)
            # Bureaus add 其中：, spaces and unit notes to names; match without them.
            self.by_name.setdefault(_bare(i.name), i)
        self.names = [i.name for i in indicators]
        self.verdicts: dict[tuple[int, str, int], str | None] = {}
        units = list(OrgUnit.objects.all())
        self.units: dict[str, OrgUnit | None] = {}
        for unit in units:
            self.units[unit.name] = None if unit.name in self.units else unit

    def indicator(self, name: str) -> Indicator | None:
        return self.by_name.get(name) or self.by_name.get(_bare(name))

    def suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, self.names, n=3, cutoff=0.3) or difflib.get_close_matches(
            _bare(name), self.names, n=3, cutoff=0.2
        )


def _bare(name: str) -> str:
    return re.sub(r"^(其中|其中：|其中:)|[\s：:（(].*$", "", name.replace("其中：", "").replace(" ", ""))


def indicator_values_import(
    *,
    actor: User,
    file: IO[bytes],
    dry_run: bool,
    progress: Progress | None = None,
    period: str | None = None,
    org_unit: int | None = None,
) -> ImportReport:
    report = ImportReport(kind="indicator_values", dry_run=dry_run)
    try:
        ensure_department_member(actor)
    except PermissionDenied as exc:
        report.fatal = str(exc)
        return report
    default_period = dt.date.fromisoformat(f"{period}-01") if period else None
    default_unit = OrgUnit.objects.filter(pk=org_unit).first() if org_unit else None
    catalog = _Catalog()
    latest = latest_closed_period()
    rows: dict[tuple[int, int, dt.date], tuple[int, ValueInput]] = {}
    with all_or_nothing(report):
        for number, record in read_records(file, INDICATOR_VALUE_COLUMNS, report):
            if progress and number % 2000 == 0:
                progress(number)
            parsed = _row(report, number, record, catalog, default_period, default_unit, latest, actor)
            if parsed is None:
                continue
            when, value = parsed
            key = (value.indicator.id, value.org_unit.id, when)
            if key in rows:
                report.add_error(
                    number,
                    _("指标名称"),
                    record["name"],
                    _("与第 %(row)d 行重复（同一指标、地区和期间）") % {"row": rows[key][0]},
                )
                continue
            rows[key] = (number, value)
        if report.ok:
            _write(actor, report, rows)
    return report


def _row(
    report: ImportReport,
    number: int,
    record: dict[str, Any],
    catalog: _Catalog,
    default_period: dt.date | None,
    default_unit: OrgUnit | None,
    latest: dt.date,
    actor: User,
) -> tuple[dt.date, ValueInput] | None:
    name = record["name"]
    indicator = catalog.indicator(name)
    if indicator is None:
        hints = catalog.suggest(name)
        reason = _("指标目录中没有这个指标")
        if hints:
            reason += _("。您是不是要找：%(names)s") % {"names": "、".join(hints)}
        report.add_error(number, _("指标名称"), name, reason)
        return None
    unit_label = indicator.unit
    if record.get("unit") and record["unit"] != indicator.unit:
        family = _family(indicator.unit)
        if family is None or record["unit"] not in family:
            report.add_error(
                number,
                _("计量单位"),
                record["unit"],
                _("与指标目录的计量单位“%(unit)s”不一致") % {"unit": indicator.unit},
            )
            return None
        unit_label = record["unit"]  # values in 万元 for an indicator kept in 亿元: converted exactly
    place = default_unit
    if record.get("place"):
        place = catalog.units.get(record["place"])
        if place is None:
            reason = (
                _("地区名称重复，无法确定是哪一个") if record["place"] in catalog.units else _("没有这个地区")
            )
            report.add_error(number, _("地区"), record["place"], reason)
            return None
    if place is None:
        report.add_error(number, _("地区"), "", _("请在表中填写地区，或在上传时选择地区"))
        return None
    when = record.get("period") or default_period
    if when is None:
        report.add_error(number, _("期间"), "", _("请在表中填写期间，或在上传时选择期间"))
        return None
    if when > latest:
        report.add_error(number, _("期间"), f"{when:%Y-%m}", _("期间尚未结束，不能填报"))
        return None
    numbers: dict[str, Decimal | None] = {}
    for key in ("ytd_value", "period_value"):
        try:
            numbers[key] = _in_unit(parse_number(record.get(key), unit_label), unit_label, indicator.unit)
        except ValueError as exc:
            report.add_error(
                number, _("累计") if key == "ytd_value" else _("本月"), record.get(key), str(exc)
            )
            return None
    value = ValueInput(indicator, place, numbers["ytd_value"], numbers["period_value"], record.get("growth"))
    # The catalog's verdict is the same for every row of an indicator, unit kind and month.
    verdict_key = (indicator.id, place.kind, when.month)
    if verdict_key not in catalog.verdicts:
        catalog.verdicts[verdict_key] = _catalog_problem(actor.department_id, indicator, place, when.month)
    problem = catalog.verdicts[verdict_key] or numbers_problem(value)
    if problem:
        report.add_error(number, _("指标名称"), name, problem)
        return None
    return when, value


def _in_unit(number: Decimal | None, given: str, wanted: str) -> Decimal | None:
    if number is None or given == wanted:
        return number
    family = _family(wanted) or {}
    return number * family[given] / family[wanted]


def _write(
    actor: User, report: ImportReport, rows: dict[tuple[int, int, dt.date], tuple[int, ValueInput]]
) -> None:
    department_id = ensure_department_member(actor)
    by_period: dict[dt.date, list[tuple[int, ValueInput]]] = defaultdict(list)
    for (_i, _u, when), item in rows.items():
        by_period[when].append(item)
    for when in sorted(by_period):
        items = by_period[when]
        try:
            check_period(when)
        except ValidationError as exc:
            report.add_error(items[0][0], _("期间"), f"{when:%Y-%m}", exc.messages[0])
            return
        submission = (
            Submission.objects.select_for_update()
            .filter(department_id=department_id, period=when, status__in=Submission.OPEN)
            .first()
        )
        if submission is not None and not submission.is_editable:
            report.add_error(
                items[0][0],
                _("期间"),
                f"{when:%Y-%m}",
                _("本部门该月的填报已上报待审核，不能再导入；请负责人先退回"),
            )
            return
        if submission is None:
            submission = Submission.objects.create(department_id=department_id, period=when, created_by=actor)
        existing = {(v.indicator_id, v.org_unit_id): v for v in submission.values.select_related("indicator")}
        creates: list[tuple[int, ValueInput]] = []
        updates: list[SubmissionValue] = []
        for number, value in items:
            current = existing.get((value.indicator.id, value.org_unit.id))
            numbers = (value.ytd_value, value.period_value, value.growth)
            if current is None:
                creates.append((number, value))
            elif (current.ytd_value, current.period_value, current.growth) != numbers:
                current.ytd_value, current.period_value, current.growth = numbers
                updates.append(current)
            else:
                report.unchanged += 1
                continue
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(
                    {
                        "row": number,
                        "action": str(_("新增") if current is None else _("更新")),
                        "label": f"{value.org_unit.name} · {value.indicator.period_label(when)}",
                        "name": f"{value.indicator.name}：{value.ytd_value if value.ytd_value is not None else ''}",
                    }
                )
        # Warnings for the whole return as it will be, computed before anything is written.
        merged: list[Any] = [*existing.values(), *(value for _n, value in creates)]
        warnings = find_warnings(when, merged)
        by_key = {(v.indicator.id, v.org_unit_id): w for v, w in zip(merged, warnings, strict=True)}
        insert_rows(
            SubmissionValue,
            [
                "submission_id",
                "indicator_id",
                "org_unit_id",
                "ytd_value",
                "period_value",
                "growth",
                "warnings",
                "confirmed_by_id",
            ],
            (
                (
                    submission.pk,
                    value.indicator.id,
                    value.org_unit.id,
                    value.ytd_value,
                    value.period_value,
                    value.growth,
                    by_key[(value.indicator.id, value.org_unit.id)],
                    None,
                )
                for _n, value in creates
            ),
        )
        rewrites = {v.pk: v for v in updates}
        for stored in existing.values():
            found = by_key[(stored.indicator_id, stored.org_unit_id)]
            if found != stored.warnings:
                stored.warnings, stored.confirmed_by_id = found, None
                rewrites[stored.pk] = stored
        update_rows(
            SubmissionValue,
            ["ytd_value", "period_value", "growth", "warnings", "confirmed_by_id"],
            (
                (v.ytd_value, v.period_value, v.growth, v.warnings, v.confirmed_by_id, v.pk)
                for v in rewrites.values()
            ),
        )
        report.created += len(creates)
        report.updated += len(updates)
        if creates or updates:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=submission,
                changes={"values": [None, {"added": len(creates), "changed": len(updates)}]},
                detail="xlsx import",
            )


INDICATOR_VALUES = ImportKind(
    "indicator_values",
    gettext_lazy("经济指标数据"),
    indicator_values_import,
    INDICATOR_VALUE_COLUMNS,
    "indicators:returns",
)


# --- peer zones' figures ------------------------------------------------------------------------

PEER_COLUMNS = [
    Column("新区", "peer", required=True, max_length=60, aliases=("对标新区",)),
    Column("年度", "year", required=True, parse=parse_int),
    Column("总量", "value", parse=_raw),
    Column("增速（%）", "growth", parse=_raw, aliases=("增速%", "增速")),
    Column("统计范围", "scope", max_length=120),
    Column("来源", "source", max_length=500),
    Column("说明", "note", max_length=300),
]


def peer_figures_import(
    *, actor: User, file: IO[bytes], dry_run: bool, indicator: str = "", **_options: Any
) -> ImportReport:
    """Peer zones' published figures for one indicator, one row per zone and year: the owning
    department's staff import them, all rows or none. A zone not yet listed is added."""
    report = ImportReport(kind="peer_figures", dry_run=dry_run)
    found = Indicator.objects.filter(code=indicator).first()
    if found is None:
        report.fatal = str(_("没有这个指标。"))
        return report
    try:
        ensure_can_write(actor, found)
    except PermissionDenied:
        report.fatal = str(_("只有该指标的负责部门可以维护对标数据。"))
        return report
    seen: dict[tuple[str, int], int] = {}
    with all_or_nothing(report):
        for number, record in read_records(file, PEER_COLUMNS, report):
            year = record["year"]
            if not YEAR_MIN <= year <= YEAR_MAX:
                report.add_error(
                    number,
                    _("年度"),
                    year,
                    _("年份须在 %(lo)d 至 %(hi)d 之间") % {"lo": YEAR_MIN, "hi": YEAR_MAX},
                )
                continue
            key = (record["peer"], year)
            if key in seen:
                report.add_error(
                    number,
                    _("新区"),
                    record["peer"],
                    _("与第 %(row)d 行重复（同一新区和年度）") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            numbers: dict[str, Decimal | None] = {}
            for field, label, parse in (
                ("value", _("总量"), lambda raw: parse_number(raw, found.unit)),
                ("growth", _("增速（%）"), parse_percent),
            ):
                try:
                    numbers[field] = parse(record.get(field))
                except ValueError as exc:
                    report.add_error(number, label, record.get(field), str(exc))
            if len(numbers) < 2:
                continue
            value, growth = numbers["value"], numbers["growth"]
            source = record.get("source", "")
            if source and not re.match(r"^https?://", source):
                report.add_error(number, _("来源"), source, _("来源应为以 http:// 或 https:// 开头的网址"))
                continue
            peer, created = PeerZone.objects.get_or_create(name=record["peer"])
            existed = PeerFigure.objects.filter(peer=peer, indicator=found, year=year).exists()
            try:
                peer_figure_set(
                    actor=actor,
                    peer=peer,
                    indicator=found,
                    year=year,
                    value=value,
                    growth=growth,
                    scope=record.get("scope", ""),
                    source=source,
                    note=record.get("note", ""),
                )
            except ValidationError as exc:
                report.add_error(number, _("新区"), record["peer"], exc.messages[0])
                continue
            if existed:
                report.updated += 1
            else:
                report.created += 1
            if len(report.preview) < PREVIEW_ROWS:
                action = _("更新") if existed else _("新增新区") if created else _("新增")
                report.preview.append(
                    {"row": number, "action": str(action), "label": str(year), "name": peer.name}
                )
    return report


PEER_FIGURES = ImportKind(
    "peer_figures",
    gettext_lazy("对标数据"),
    peer_figures_import,
    PEER_COLUMNS,
    "indicators:overview",
)
