"""Writes for the yearly plan: the plan and its tree (kept by the plan office), the reporting
periods, the departments' monthly reports (submitted by staff, approved by their own head) and
supervision items raised by leaders. Every write is atomic, checked and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xinqu.core.access import ensure_department_member, is_leader
from xinqu.core.approval import approval_approve, approval_return, approval_submit
from xinqu.core.audit import audit_create, audit_delete, audit_record, audit_update, describe, snapshot
from xinqu.core.models import AuditEntry, Department, User
from xinqu.core.numbers import parse_number, plain
from xinqu.core.phrases import Phrase
from xinqu.core.roles import Role
from xinqu.core.services import UNCHANGED, given, notify_departments, save_audited
from xinqu.core.workdays import calendar
from xinqu.plans import feeds
from xinqu.plans.flow import KIND
from xinqu.plans.models import Node, Period, Plan, Report, ReportLine, Supervision
from xinqu.plans.rules import REPORTED_KINDS, is_office
from xinqu.workflow import engine
from xinqu.workflow.models import Item

# How the details this module writes into the audit log read (core.audit).
describe(
    r"copied from (?P<year>\d+): (?P<n>\d+) nodes", gettext_lazy("从 %(year)s 年计划复制，共 %(n)s 个节点")
)
describe(r"submitted (?P<n>\d+) lines", gettext_lazy("报送月报 %(n)s 项"))
describe(r"saved (?P<n>\d+) lines", gettext_lazy("保存月报 %(n)s 项"))

NODE_FIELDS = [
    "parent",
    "kind",
    "code",
    "title",
    "description",
    "lead_department",
    "target_value",
    "unit",
    "deadline",
    "weight",
    "source",
    "direction",
    "measure",
    "path",
    "sort_order",
]
PLAN_FIELDS = ["year", "title", "yellow_pp", "red_pp", "scoring_basis", "completion_cap", "late_deduction",
               "supervision_deduction", "rate_points_per_pp", "rate_red_pp"]  # fmt: skip
# Which kinds may sit under which (None: at the top of the tree).
PARENTS: dict[str, set[str | None]] = {
    Node.Kind.STRATEGY: {None, Node.Kind.STRATEGY},
    Node.Kind.PRINCIPLE: {None, Node.Kind.STRATEGY},
    Node.Kind.PROGRAMME: {None, Node.Kind.STRATEGY},
    Node.Kind.MEASURE: {Node.Kind.STRATEGY, Node.Kind.PROGRAMME, Node.Kind.MEASURE},
    Node.Kind.KPI: {Node.Kind.STRATEGY, Node.Kind.PROGRAMME, Node.Kind.MEASURE},
}


def ensure_office(user: User) -> None:
    if not is_office(user):
        raise PermissionDenied(
            _("只有计划牵头部门（%(office)s）可以维护年度计划。") % {"office": _office_name()}
        )


def _office_name() -> str:
    found = (
        Department.objects.filter(code=settings.PLAN_OFFICE_DEPARTMENT).values_list("name", flat=True).first()
    )
    return found or settings.PLAN_OFFICE_DEPARTMENT


# --- The plan and its tree -------------------------------------------------------------------


def _default_periods(plan: Plan) -> None:
    """Twelve reporting months, each due on the fifth working day of the next month."""
    cal = calendar()
    for month in range(1, 13):
        first_next = dt.date(plan.year + (month == 12), month % 12 + 1, 1)
        deadline = cal.add(first_next - dt.timedelta(days=1), 5)
        Period.objects.create(plan=plan, month=dt.date(plan.year, month, 1), deadline=deadline)


@transaction.atomic
def plan_save(
    *,
    actor: User,
    plan: Plan | None = None,
    year: int = UNCHANGED,
    title: str = UNCHANGED,
    yellow_pp: Decimal = UNCHANGED,
    red_pp: Decimal = UNCHANGED,
    scoring_basis: str = UNCHANGED,
    completion_cap: Decimal = UNCHANGED,
    late_deduction: Decimal = UNCHANGED,
    supervision_deduction: Decimal = UNCHANGED,
    rate_points_per_pp: Decimal = UNCHANGED,
    rate_red_pp: Decimal = UNCHANGED,
) -> Plan:
    """Create a plan (with its twelve reporting periods) or change its name, lights and scoring."""
    fields = given(
        year=year,
        title=title,
        yellow_pp=yellow_pp,
        red_pp=red_pp,
        scoring_basis=scoring_basis,
        completion_cap=completion_cap,
        late_deduction=late_deduction,
        supervision_deduction=supervision_deduction,
        rate_points_per_pp=rate_points_per_pp,
        rate_red_pp=rate_red_pp,
    )
    ensure_office(actor)
    creating = plan is None
    if creating and Plan.objects.filter(year=int(fields.get("year") or 0)).exists():
        raise ValidationError({"year": _("%(year)s 年的计划已存在。") % {"year": fields.get("year")}})
    if not creating and "year" in fields and fields["year"] != plan.year:  # type: ignore[union-attr]
        raise ValidationError({"year": _("计划的年度不能修改。")})
    saved = save_audited(actor=actor, instance=plan or Plan(), audited=PLAN_FIELDS, fields=fields)
    if creating:
        _default_periods(saved)
    return saved


@transaction.atomic
def plan_copy(*, actor: User, source: Plan, year: int, title: str = "") -> Plan:
    """Next year's plan from ``source``: the same tree, owners, targets and weights, deadlines moved
    on by the years between; no reports, no supervision."""
    ensure_office(actor)
    years = year - source.year
    plan = plan_save(
        actor=actor,
        year=year,
        title=title or source.title.replace(str(source.year), str(year)),
        **{name: getattr(source, name) for name in PLAN_FIELDS if name not in {"year", "title"}},
    )
    copies: dict[int, Node] = {}
    nodes = list(source.nodes.order_by("id").prefetch_related("partner_departments"))
    ordered = _top_down(nodes)
    for old in ordered:
        new = Node.objects.create(
            plan=plan,
            parent=copies[old.parent_id] if old.parent_id else None,
            kind=old.kind,
            code=old.code,
            title=old.title,
            description=old.description,
            lead_department_id=old.lead_department_id,
            target_value=old.target_value,
            unit=old.unit,
            deadline=_shift(old.deadline, years),
            weight=old.weight,
            measure=old.measure,
            path=old.path,
            source=old.source,
            direction=old.direction,
            sort_order=old.sort_order,
        )
        new.partner_departments.set(old.partner_departments.all())
        copies[old.pk] = new
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=plan,
        detail=f"copied from {source.year}: {len(copies)} nodes",
    )
    return plan


def _top_down(nodes: list[Node]) -> list[Node]:
    """Parents before their children."""
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[Node] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.pk, [])))
    return ordered


def _shift(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_measure(node: Node) -> None:
    """A quantity's completion is value ÷ target: a target of zero or below would invert it (a
    growth target is a rate, scored by its gap). A stock's path gives 12 month-end values."""
    if node.measure == Node.Measure.QUANTITY and node.target_value is not None and node.target_value <= 0:
        raise ValidationError(
            {"target_value": _("累计量指标的目标须大于零；增速、比率类目标（可为负数）请选择“比率/增速”。")}
        )
    if node.path:
        if node.measure != Node.Measure.STOCK:
            raise ValidationError({"path": _("只有存量指标可以填分月目标路径。")})
        try:
            numbers = [Decimal(str(v)) for v in node.path]
        except (ArithmeticError, ValueError, TypeError):
            numbers = []
        if len(numbers) != 12:
            raise ValidationError(
                {"path": _("分月目标路径须为 12 个数值，依次为 1 至 12 月末应达到的数值。")}
            )
        node.path = [float(n) for n in numbers]


