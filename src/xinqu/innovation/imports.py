"""The platform list from a workbook, with the same rules as the pages: every row goes through
`services.platform_create` or `services.platform_update` (matched by 平台编号 when it is given),
bad rows are reported cell by cell, and all rows are written or none. A row whose recognition
(level and day) the platform already has adds nothing; a new one is added."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.imports import (
    Column,
    ImportReport,
    all_or_nothing,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    read_records,
)
from xinqu.core.jobs import ImportKind
from xinqu.core.models import OrgUnit, User
from xinqu.enterprises.models import IndustryNode
from xinqu.enterprises.selectors import enterprise_by_code_or_name
from xinqu.innovation import services
from xinqu.innovation.models import InnovationProject, Level, Platform, Recognition, TalentProgramme

Progress = Callable[[int], None]

PLATFORM_COLUMNS = [
    Column("平台编号", "code", max_length=20),
    Column("平台名称", "name", required=True, max_length=200),
    Column("平台类别", "kind", required=True),
    Column("级别", "level", required=True),
    Column("认定日期", "recognised_on", required=True, parse=parse_date),
    Column("有效期至", "valid_until", parse=parse_date),
    Column("认定文号", "document", max_length=100),
    Column("运营企业（名称或信用代码）", "operator", aliases=("运营企业",)),
    Column("运营单位（高校、院所等）", "institution", max_length=200, aliases=("运营单位",)),
    Column("所在园区", "park"),
    Column("产业链环节", "chain_node"),
    Column("场地面积（平方米）", "space", parse=parse_decimal),
    Column("人员（人）", "staff", parse=parse_int),
]
HEADERS = {c.key: c.header for c in PLATFORM_COLUMNS}


def _choice(choices: list[tuple[str, Any]], text: str) -> str | None:
    for value, label in choices:
        if text in (value, str(label)):
            return value
    return None


def platforms_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport(kind="innovation_platforms", dry_run=dry_run)
    if not services.is_bureau(actor):
        report.fatal = str(_("只有科技创新局的工作人员可以维护创新平台。"))
        return report
    parks = {p.name: p for p in OrgUnit.objects.filter(kind="park")}
    with all_or_nothing(report):
        for number, record in read_records(file, PLATFORM_COLUMNS, report):
            if progress and number % 200 == 0:
                progress(number)
            problems: list[tuple[str, str]] = []
            kind = _choice(Platform.Kind.choices, record["kind"])
            if kind is None:
                problems.append(
                    (
                        "kind",
                        _("应为：%(o)s")
                        % {"o": "、".join(str(label) for _v, label in Platform.Kind.choices)},
                    )
                )
            level = _choice(Level.choices, record["level"])
            if level is None:
                problems.append(("level", _("应为：国家级、省级或市级")))
            fields: dict[str, Any] = {
                "name": record["name"],
                "kind": kind,
                "institution": record.get("institution") or "",
                "operator": None,
                "park": None,
                "chain_node": None,
                "space": record.get("space"),
                "staff": record.get("staff"),
            }
            if record.get("operator"):
                fields["operator"] = enterprise_by_code_or_name(actor, record["operator"])
                if fields["operator"] is None:
                    problems.append(
                        ("operator", _("企业名录中没有这家企业：%(n)s") % {"n": record["operator"]})
                    )
            if record.get("park"):
                fields["park"] = parks.get(record["park"])
                if fields["park"] is None:
                    problems.append(("park", _("没有这个园区：%(n)s") % {"n": record["park"]}))
            if record.get("chain_node"):
                found = list(IndustryNode.objects.filter(kind="node", name=record["chain_node"])[:2])
                if len(found) != 1:
                    problems.append(
                        ("chain_node", _("没有这个链环节，或有重名：%(n)s") % {"n": record["chain_node"]})
                    )
                fields["chain_node"] = found[0] if found else None
            existing = None
            if record.get("code"):
                existing = Platform.objects.filter(code=record["code"]).first()
                if existing is None:
                    problems.append(("code", _("没有这个平台编号；新平台请留空，系统自动编号。")))
            if problems:
                for key, reason in problems:
                    report.add_error(number, HEADERS.get(key, key), str(record.get(key) or ""), reason)
                continue
            recognition = {
                "level": level,
                "recognised_on": record["recognised_on"],
                "valid_until": record.get("valid_until"),
                "document": record.get("document") or "",
            }
            try:
                if existing is None:
                    saved = services.platform_create(actor=actor, **recognition, **fields)
                    report.created += 1
                else:
                    saved = services.platform_update(actor=actor, platform=existing, **fields)
                    held = Recognition.objects.filter(
                        platform=saved, level=level, recognised_on=record["recognised_on"]
                    ).exists()
                    if not held:
                        services.recognition_add(actor=actor, platform=saved, **recognition)
                    report.updated += 1
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, exc)
                continue
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": saved.code, "name": saved.name})
    return report


def _errors(
    report: ImportReport,
    number: int,
    exc: ValidationError | PermissionDenied,
    headers: dict[str, str] | None = None,
) -> None:
    if isinstance(exc, PermissionDenied):
        report.add_error(number, "", "", str(exc))
        return
    named = headers or HEADERS
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for field, messages in items:
        report.add_error(number, named.get(field, field), "", "；".join(messages))


PLATFORMS = ImportKind(
    "innovation_platforms", gettext_lazy("创新平台"), platforms_import, PLATFORM_COLUMNS, "innovation:list"
)


# --- Innovation projects -------------------------------------------------------------------------

PROJECT_COLUMNS = [
    Column("项目编号", "code", max_length=20),
    Column("项目名称", "name", required=True, max_length=200),
    Column("项目类别", "kind", required=True),
    Column("承担企业（名称或信用代码）", "enterprise", aliases=("承担企业",)),
    Column("承担单位（高校、院所等）", "institution", max_length=200, aliases=("承担单位",)),
    Column("依托平台（平台编号）", "platform", aliases=("依托平台",)),
    Column("立项日期", "started_on", required=True, parse=parse_date),
    Column("计划完成日期", "due_on", parse=parse_date),
    Column("总投入（万元）", "budget", parse=parse_decimal),
    Column("财政支持（万元）", "support", parse=parse_decimal),
]
PROJECT_HEADERS = {c.key: c.header for c in PROJECT_COLUMNS}


def projects_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport(kind="innovation_projects", dry_run=dry_run)
    if not services.is_bureau(actor):
        report.fatal = str(_("只有科技创新局的工作人员可以维护创新平台。"))
        return report
    with all_or_nothing(report):
        for number, record in read_records(file, PROJECT_COLUMNS, report):
            if progress and number % 200 == 0:
                progress(number)
            problems: list[tuple[str, str]] = []
            kind = _choice(InnovationProject.Kind.choices, record["kind"])
            if kind is None:
                labels = "、".join(str(label) for _v, label in InnovationProject.Kind.choices)
                problems.append(("kind", _("应为：%(o)s") % {"o": labels}))
            fields: dict[str, Any] = {
                "name": record["name"],
                "kind": kind,
                "institution": record.get("institution") or "",
                "enterprise": None,
                "platform": None,
                "started_on": record["started_on"],
                "due_on": record.get("due_on"),
                "budget": record.get("budget") or Decimal(0),
                "support": record.get("support") or Decimal(0),
            }
            if record.get("enterprise"):
                fields["enterprise"] = enterprise_by_code_or_name(actor, record["enterprise"])
                if fields["enterprise"] is None:
                    problems.append(
                        ("enterprise", _("企业名录中没有这家企业：%(n)s") % {"n": record["enterprise"]})
                    )
            if record.get("platform"):
                fields["platform"] = (
                    Platform.objects.visible_to(actor).filter(code=record["platform"]).first()
                )
                if fields["platform"] is None:
                    problems.append(("platform", _("没有这个平台编号：%(n)s") % {"n": record["platform"]}))
            existing = None
            if record.get("code"):
                existing = InnovationProject.objects.filter(code=record["code"]).first()
                if existing is None:
                    problems.append(("code", _("没有这个项目编号；新项目请留空，系统自动编号。")))
            if problems:
                for key, reason in problems:
                    report.add_error(
                        number, PROJECT_HEADERS.get(key, key), str(record.get(key) or ""), reason
                    )
                continue
            try:
                if existing is None:
                    saved = services.project_create(actor=actor, **fields)
                    report.created += 1
                else:
                    saved = services.project_update(actor=actor, project=existing, **fields)
                    report.updated += 1
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, exc, PROJECT_HEADERS)
                continue
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": saved.code, "name": saved.name})
    return report


# --- Talent --------------------------------------------------------------------------------------

TALENT_COLUMNS = [
    Column("引才计划", "programme", required=True),
    Column("姓名或团队名称", "name", required=True, max_length=120),
    Column("团队", "team", parse=parse_bool),
    Column("证件号码", "id_number", required=True, max_length=30),
    Column("联系电话", "phone", max_length=30),
    Column("用人企业（名称或信用代码）", "host_enterprise", aliases=("用人企业",)),
    Column("依托平台（平台编号）", "host_platform", aliases=("依托平台",)),
    Column("引进日期", "recruited_on", required=True, parse=parse_date),
    Column("服务期（年）", "service_years", parse=parse_int),
    Column("承诺支持（万元）", "support_promised", parse=parse_decimal),
    Column("约定义务", "obligations"),
]
TALENT_HEADERS = {c.key: c.header for c in TALENT_COLUMNS}


def talents_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    """Talents under their programmes: new rows only (a person already in a programme is refused,
    so a ledger cannot register anyone twice)."""
    report = ImportReport(kind="innovation_talents", dry_run=dry_run)
    if not services.is_bureau(actor):
        report.fatal = str(_("只有科技创新局的工作人员可以维护创新平台。"))
        return report
    programmes = {p.name: p for p in TalentProgramme.objects.all()}
    with all_or_nothing(report):
        for number, record in read_records(file, TALENT_COLUMNS, report):
            if progress and number % 200 == 0:
                progress(number)
            problems: list[tuple[str, str]] = []
            programme = programmes.get(record["programme"])
            if programme is None:
                problems.append(
                    (
                        "programme",
                        _("没有这个引才计划：%(n)s；请先在“引才计划与考核规则”中新增。")
                        % {"n": record["programme"]},
                    )
                )
            fields: dict[str, Any] = {
                "programme": programme,
                "name": record["name"],
                "team": bool(record.get("team")),
                "id_number": record["id_number"],
                "phone": record.get("phone") or "",
                "host_enterprise": None,
                "host_platform": None,
                "recruited_on": record["recruited_on"],
                "service_years": record.get("service_years")
                if record.get("service_years") is not None
                else 3,
                "support_promised": record.get("support_promised") or Decimal(0),
                "obligations": record.get("obligations") or "",
            }
            if record.get("host_enterprise"):
                fields["host_enterprise"] = enterprise_by_code_or_name(actor, record["host_enterprise"])
                if fields["host_enterprise"] is None:
                    problems.append(
                        (
                            "host_enterprise",
                            _("企业名录中没有这家企业：%(n)s") % {"n": record["host_enterprise"]},
                        )
                    )
            if record.get("host_platform"):
                fields["host_platform"] = (
                    Platform.objects.visible_to(actor).filter(code=record["host_platform"]).first()
                )
                if fields["host_platform"] is None:
                    problems.append(
                        ("host_platform", _("没有这个平台编号：%(n)s") % {"n": record["host_platform"]})
                    )
            if problems:
                for key, reason in problems:
                    # The ID number is personal data: a refusal names the row, never the number.
                    shown = "" if key == "id_number" else str(record.get(key) or "")
                    report.add_error(number, TALENT_HEADERS.get(key, key), shown, reason)
                continue
            try:
                saved = services.talent_create(actor=actor, **fields)
                report.created += 1
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, exc, TALENT_HEADERS)
                continue
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": saved.programme.name, "name": saved.name})
    return report


PROJECTS = ImportKind(
    "innovation_projects", gettext_lazy("创新项目"), projects_import, PROJECT_COLUMNS, "innovation:projects"
)
TALENTS = ImportKind(
    "innovation_talents", gettext_lazy("人才"), talents_import, TALENT_COLUMNS, "innovation:talents"
)
