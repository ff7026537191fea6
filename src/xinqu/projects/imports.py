"""The ledger and the monthly reports from workbooks, with the same rules as the pages: every row
goes through `services.project_save` or `services.report_save`, bad rows are reported cell by
cell, and all rows are written or none. Projects are matched by their code (new codes are added);
stages are not imported (they move with their dates on the project page or through the API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import is_department_member
from xinqu.core.imports import (
    Column,
    ImportReport,
    all_or_nothing,
    parse_bool,
    parse_date,
    parse_int,
    parse_text,
    read_records,
)
from xinqu.core.jobs import ImportKind
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.numbers import parse_number
from xinqu.core.roles import Role
from xinqu.enterprises.models import IndustryNode
from xinqu.enterprises.selectors import enterprise_by_credit_code
from xinqu.projects import services
from xinqu.projects.models import Project

Progress = Callable[[int], None]


def _money(value: Any) -> Any:
    return parse_number(value, "万元")


def _month(value: Any) -> Any:
    text = parse_text(value)
    day = parse_date(f"{text}-01" if len(text) in {6, 7} else text)
    return day.replace(day=1) if day else None


PROJECT_COLUMNS = [
    Column("项目编号", "code", required=True, max_length=30),
    Column("项目名称", "name", required=True, max_length=200),
    Column("建设单位统一社会信用代码", "credit_code"),
    Column("项目类型", "kind", required=True),
    Column("功能区", "area", required=True),
    Column("园区", "park"),
    Column("产业链环节", "chain_node"),
    Column("总投资（万元）", "total_investment", required=True, parse=_money, aliases=("总投资",)),
    Column("计划签约日期", "planned_signed_on", parse=parse_date),
    Column("计划落地日期", "planned_landed_on", parse=parse_date),
    Column("计划开工日期", "planned_start_on", parse=parse_date),
    Column("入库日期", "registered_on", parse=parse_date),
    Column("包保领导", "leader"),
    Column("责任部门", "department"),
]
REPORT_COLUMNS = [
    Column("项目编号", "code", required=True),
    Column("月份", "month", required=True, parse=_month),
    Column("当月完成投资（万元）", "investment", required=True, parse=_money, aliases=("当月完成投资",)),
    Column("在岗人数", "workers", parse=parse_int),
    Column("形象进度", "progress"),
    Column("确认超过总投资", "confirm_over_total", parse=parse_bool),
]


def _department_member(actor: User, report: ImportReport) -> bool:
    if not is_department_member(actor):
        report.fatal = str(_("只有部门工作人员可以维护项目台账。"))
        return False
    return True


def _errors(
    report: ImportReport, number: int, columns: list[Column], exc: ValidationError | PermissionDenied
) -> None:
    headers = {c.key: c.header for c in columns}
    if isinstance(exc, PermissionDenied):
        report.add_error(number, "", "", str(exc))
        return
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for field, messages in items:
        report.add_error(number, headers.get(field, field), "", "；".join(messages))


def projects_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport(kind="projects", dry_run=dry_run)
    if not _department_member(actor, report):
        return report
    kinds = {str(label): value for value, label in Project.Kind.choices} | {v: v for v in Project.Kind.values}
    areas = OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA)
    departments = {d.name: d for d in Department.objects.all()} | {
        d.code: d for d in Department.objects.all()
    }
    leaders = {u.full_name: u for u in User.objects.filter(role=Role.LEADER)} | {
        u.username: u for u in User.objects.filter(role=Role.LEADER)
    }
    with all_or_nothing(report):
        for number, record in read_records(file, PROJECT_COLUMNS, report):
            if progress and number % 500 == 0:
                progress(number)
            fields: dict[str, Any] = {
                "code": record["code"],
                "name": record["name"],
                "total_investment": record["total_investment"],
                "planned_signed_on": record.get("planned_signed_on"),
                "planned_landed_on": record.get("planned_landed_on"),
                "planned_start_on": record.get("planned_start_on"),
                "registered_on": record.get("registered_on"),
            }
            problems: list[tuple[str, str]] = []
            fields["kind"] = kinds.get(record["kind"])
            if fields["kind"] is None:
                problems.append(
                    (
                        "项目类型",
                        _("应为：%(o)s") % {"o": "、".join(str(label) for _v, label in Project.Kind.choices)},
                    )
                )
            fields["area"] = areas.filter(Q(name=record["area"]) | Q(code=record["area"])).first()
            if fields["area"] is None:
                problems.append(("功能区", _("没有这个功能区：%(n)s") % {"n": record["area"]}))
            park = record.get("park") or ""
            fields["park"] = (
                OrgUnit.objects.filter(kind=OrgUnit.Kind.PARK).filter(Q(name=park) | Q(code=park)).first()
                if park
                else None
            )
            if park and fields["park"] is None:
                problems.append(("园区", _("没有这个园区：%(n)s") % {"n": park}))
            node = record.get("chain_node") or ""
            if node:
                found = list(IndustryNode.objects.filter(kind="node", name=node)[:2])
                if len(found) != 1:
                    problems.append(("产业链环节", _("没有这个链环节，或有重名：%(n)s") % {"n": node}))
                fields["chain_node"] = found[0] if found else None
            code = (record.get("credit_code") or "").strip().upper()
            if code:
                fields["enterprise"] = enterprise_by_credit_code(actor, code)
                if fields["enterprise"] is None:
                    problems.append(("建设单位统一社会信用代码", _("企业名录中没有这个统一社会信用代码。")))
            if record.get("leader"):
                fields["leader"] = leaders.get(record["leader"])
                if fields["leader"] is None:
                    problems.append(("包保领导", _("没有这位领导：%(n)s") % {"n": record["leader"]}))
            if record.get("department"):
                fields["department"] = departments.get(record["department"])
                if fields["department"] is None:
                    problems.append(("责任部门", _("没有这个部门：%(n)s") % {"n": record["department"]}))
            if problems:
                for column, reason in problems:
                    report.add_error(number, column, "", reason)
                continue
            existing = Project.objects.filter(code=fields["code"]).first()
            try:
                services.project_save(actor=actor, project=existing, **fields)
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, PROJECT_COLUMNS, exc)
                continue
            if existing is None:
                report.created += 1
            else:
                report.updated += 1
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": fields["code"], "name": fields["name"]})
    return report


def reports_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport(kind="project_reports", dry_run=dry_run)
    if not _department_member(actor, report):
        return report
    with all_or_nothing(report):
        for number, record in read_records(file, REPORT_COLUMNS, report):
            if progress and number % 500 == 0:
                progress(number)
            project = Project.objects.filter(code=record["code"]).first()
            if project is None:
                report.add_error(number, "项目编号", record["code"], _("台账中没有这个项目编号。"))
                continue
            try:
                services.report_save(
                    actor=actor,
                    project=project,
                    month=record["month"],
                    investment=record["investment"],
                    workers=record.get("workers") or 0,
                    progress=record.get("progress") or "",
                    confirm_over_total=bool(record.get("confirm_over_total")),
                )
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, REPORT_COLUMNS, exc)
                continue
            report.created += 1
            if len(report.preview) < 20:
                report.preview.append(
                    {"row": number, "code": project.code, "month": f"{record['month']:%Y-%m}"}
                )
    return report


PROJECTS = ImportKind("projects", gettext_lazy("项目台账"), projects_import, PROJECT_COLUMNS, "projects:list")
PROJECT_REPORTS = ImportKind(
    "project_reports", gettext_lazy("项目月报"), reports_import, REPORT_COLUMNS, "projects:list"
)