def _check_node(node: Node, partners: Iterable[Department]) -> None:
    parent = node.parent
    if parent is not None and parent.plan_id != node.plan_id:
        raise ValidationError({"parent": _("上级节点必须属于同一年度计划。")})
    # A node cannot sit under itself or under anything beneath it.
    seen: set[int] = set()
    ancestor = parent
    while ancestor is not None:
        if node.pk is not None and ancestor.pk == node.pk:
            raise ValidationError({"parent": _("不能把节点挂到它自己或它的下级节点之下（会形成循环）。")})
        if ancestor.pk in seen:  # pragma: no cover - the tree never holds a cycle
            break
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    allowed = PARENTS[node.kind]
    if (parent.kind if parent else None) not in allowed:
        raise ValidationError(
            {
                "parent": _("“%(kind)s”不能挂在%(parent)s之下。")
                % {
                    "kind": Node.Kind(node.kind).label,
                    "parent": Node.Kind(parent.kind).label if parent else _("最上层"),
                }
            }
        )
    if node.pk is not None and node.kind == Node.Kind.KPI and node.children.exists():
        raise ValidationError({"kind": _("指标是末级节点，不能有下级；请先移走它的下级节点。")})
    if node.kind in REPORTED_KINDS and node.lead_department_id is None:
        raise ValidationError({"lead_department": _("举措和指标必须有牵头单位。")})
    if node.kind == Node.Kind.KPI:
        _check_measure(node)
        fed = feeds.feed(node.source) if node.source else None
        if node.source and fed is None:
            raise ValidationError({"source": _("没有这个数据来源：%(source)s") % {"source": node.source}})
        if fed is not None and fed.measure and node.measure != fed.measure:
            # The figure's kind decides: a stock is never scored against time elapsed.
            raise ValidationError(
                {
                    "measure": _("该数据来源是“%(kind)s”类指标，计分方式请选择“%(kind)s”。")
                    % {"kind": Node.Measure(fed.measure).label}
                }
            )
        if fed is not None and fed.holds_target:
            # One figure, one target: the indicator's own annual target, never a second copy here.
            if node.target_value is not None:
                raise ValidationError(
                    {
                        "target_value": _(
                            "该指标的目标取自经济指标模块的年度目标（%(source)s），不在计划中另填；请在“年度目标”中设定。"
                        )
                        % {"source": fed.label}
                    }
                )
        elif node.target_value is None:
            raise ValidationError({"target_value": _("指标必须有目标值。")})
    elif node.source:
        raise ValidationError({"source": _("只有指标可以从其他模块取数。")})
    if node.lead_department_id and any(p.pk == node.lead_department_id for p in partners):
        raise ValidationError({"partner_departments": _("牵头单位不必再列为配合单位。")})


