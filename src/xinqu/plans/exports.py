"""The plan as the office's workbook (the same columns the import reads, then the status as of a
month), and the scores as a workbook and as a Word bulletin (通报)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xinqu.core.audit import audit_record
from xinqu.core.models import AuditEntry
from xinqu.core.numbers import amount, plain
from xinqu.core.xlsx import workbook_bytes, xlsx_response
from xinqu.indicators.selectors import LIGHTS
from xinqu.plans.models import Node, Plan
from xinqu.plans.scoring import Score
from xinqu.plans.selectors import Status

# The columns the office drafts the plan in: key, Chinese header, English header (imports.py reads
# either).
PLAN_COLUMNS = [
    ("code", "编号", "Code"),
    ("parent", "上级编号", "Parent code"),
    ("kind", "类型", "Kind"),
    ("title", "名称", "Title"),
    ("description", "内容", "Description"),
    ("lead_department", "牵头单位", "Lead department"),
    ("partner_departments", "配合单位", "Partner departments"),
    ("target_value", "目标值", "Target"),
    ("unit", "单位", "Unit"),
    ("deadline", "完成时限", "Deadline"),
    ("weight", "权重", "Weight"),
    ("source", "数据来源", "Source"),
    ("direction", "方向", "Direction"),
]


def plan_headers() -> list[str]:
    english = get_language() == "en"
    return [en if english else zh for _key, zh, en in PLAN_COLUMNS]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def plan_row(node: Node) -> list[Any]:
    return [
        node.code,
        node.parent.code if node.parent else "",
        str(Node.Kind(node.kind).label),
        node.title,
        node.description,
        node.lead_department.name if node.lead_department else "",
        "、".join(d.name for d in node.partner_departments.all()),
        _num(node.target_value),
        node.unit,
        node.deadline.isoformat() if node.deadline else "",
        _num(node.weight),
        node.source,
        str(Node.Direction(node.direction).label),
    ]


def _audit(user: Any, plan: Plan, what: str) -> None:
    audit_record(actor=user, action=AuditEntry.Action.EXPORT, obj=plan, detail=what)


def tree_response(plan: Plan, month: int, rows: list[Status], user: Any) -> HttpResponse:
    headers = [
        *plan_headers(),
        _("完成值（截至 %(m)s 月）") % {"m": month},
        _("完成率（%）"),
        _("序时进度（%）"),
        _("灯"),
        _("逾期"),
    ]
    table = (
        [
            *plan_row(r.node),
            _num(r.value),
            _num(r.completion),
            _num(r.time_progress),
            str(LIGHTS[r.light]) if r.light else "",
            _("是") if r.overdue else "",
        ]
        for r in rows
    )
    _audit(user, plan, f"plan tree {plan.year}-{month:02d}")
    return xlsx_response(f"plan-{plan.year}.xlsx", workbook_bytes(str(plan.year), headers, table))


def _score_table(ranking: list[Score]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("名次"),
        _("部门"),
        _("指标得分"),
        _("迟报次数"),
        _("迟报扣分"),
        _("督办未按要求办结"),
        _("督办扣分"),
        _("总分"),
    ]
    rows = [
        [
            s.rank or "–",
            s.department.name,
            _num(s.kpi_points),
            s.late,
            _num(-s.late_points) if s.late_points else 0,
            s.failed,
            _num(-s.failed_points) if s.failed_points else 0,
            _num(s.total),
        ]
        for s in ranking
    ]
    return [str(h) for h in headers], rows


def scores_xlsx(plan: Plan, month: int, ranking: list[Score], user: Any) -> HttpResponse:
    headers, rows = _score_table(ranking)
    _audit(user, plan, f"scores {plan.year}-{month:02d} xlsx")
    return xlsx_response(
        f"plan-scores-{plan.year}-{month:02d}.xlsx", workbook_bytes(str(plan.year), headers, rows)
    )


def scores_docx(plan: Plan, month: int, ranking: list[Score], user: Any) -> HttpResponse:
    """The bulletin the office circulates: the ranking, the rule, and each department's
    lagging KPIs."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    heading = document.add_heading(
        _("关于%(year)s年1—%(m)s月各部门高质量发展目标任务推进情况的通报") % {"year": plan.year, "m": month},
        level=1,
    )
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top = ranking[0].department.name if ranking and ranking[0].rank else "–"
    document.add_paragraph(
        _(
            "根据各部门月报和各模块数据，现将%(year)s年1—%(m)s月%(title)s目标任务推进和考核得分情况通报如下。"
            "%(n)s个部门参加排名，%(top)s位列第一。"
        )
        % {
            "year": plan.year,
            "m": month,
            "title": plan.title,
            "n": sum(1 for score in ranking if score.rank),  # the ranked, not every department listed
            "top": top,
        }
    )
    document.add_heading(_("一、考核得分排名"), level=2)
    headers, rows = _score_table(ranking)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = (
                "" if value is None else (amount(value, 2) if isinstance(value, float) else str(value))
            )
    document.add_heading(_("二、计分办法"), level=2)
    basis = (
        _("指标得分为各项指标完成率与序时进度之比（越低越好的指标取其倒数）")
        if plan.scoring_basis == Plan.Basis.PROGRESS
        else _("指标得分为各项指标全年目标完成率")
    )
    document.add_paragraph(
        _(
            "%(basis)s，单项最高 %(cap)s 分，按权重平均；每迟报一次扣 %(late)s 分；"
            "督办事项未按要求办结每次扣 %(sup)s 分。"
        )
        % {
            "basis": basis,
            "cap": plain(plan.completion_cap),
            "late": plain(plan.late_deduction),
            "sup": plain(plan.supervision_deduction),
        }
    )
    document.add_heading(_("三、需要加快推进的指标"), level=2)
    lagging = [
        (s.department.name, k.status) for s in ranking for k in s.kpis if k.status.light in {"red", "yellow"}
    ]
    if not lagging:
        document.add_paragraph(_("各项指标均按序时进度推进。"))
    for name, status in lagging:
        document.add_paragraph(
            _("%(dept)s：%(code)s %(title)s，完成率 %(c)s%%，序时进度 %(t)s%%（%(light)s）。")
            % {
                "dept": name,
                "code": status.node.code,
                "title": status.node.title,
                "c": amount(status.completion, 1),
                "t": amount(status.time_progress, 1),
                "light": LIGHTS[status.light],
            },
            style="List Bullet",
        )
    document.add_paragraph(_("生成时间：%(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    buffer = io.BytesIO()
    document.save(buffer)
    _audit(user, plan, f"scores {plan.year}-{month:02d} docx")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename=plan-bulletin-{plan.year}-{month:02d}.docx"
    return response
