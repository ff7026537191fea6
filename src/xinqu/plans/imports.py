"""The plan from the office's workbook (the columns `exports.PLAN_COLUMNS` writes): one row per
node, matched by its code; a parent is named by its code and must come earlier in the sheet or be
in the plan already. Rows update the nodes they name and add the others; nothing is deleted. Every
row goes through `services.node_save`, so the import refuses what the form refuses (cycles, a KPI
without an owner …), row by row, and writes all rows or none."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.imports import (
    Column,
    ImportReport,
    all_or_nothing,
    parse_date,
    parse_decimal,
    parse_text,
    read_records,
)
from xinqu.core.jobs import ImportKind
from xinqu.core.models import Department, User
from xinqu.core.numbers import parse_number
from xinqu.plans import services
from xinqu.plans.exports import PLAN_COLUMNS
from xinqu.plans.models import Node, Plan

Progress = Callable[[int], None]
_REQUIRED = {"code", "kind", "title"}
_PARSERS: dict[str, Callable[[Any], Any]] = {"deadline": parse_date, "weight": parse_decimal}
PLAN_IMPORT_COLUMNS = [
    Column(zh, key, required=key in _REQUIRED, parse=_PARSERS.get(key, parse_text), aliases=(en,))
    for key, zh, en in PLAN_COLUMNS
]


def _choice(text: str, choices: Any, what: str) -> str:
    for value, label in choices:
        if text in {value, str(label)}:
            return str(value)
    raise ValueError(
        _("不是有效的%(what)s，应为：%(options)s")
        % {"what": what, "options": "、".join(str(label) for _v, label in choices)}
    )


def plan_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None, year: int | None = None
) -> ImportReport:
    report = ImportReport(kind="plan_nodes", dry_run=dry_run)
    plan = Plan.objects.filter(year=year or 0).first()
    if plan is None:
        report.fatal = _("没有 %(year)s 年的计划。") % {"year": year}
        return report
    try:
        services.ensure_office(actor)
    except PermissionDenied as exc:
        report.fatal = str(exc)
        return report
    departments = {d.name: d for d in Department.objects.all()} | {
        d.code: d for d in Department.objects.all()
    }
    with all_or_nothing(report):
        for number, record in read_records(file, PLAN_IMPORT_COLUMNS, report):
            if progress and number % 200 == 0:
                progress(number)
            try:
                fields, partners = _fields(plan, record, departments)
            except ValueError as exc:
                column, _sep, reason = str(exc).partition("|")
                report.add_error(number, column, "", reason)
                continue
            node = plan.nodes.filter(code=fields["code"]).first()
            try:
                services.node_save(actor=actor, plan=plan, node=node, partner_departments=partners, **fields)
            except ValidationError as exc:
                for field, messages in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                ):
                    report.add_error(number, _header(field), record.get(field, ""), "；".join(messages))
                continue
            if node is None:
                report.created += 1
            else:
                report.updated += 1
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": fields["code"], "title": fields["title"]})
    return report


def _header(key: str) -> str:
    return next((zh for k, zh, _en in PLAN_COLUMNS if k == key), key)


def _fields(
    plan: Plan, record: dict[str, Any], departments: dict[str, Department]
) -> tuple[dict[str, Any], list[Department]]:
    """The row as node_save's fields. ValueError("列|原因") names the bad cell."""
    fields: dict[str, Any] = {"code": record["code"], "title": record["title"]}
    try:
        fields["kind"] = _choice(record["kind"], Node.Kind.choices, _("类型"))
    except ValueError as exc:
        raise ValueError(f"{_header('kind')}|{exc}") from None
    parent_code = record.get("parent") or ""
    fields["parent"] = None
    if parent_code:
        fields["parent"] = plan.nodes.filter(code=parent_code).first()
        if fields["parent"] is None:
            raise ValueError(
                f"{_header('parent')}|"
                + _("没有编号为 %(code)s 的上级节点（上级须在本行之前或已在计划中）") % {"code": parent_code}
            )
    lead = record.get("lead_department") or ""
    fields["lead_department"] = departments.get(lead) if lead else None
    if lead and fields["lead_department"] is None:
        raise ValueError(f"{_header('lead_department')}|" + _("没有这个部门：%(name)s") % {"name": lead})
    partners = []
    for name in (p.strip() for p in re.split(r"[、,，;；]", record.get("partner_departments") or "")):
        if not name:
            continue
        if name not in departments:
            raise ValueError(
                f"{_header('partner_departments')}|" + _("没有这个部门：%(name)s") % {"name": name}
            )
        partners.append(departments[name])
    fields["unit"] = record.get("unit") or ""
    try:
        fields["target_value"] = parse_number(record.get("target_value"), fields["unit"])
    except ValueError as exc:
        raise ValueError(f"{_header('target_value')}|{exc}") from None
    fields["description"] = record.get("description") or ""
    fields["deadline"] = record.get("deadline")
    fields["weight"] = record.get("weight") or 0
    fields["source"] = record.get("source") or ""
    direction = record.get("direction") or ""
    try:
        fields["direction"] = (
            _choice(direction, Node.Direction.choices, _("方向")) if direction else Node.Direction.HIGHER
        )
    except ValueError as exc:
        raise ValueError(f"{_header('direction')}|{exc}") from None
    return fields, partners


PLAN_NODES = ImportKind(
    "plan_nodes", gettext_lazy("年度计划"), plan_import, PLAN_IMPORT_COLUMNS, "plans:list"
)