@transaction.atomic
def node_save(
    *,
    actor: User,
    plan: Plan,
    node: Node | None = None,
    partner_departments: Iterable[Department] | None = None,
    parent: Node | None = UNCHANGED,
    kind: str = UNCHANGED,
    code: str = UNCHANGED,
    title: str = UNCHANGED,
    description: str = UNCHANGED,
    lead_department: Department | None = UNCHANGED,
    target_value: Decimal | None = UNCHANGED,
    unit: str = UNCHANGED,
    deadline: dt.date | None = UNCHANGED,
    weight: Decimal = UNCHANGED,
    source: str = UNCHANGED,
    direction: str = UNCHANGED,
    measure: str = UNCHANGED,
    path: list[Any] | None = UNCHANGED,
    sort_order: int = UNCHANGED,
) -> Node:
    """Create or change a node of ``plan``'s tree. Refused, with nothing changed: a cycle, a parent
    of the wrong kind or in another plan, a measure or KPI without a lead department, a KPI without
    a target or with an unknown source, a KPI with children."""
    fields = given(
        parent=parent,
        kind=kind,
        code=code,
        title=title,
        description=description,
        lead_department=lead_department,
        target_value=target_value,
        unit=unit,
        deadline=deadline,
        weight=weight,
        source=source,
        direction=direction,
        measure=measure,
        path=path,
        sort_order=sort_order,
    )
    ensure_office(actor)
    instance = node or Node(plan=plan)
    if instance.plan_id != plan.pk:
        raise ValidationError(_("该节点不属于这个年度计划。"))
    partners = list(partner_departments) if partner_departments is not None else None
    if "code" in fields:
        fields["code"] = str(fields["code"]).strip()
        if Node.objects.filter(plan=plan, code=fields["code"]).exclude(pk=instance.pk).exists():
            raise ValidationError({"code": _("编号 %(code)s 已被使用。") % {"code": fields["code"]}})
    before = None if instance.pk is None else snapshot(instance, NODE_FIELDS)
    partners_before = _partner_names(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["plan", "parent"])
    _check_node(
        instance,
        partners if partners is not None else (instance.partner_departments.all() if instance.pk else []),
    )
    instance.save()
    if partners is not None:
        instance.partner_departments.set(partners)
    if before is None:
        audit_create(actor=actor, obj=instance, fields=NODE_FIELDS)
    else:
        audit_update(actor=actor, obj=instance, before=before)
        partners_after = _partner_names(instance)
        if partners_after != partners_before:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=instance,
                changes={"partner_departments": [partners_before, partners_after]},
            )
    return instance


