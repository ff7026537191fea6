from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core import jobs
from xinqu.core.access import AuthedRequest, ensure_business, is_department_member, is_head, is_leader
from xinqu.core.forms import add_service_errors
from xinqu.plans import exports, scoring, selectors, services
from xinqu.plans.flow import KIND, STATES
from xinqu.plans.forms import (
    CopyForm,
    ImportForm,
    NodeForm,
    PeriodForm,
    PlanForm,
    SupervisionActionForm,
    SupervisionForm,
)
from xinqu.plans.models import Node, Period, Plan, Report, Supervision
from xinqu.workflow.models import Attachment
from xinqu.workflow.pages import download, item_page


def _plan(year: int) -> Plan:
    return get_object_or_404(Plan, year=year)


def _month(request: AuthedRequest, plan: Plan) -> int:
    try:
        month = int(request.GET.get("month") or 0)
    except ValueError:
        month = 0
    return month if 1 <= month <= 12 else selectors.default_month(plan)


@login_required
def plan_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    office = services.is_office(request.user)
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("只有计划牵头部门可以维护年度计划。"))
        if form.is_valid():
            try:
                plan = services.plan_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已创建 %(year)s 年计划。") % {"year": plan.year})
                return redirect("plans:tree", plan.year)
    return render(request, "plans/list.html", {"plans": Plan.objects.all(), "form": form, "office": office})


