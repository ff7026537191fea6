"""The ledger as .xlsx, the statistics as .xlsx and the scheduling meeting's briefing as .docx."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import visible_exists
from xinqu.core.audit import audit_record
from xinqu.core.jobs import ExportKind
from xinqu.core.models import AuditEntry
from xinqu.core.numbers import amount
from xinqu.core.xlsx import workbook_bytes, xlsx_response
from xinqu.enterprises.models import Enterprise
from xinqu.indicators.selectors import LIGHTS
from xinqu.projects.models import MonthlyReport, Project
from xinqu.projects.selectors import BAND_LABELS, MeetingRow, Statistics, band_of, filtered

PROJECT_HEADERS = [
    "项目编号",
    "项目名称",
    "建设单位统一社会信用代码",
    "项目类型",
    "功能区",
    "园区",
    "产业链环节",
    "总投资（万元）",
    "投资规模",
    "阶段",
    "计划签约日期",
    "计划落地日期",
    "计划开工日期",
    "实际开工日期",
    "入库日期",
    "包保领导",
    "责任部门",
    "灯",
]


def _audit(user: Any, what: str) -> None:
    audit_record(actor=user, action=AuditEntry.Action.EXPORT, object_type="projects", detail=what)


def projects_workbook(projects: QuerySet[Project], user: Any) -> bytes:
    rows = (
        [
            p.code,
            p.name,
            p.enterprise.credit_code if p.enterprise_id and p.enterprise and p.enterprise_visible else "",
            str(p.get_kind_display()),
            p.area.name,
            p.park.name if p.park else "",
            p.chain_node.name if p.chain_node else "",
            float(p.total_investment),
            str(BAND_LABELS[band_of(p.total_investment)]),
            str(p.get_stage_display()),
            p.planned_signed_on.isoformat() if p.planned_signed_on else "",
            p.planned_landed_on.isoformat() if p.planned_landed_on else "",
            p.planned_start_on.isoformat() if p.planned_start_on else "",
            p.started_on.isoformat() if p.started_on else "",
            p.registered_on.isoformat() if p.registered_on else "",
            p.leader.display_name if p.leader else "",
            p.department.name,
            str(LIGHTS[p.light]) if p.light else "",
        ]
        for p in projects.select_related("enterprise")
        .annotate(enterprise_visible=visible_exists(user, Enterprise, "enterprise_id"))
        .iterator(chunk_size=2000)
    )
    return workbook_bytes(str(_("项目台账")), PROJECT_HEADERS, rows)


def projects_response(projects: QuerySet[Project], user: Any) -> HttpResponse:
    content = projects_workbook(projects, user)
    _audit(user, "project ledger")
    return xlsx_response("projects.xlsx", content)


def statistics_response(result: Statistics, user: Any) -> HttpResponse:
    headers = [
        str(_("分组")),
        str(_("项目数")),
        str(_("总投资（万元）")),
        str(_("年度计划投资（万元）")),
        str(_("年度完成投资（万元）")),
        str(_("完成率（%）")),
        str(_("新开工")),
        str(_("续建")),
    ]
    rows = (
        [
            r.label,
            r.projects,
            float(r.total_investment),
            float(r.planned),
            float(r.completed),
            float(r.completion) if r.completion is not None else None,
            r.new_starts,
            r.resumed,
        ]
        for r in [*result.rows, result.total]
    )
    _audit(user, f"project statistics {result.year} by {result.by}")
    return xlsx_response(
        f"project-statistics-{result.year}-{result.by}.xlsx", workbook_bytes(str(result.year), headers, rows)
    )


def meeting_docx(groups: dict[tuple[str, str], list[MeetingRow]], user: Any) -> HttpResponse:
    """The meeting's briefing: one section per area and responsible leader, a row per project."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    today = timezone.localdate()
    document.add_heading(_("项目建设调度会议材料（%(day)s）") % {"day": f"{today:%Y-%m-%d}"}, level=1)
    count = sum(len(rows) for rows in groups.values())
    document.add_paragraph(
        _(
            "本次调度进度滞后（红灯、黄灯）、里程碑逾期或有未解决问题的项目共 %(n)s 个，按功能区和包保领导列示如下。"
        )
        % {"n": count}
    )
    headers = [_("项目"), _("阶段"), _("灯"), _("逾期节点"), _("未解决问题"), _("责任部门")]
    for (area, leader), rows in groups.items():
        document.add_heading(f"{area} · {leader}", level=2)
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for row in rows:
            p = row.project
            cells = table.add_row().cells
            values = [
                f"{p.code} {p.name}（{amount(p.total_investment, 0)}万元）",
                str(p.get_stage_display()),
                str(LIGHTS[p.light]) if p.light else "–",
                str(row.overdue_milestones or "–"),
                str(row.open_problems or "–"),
                p.department.name,
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    _audit(user, "scheduling meeting docx")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename=scheduling-meeting-{today:%Y%m%d}.docx"
    return response


REPORT_HEADERS = [
    "项目编号",
    "月份",
    "当月完成投资（万元）",
    "在岗人数",
    "形象进度",
    "确认超过总投资",
    "年度累计（万元）",
    "开工以来累计（万元）",
]


def reports_workbook(projects: QuerySet[Project], month: str) -> bytes:
    """Every report of ``month`` (YYYY-MM; all months when empty) of ``projects``."""
    import datetime as dt

    reports = MonthlyReport.objects.filter(project__in=projects.values("pk")).select_related("project")
    try:
        reports = reports.filter(month=dt.date.fromisoformat(f"{month}-01")) if month else reports
    except ValueError:
        reports = reports.none()
    rows = (
        [
            r.project.code,
            f"{r.month:%Y-%m}",
            float(r.investment),
            r.workers,
            r.progress,
            "",
            float(r.investment_ytd),
            float(r.investment_total),
        ]
        for r in reports.order_by("project__code", "month").iterator(chunk_size=5000)
    )
    return workbook_bytes(str(_("项目月报")), REPORT_HEADERS, rows)


def reports_response(projects: QuerySet[Project], month: str, user: Any) -> HttpResponse:
    content = reports_workbook(projects, month)
    _audit(user, f"project reports {month or 'all'}")
    return xlsx_response(f"project-reports-{month or 'all'}.xlsx", content)


# Built on the worker (core.jobs) when the ledger is large: the page's filters are the params.
LEDGER_EXPORT = ExportKind(
    key="projects",
    label=gettext_lazy("项目台账"),
    build=lambda actor, params: projects_workbook(filtered(params), actor),
    filename="projects.xlsx",
    object_type="projects",
    back_url="projects:list",
)
REPORTS_EXPORT = ExportKind(
    key="project_reports",
    label=gettext_lazy("项目月报"),
    build=lambda actor, params: reports_workbook(filtered(params), str(params.get("month", ""))),
    filename="project-reports.xlsx",
    object_type="projects",
    back_url="projects:list",
)