def _partner_names(node: Node) -> list[str]:
    return sorted(node.partner_departments.values_list("name", flat=True)) if node.pk else []


@transaction.atomic
def node_delete(*, actor: User, node: Node) -> None:
    ensure_office(actor)
    if node.children.exists():
        raise ValidationError(_("该节点还有下级节点，请先删除或移走下级节点。"))
    if node.report_lines.exists() or node.supervisions.exists():
        raise ValidationError(_("该节点已有月报或督办记录，不能删除。"))
    audit_delete(actor=actor, obj=node)
    node.delete()


def weight_warnings(plan: Plan) -> list[str]:
    """Parents whose children's weights do not add up to 100 (a warning, not a refusal)."""
    sums: dict[int | None, Decimal] = {}
    weighted: set[int | None] = set()
    for parent_id, weight in plan.nodes.values_list("parent_id", "weight"):
        sums[parent_id] = sums.get(parent_id, Decimal(0)) + weight
        if weight:
            weighted.add(parent_id)
    names: dict[int | None, str] = dict(plan.nodes.values_list("pk", "code"))
    warnings = []
    for under in sorted(weighted, key=lambda p: (p is not None, names.get(p, ""))):
        if sums[under] != 100:
            where = _("“%(code)s”的下级") % {"code": names[under]} if under else _("最上层节点")
            warnings.append(
                _("%(where)s权重合计为 %(sum)s，不是 100。") % {"where": where, "sum": plain(sums[under])}
            )
    return warnings


# --- Reporting periods -----------------------------------------------------------------------


@transaction.atomic
def period_update(*, actor: User, period: Period, deadline: dt.date, closed: bool) -> Period:
    ensure_office(actor)
    if deadline < period.month:
        raise ValidationError({"deadline": _("报送截止日不能早于所报月份。")})
    return save_audited(
        actor=actor,
        instance=period,
        audited=["deadline", "closed"],
        fields={"deadline": deadline, "closed": closed},
    )


# --- Monthly department reports ---------------------------------------------------------------


def reported_nodes(plan: Plan, department_id: int) -> list[Node]:
    """What a department reports on: the measures and KPIs it leads (fed KPIs report text only)."""
    return list(
        plan.nodes.filter(kind__in=REPORTED_KINDS, lead_department_id=department_id).order_by(
            "sort_order", "id"
        )
    )


def _ensure_open(period: Period) -> None:
    if period.closed:
        raise ValidationError(
            _("%(month)s 的报送期已关闭，不能再填报。") % {"month": f"{period.month:%Y-%m}"}
        )
    if period.month > timezone.localdate():
        raise ValidationError(_("不能填报未来月份。"))