@login_required
def plan_copy(request: AuthedRequest, year: int) -> HttpResponse:
    ensure_business(request.user)
    source = _plan(year)
    services.ensure_office(request.user)
    form = CopyForm(request.POST or None, initial={"year": year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_copy(actor=request.user, source=source, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已复制为 %(year)s 年计划，请调整目标和期限。") % {"year": plan.year})
            return redirect("plans:tree", plan.year)
    return render(request, "plans/copy.html", {"plan": source, "form": form})


@login_required
def plan_tree(request: AuthedRequest, year: int) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    month = _month(request, plan)
    rows = selectors.tree(plan, month)
    if request.GET.get("format") == "xlsx":
        return exports.tree_response(plan, month, rows, request.user)
    context = {
        "plan": plan,
        "month": month,
        "months": range(1, 13),
        "rows": rows,
        "warnings": services.weight_warnings(plan),
        "office": services.is_office(request.user),
        "counts": {light: sum(1 for r in rows if r.light == light) for light in ("red", "yellow", "green")},
        "overdue": sum(1 for r in rows if r.overdue),
    }
    return render(request, "plans/tree.html", context)


@login_required
def plan_import(request: AuthedRequest, year: int) -> HttpResponse:
    """The plan from the office's workbook: a dry run first, then all rows or none."""
    ensure_business(request.user)
    plan = _plan(year)
    services.ensure_office(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_start(
                actor=request.user,
                kind="plan_nodes",
                upload=form.cleaned_data["file"],
                options={"year": year},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    return render(request, "plans/import.html", {"plan": plan, "form": form})


@login_required
def plan_settings(request: AuthedRequest, year: int) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    services.ensure_office(request.user)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("plans:tree", year)
    return render(request, "plans/settings.html", {"plan": plan, "form": form})


@login_required
def node_edit(request: AuthedRequest, year: int, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    services.ensure_office(request.user)
    node = get_object_or_404(Node, pk=pk, plan=plan) if pk else None
    initial: dict[str, Any] = {}
    if node is None and request.GET.get("parent"):
        parent = plan.nodes.filter(pk=request.GET["parent"]).first()
        if parent is not None:
            child_kind = {
                Node.Kind.STRATEGY: Node.Kind.PROGRAMME,
                Node.Kind.PROGRAMME: Node.Kind.MEASURE,
                Node.Kind.MEASURE: Node.Kind.KPI,
            }.get(parent.kind, Node.Kind.KPI)  # type: ignore[call-overload]
            initial = {
                "parent": parent,
                "kind": child_kind,
                "code": f"{parent.code}.{parent.children.count() + 1}",
                "lead_department": parent.lead_department,
                "deadline": parent.deadline,
            }
    form = NodeForm(request.POST or None, instance=node, initial=initial, plan=plan)
    if request.method == "POST":
        if request.POST.get("delete") and node is not None:
            try:
                services.node_delete(actor=request.user, node=node)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return redirect("plans:node_edit", year, node.pk)
            messages.success(request, _("已删除。"))
            return redirect("plans:tree", year)
        if form.is_valid():
            data = dict(form.cleaned_data)
            partners = data.pop("partner_departments")
            try:
                saved = services.node_save(
                    actor=request.user, plan=plan, node=node, partner_departments=partners, **data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(code)s。") % {"code": saved.code})
                for warning in services.weight_warnings(plan):
                    messages.warning(request, warning)
                return redirect("plans:node", year, saved.pk)
    return render(request, "plans/node_edit.html", {"plan": plan, "node": node, "form": form})


@login_required
def node_detail(request: AuthedRequest, year: int, pk: int) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    node = get_object_or_404(Node.objects.select_related("lead_department", "parent"), pk=pk, plan=plan)
    month = _month(request, plan)
    status = next(s for s in selectors.tree(plan, month) if s.node.pk == node.pk)
    supervise = SupervisionForm(request.POST or None) if is_leader(request.user) else None
    if request.method == "POST":
        if supervise is None:
            raise PermissionDenied(_("只有管委会领导可以督办。"))
        if supervise.is_valid():
            try:
                found = services.supervision_open(actor=request.user, node=node, **supervise.cleaned_data)
            except ValidationError as exc:
                add_service_errors(supervise, exc)
            else:
                messages.success(request, _("已督办，编号 %(n)s。") % {"n": found.item.number})
                return redirect("plans:supervision", found.item.number)
    lines = [
        line
        for line in node.report_lines.select_related("report__period", "report__department").order_by(
            "-report__period__month"
        )
        if selectors.visible_report(request.user, line.report)
    ]
    context = {
        "plan": plan,
        "node": node,
        "status": status,
        "month": month,
        "lines": lines,
        "supervisions": node.supervisions.select_related("item").order_by("-item__opened_at"),
        "supervise": supervise,
        "office": services.is_office(request.user),
        "states": STATES,
    }
    return render(request, "plans/node.html", context)


@login_required
def my_tasks(request: AuthedRequest, year: int) -> HttpResponse:
    """What the user's department leads and supports, with this month's report and open
    supervision items."""
    ensure_business(request.user)
    plan = _plan(year)
    department_id = request.user.department_id
    if department_id is None:
        raise PermissionDenied(_("该页面列出本部门的任务，您的账号不属于任何部门。"))
    month = _month(request, plan)
    rows = selectors.tree(plan, month)
    lead = [r for r in rows if r.node.lead_department_id == department_id]
    partner = [
        r
        for r in rows
        if r.node.lead_department_id != department_id
        and any(d.pk == department_id for d in r.node.partner_departments.all())
    ]
    today = timezone.localdate()
    periods = []
    for period in plan.periods.filter(month__lte=today):
        report = period.reports.filter(department_id=department_id).first()
        periods.append((period, report, selectors.is_late(period, report, today)))
    supervisions = Supervision.objects.filter(
        node__plan=plan, item__department_id=department_id
    ).select_related("item", "node")
    context = {
        "plan": plan,
        "month": month,
        "lead": lead,
        "partner": partner,
        "periods": periods[::-1],
        "supervisions": supervisions,
        "states": STATES,
    }
    return render(request, "plans/my.html", context)


@login_required
def report(request: AuthedRequest, year: int, month: str) -> HttpResponse:
    """A department's monthly report: its staff fill it in (values and 进展情况 / 存在问题 /
    下步计划 for each measure and KPI it leads) and submit it; its head approves or returns it.
    Leaders and the plan office see every department's status and the approved reports."""
    ensure_business(request.user)
    plan = _plan(year)
    period = selectors.period_of(plan, month)
    user = request.user
    own = user.department_id if is_department_member(user) else None
    shown_department = own
    if request.GET.get("department") and (is_leader(user) or services.is_office(user)):
        shown_department = int(request.GET["department"]) if request.GET["department"].isdigit() else None
    found = (
        period.reports.filter(department_id=shown_department).select_related("department").first()
        if shown_department
        else None
    )
    if found is not None and not selectors.visible_report(user, found):
        found = None
    nodes = services.reported_nodes(plan, shown_department) if shown_department else []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in {"save", "submit"}:
                lines = {
                    n.pk: {
                        name: request.POST.get(f"{name}-{n.pk}", "")
                        for name in ("value", "progress", "problems", "next_steps")
                    }
                    for n in nodes
                }
                services.report_save(actor=user, period=period, lines=lines, submit=action == "submit")
                messages.success(
                    request, _("已报送，等待部门负责人审核。") if action == "submit" else _("已保存。")
                )
            elif action == "approve" and found is not None:
                services.report_approve(actor=user, report=found)
                messages.success(request, _("已审核通过。"))
            elif action == "return" and found is not None:
                services.report_return(actor=user, report=found, reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回。"))
            else:
                raise PermissionDenied(_("没有可操作的月报。"))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return redirect("plans:report", year, month)
    lines_saved = {line.node_id: line for line in found.lines.all()} if found else {}
    entered = [
        (
            n,
            lines_saved.get(n.pk),
            {
                name: request.POST.get(f"{name}-{n.pk}")
                for name in ("value", "progress", "problems", "next_steps")
            }
            if request.method == "POST"
            else None,
            [*errors.get(f"value-{n.pk}", []), *errors.get(f"progress-{n.pk}", [])],
        )
        for n in nodes
    ]
    editable = (
        own is not None
        and shown_department == own
        and not period.closed
        and (found is None or found.status in {Report.Status.DRAFT, Report.Status.RETURNED})
    )
    context = {
        "plan": plan,
        "period": period,
        "report": found,
        "entered": entered,
        "editable": editable,
        "errors": errors.get("__all__", []),
        "can_review": found is not None and is_head(user) and user.department_id == found.department_id,
        "overview": selectors.period_rows(period) if is_leader(user) or services.is_office(user) else None,
        "shown_department": shown_department,
    }
    return render(request, "plans/report.html", context)


@login_required
def periods(request: AuthedRequest, year: int) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    office = services.is_office(request.user)
    if request.method == "POST":
        services.ensure_office(request.user)
        period = get_object_or_404(Period, pk=request.POST.get("period"), plan=plan)
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                services.period_update(actor=request.user, period=period, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("已保存 %(month)s。") % {"month": f"{period.month:%Y-%m}"})
        else:
            messages.error(request, _("请填写正确的截止日。"))
        return redirect("plans:periods", year)
    today = timezone.localdate()
    rows = []
    for period in plan.periods.all():
        status = selectors.period_rows(period, today) if period.month <= today else []
        rows.append(
            (
                period,
                [r for r in status if r.late],
                sum(1 for r in status if r.report and r.report.status == Report.Status.APPROVED),
                len(status),
            )
        )
    return render(request, "plans/periods.html", {"plan": plan, "rows": rows, "office": office})


@login_required
def watch(request: AuthedRequest, year: int) -> HttpResponse:
    """The leaders' view: what is red and what is overdue, each a click from supervision."""
    ensure_business(request.user)
    plan = _plan(year)
    month = _month(request, plan)
    rows = [r for r in selectors.tree(plan, month) if r.light == "red" or r.overdue]
    return render(
        request, "plans/watch.html", {"plan": plan, "month": month, "months": range(1, 13), "rows": rows}
    )


@login_required
def scores(request: AuthedRequest, year: int) -> HttpResponse:
    ensure_business(request.user)
    plan = _plan(year)
    month = _month(request, plan)
    ranking = scoring.scores(plan, month)
    kind = request.GET.get("format")
    if kind == "xlsx":
        return exports.scores_xlsx(plan, month, ranking, request.user)
    if kind == "docx":
        return exports.scores_docx(plan, month, ranking, request.user)
    context = {"plan": plan, "month": month, "months": range(1, 13), "ranking": ranking}
    return render(request, "plans/scores.html", context)


@login_required
def supervision(request: AuthedRequest, number: str) -> HttpResponse:
    ensure_business(request.user)
    found = get_object_or_404(
        Supervision.objects.select_related("item", "node__plan", "item__department"), item__number=number
    )
    return item_page(
        request,
        kind=KIND,
        item=found.item,
        form_class=SupervisionActionForm,
        act=lambda action, data: services.supervision_act(
            actor=request.user, supervision=found, action=action, **data
        ),
        back=lambda: redirect("plans:supervision", number),
        template="plans/supervision.html",
        context={"supervision": found, "attachment_url": "plans:supervision_attachment"},
    )


@login_required
def supervision_attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    ensure_business(request.user)
    found = get_object_or_404(Supervision, item__number=number)
    return download(get_object_or_404(Attachment, pk=pk, event__item=found.item))