@transaction.atomic
def report_save(
    *, actor: User, period: Period, lines: Mapping[int, Mapping[str, Any]], submit: bool = False
) -> Report:
    """Save the actor's department's report for ``period`` (values as typed in cells: "1,234.5",
    "12亿" …) and, with ``submit``, send it to the department head. All or nothing: every bad value
    is named and nothing is saved."""
    department_id = _department_member(actor)
    _ensure_open(period)
    report, _created = Report.objects.select_for_update().get_or_create(
        period=period, department_id=department_id
    )
    if report.status in {Report.Status.SUBMITTED, Report.Status.APPROVED}:
        raise ValidationError(_("该月报已报送，不能修改；如需修改请部门负责人退回。"))
    nodes = {n.pk: n for n in reported_nodes(period.plan, department_id)}
    unknown = set(lines) - set(nodes)
    if unknown:
        raise PermissionDenied(_("只能填报本部门牵头的举措和指标。"))
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, dict[str, Any]] = {}
    for pk, node in nodes.items():
        given = lines.get(pk, {})
        value = None
        if node.kind == Node.Kind.KPI and not node.source and given.get("value") not in (None, ""):
            try:
                value = parse_number(given.get("value"), node.unit)
            except ValueError as exc:
                errors.setdefault(f"value-{pk}", []).append(f"{node.code} {node.title}：{exc}")
        texts = {name: str(given.get(name) or "").strip() for name in ("progress", "problems", "next_steps")}
        cleaned[pk] = {"value": value, **texts}
    if submit:
        for pk, node in nodes.items():
            if not cleaned[pk]["progress"]:
                errors.setdefault(f"progress-{pk}", []).append(
                    _("%(code)s %(title)s：请填写进展情况。") % {"code": node.code, "title": node.title}
                )
            if node.kind == Node.Kind.KPI and not node.source and cleaned[pk]["value"] is None:
                errors.setdefault(f"value-{pk}", []).append(
                    _("%(code)s %(title)s：请填写累计完成值。") % {"code": node.code, "title": node.title}
                )
    if errors:
        raise ValidationError(errors)
    existing = {line.node_id: line for line in report.lines.all()}
    for pk, values in cleaned.items():
        line = existing.get(pk) or ReportLine(report=report, node_id=pk)
        for name, value in values.items():
            setattr(line, name, value)
        line.save()
    if submit:
        report = approval_submit(actor=actor, record=report)
        _tell_head(report)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=report,
        detail=f"{'submitted' if submit else 'saved'} {len(cleaned)} lines",
    )
    return report


def _department_member(actor: User) -> int:
    return ensure_department_member(actor, _("只有部门工作人员可以填报月报。"))


def _tell_head(report: Report) -> None:
    notify_departments(
        [report.department_id],
        roles=[Role.HEAD],
        key=f"plan-report-{report.pk}-{timezone.now().timestamp()}",  # every submission
        title=Phrase(gettext_noop("%(month)s 计划月报待审核"), month=f"{report.period.month:%Y-%m}"),
        url=reverse("plans:report", args=[report.period.plan.year, f"{report.period.month:%Y-%m}"]),
    )


def report_approve(*, actor: User, report: Report) -> Report:
    """The department's head approves its submitted report; only then do leaders see it."""
    return approval_approve(actor=actor, record=report)


def report_return(*, actor: User, report: Report, reason: str) -> Report:
    """The department's head sends the report back with a reason, even once approved, while its
    period is open (that is how an approved report is revised)."""
    if report.period.closed:
        raise ValidationError(_("报送期已关闭，月报不能再退回修改。"))
    return approval_return(actor=actor, record=report, reason=reason, reopen_approved=True)


# --- Supervision ------------------------------------------------------------------------------


@transaction.atomic
def supervision_open(*, actor: User, node: Node, requirement: str, due_on: dt.date) -> Supervision:
    """A leader puts a node under supervision: an item addressed to its lead department, with the
    required response and a deadline."""
    if not is_leader(actor):
        raise PermissionDenied(_("只有管委会领导可以督办。"))
    requirement = requirement.strip()
    if not requirement:
        raise ValidationError({"requirement": _("请写明督办要求。")})
    if due_on <= timezone.localdate():
        raise ValidationError({"due_on": _("反馈期限必须晚于今天。")})
    if node.lead_department_id is None:
        raise ValidationError(_("该节点没有牵头单位，无法督办。"))
    item = engine.item_open(
        kind=KIND,
        title=f"{node.code} {node.title}"[:200],
        actor=actor,
        department=node.lead_department,
        comment=requirement,
        due_on=due_on,
    )
    supervision = Supervision.objects.create(item=item, node=node, requirement=requirement)
    notify_departments(
        [node.lead_department_id],
        key=f"supervision-{item.pk}",
        title=Phrase(gettext_noop("督办：%(title)s"), title=item.title),
        body=requirement[:300],
        url=reverse("plans:supervision", args=[item.number]),
    )
    return supervision


def supervision_act(
    *,
    actor: User,
    supervision: Supervision,
    action: str,
    version: int | None = None,
    comment: str = "",
    days: int | None = None,
) -> Item:
    return engine.item_act(
        item=supervision.item,
        action=action,
        actor=actor,
        version=version,
        comment=comment,
        data={"days": days} if action == "ask_extension" else None,
    )
