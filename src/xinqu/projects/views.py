from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core import jobs
from xinqu.core.access import (
    AuthedRequest,
    ensure_business,
    ensure_department_member,
    is_department_member,
    is_head,
    shown_name,
)
from xinqu.core.forms import add_service_errors
from xinqu.core.imports import template_workbook
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.params import year_param
from xinqu.core.periods import current_period
from xinqu.core.roles import Role
from xinqu.core.services import save_audited
from xinqu.core.xlsx import xlsx_response
from xinqu.enterprises.models import Enterprise
from xinqu.enterprises.selectors import enterprise_by_code_or_name
from xinqu.projects import exports, lights, selectors, services
from xinqu.projects.flow import KIND, STATES
from xinqu.projects.forms import (
    ImportForm,
    MilestoneForm,
    MoveForm,
    ProblemActionForm,
    ProblemForm,
    ProjectForm,
    ReportForm,
    RuleForm,
    YearForm,
)
from xinqu.projects.models import LightRule, Milestone, Problem, Project, ReportPhoto
from xinqu.workflow.models import Attachment
from xinqu.workflow.pages import download, item_page


def _project(pk: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related(
            "area", "park", "department", "leader", "enterprise", "chain_node__parent"
        ),
        pk=pk,
    )


def _choices() -> dict[str, Any]:
    return {
        "stages": Project.Stage.choices,
        "kinds": Project.Kind.choices,
        "bands": [(k, label) for k, _f, label in selectors.BANDS],
        "areas": OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA),
        "parks": OrgUnit.objects.filter(kind=OrgUnit.Kind.PARK),
        "departments": Department.objects.filter(is_active=True),
        "leaders": User.objects.filter(role=Role.LEADER, is_active=True),
        "lights": [("red", _("红灯")), ("yellow", _("黄灯")), ("green", _("绿灯")), ("none", _("不亮灯"))],
    }


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    found = selectors.filtered(request.GET)
    if request.GET.get("format") == "xlsx":
        if settings.IMPORTS_IN_BACKGROUND:
            return _export_job(request, "projects")
        return exports.projects_response(found, request.user)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "params": request.GET,
        "query": query.urlencode(),
        "can_add": is_department_member(request.user),
        **_choices(),
    }
    return render(request, "projects/list.html", context)


def _enterprise(form: ProjectForm, user: Any, project: Project | None) -> Enterprise | None:
    """The builder the form names. Left empty on a project whose builder the editor may not see,
    the link stays as it was (the code was never shown to them)."""
    code = (form.cleaned_data.get("credit_code") or "").strip()
    if not code:
        if (
            project is not None
            and project.enterprise is not None
            and not shown_name(user, project.enterprise).visible
        ):
            return project.enterprise
        return None
    found = enterprise_by_code_or_name(user, code)
    if found is None:
        raise ValidationError(
            {"credit_code": _("企业名录中没有这家企业：请输入名称或信用代码后从列表中选择。")}
        )
    return found


@login_required
def project_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    project = _project(pk) if pk else None
    services.ensure_can_edit(request.user, project)
    builder = shown_name(request.user, project.enterprise if project else None)
    initial: dict[str, Any] = {
        "credit_code": project.enterprise.credit_code
        if project and project.enterprise and builder.visible
        else ""
    }
    if project is None:
        initial["department"] = request.user.department
    form = ProjectForm(request.POST or None, instance=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "credit_code"}
            saved = services.project_save(
                actor=request.user,
                project=project,
                enterprise=_enterprise(form, request.user, project),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(code)s。") % {"code": saved.code})
            return redirect("projects:detail", saved.pk)
    return render(request, "projects/edit.html", {"form": form, "project": project})


@login_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The project's page: its record, stage, year plans, milestones, monthly reports, light
    history and problems; each form posts back here and answers with the reason when refused."""
    ensure_business(request.user)
    project = _project(pk)
    user = request.user
    can_edit = is_department_member(user) and (
        services.is_centre(user) or user.department_id == project.department_id
    )
    chosen = request.POST.get("form") if request.method == "POST" else None
    forms: dict[str, Any] = {
        "move": MoveForm(
            request.POST if chosen == "move" else None,
            initial={"on": timezone.localdate(), "stage": services.next_stage(project.stage)},
        ),
        "year": YearForm(
            request.POST if chosen == "year" else None, initial={"year": timezone.localdate().year}
        ),
        "milestone": MilestoneForm(request.POST if chosen == "milestone" else None),
        "report": ReportForm(
            request.POST if chosen == "report" else None,
            request.FILES if chosen == "report" else None,
            initial={"month": f"{timezone.localdate():%Y-%m}"},
        ),
        "problem": ProblemForm(
            request.POST if chosen == "problem" else None, request.FILES if chosen == "problem" else None
        ),
    }
    if chosen:
        if chosen not in forms:
            raise PermissionDenied
        services.ensure_can_edit(user, project)
        form = forms[chosen]
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if chosen == "move":
                    services.project_move(actor=user, project=project, **data)
                elif chosen == "year":
                    services.year_plan_save(actor=user, project=project, **data)
                elif chosen == "milestone":
                    services.milestone_save(actor=user, project=project, **data)
                elif chosen == "report":
                    services.report_save(actor=user, project=project, **data)
                else:
                    found = services.problem_open(actor=user, project=project, **data)
                    messages.success(request, _("已交办，编号 %(n)s。") % {"n": found.item.number})
                    return redirect("projects:detail", pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("projects:detail", pk)
    today = timezone.localdate()
    milestones = {m.kind: m for m in project.milestones.all()}
    # Each stage with its planned and actual date (the later stages' plans are milestones).
    planned_of = {
        "signed": project.planned_signed_on,
        "landed": project.planned_landed_on,
        "started": project.planned_start_on,
        "completed": milestones["completion"].planned_on if "completion" in milestones else None,
        "operating": milestones["production"].planned_on if "production" in milestones else None,
    }
    stage_dates = [
        (label, planned_of[stage], getattr(project, services.STAGE_DATE[stage]))
        for stage, label in Project.Stage.choices
        if stage in planned_of
    ]
    milestone_rows = [(kind, label, milestones.get(kind)) for kind, label in Milestone.Kind.choices]
    progress = lights.progress(project)
    chart = {
        "name": project.name,
        "today": today.isoformat(),
        "rows": [
            {
                "label": str(label),
                "planned": m.planned_on.isoformat() if m and m.planned_on else None,
                "actual": m.actual_on.isoformat() if m and m.actual_on else None,
            }
            for kind, label, m in milestone_rows
        ],
    }
    context = {
        "project": project,
        "builder": shown_name(user, project.enterprise),
        "can_edit": can_edit,
        "forms": forms,
        "band": selectors.BAND_LABELS[selectors.band_of(project.total_investment)],
        "new_start": project.started_on is not None and project.started_on.year == today.year,
        "registration_overdue": selectors.registration_overdue(project, today),
        "report_missing": selectors.report_missing(project),
        "progress": progress,
        "years": project.years.all(),
        "milestones": milestone_rows,
        "stage_dates": stage_dates,
        "today": today,
        "reports": project.reports.order_by("-month").prefetch_related("photos")[:36],
        "light_changes": project.light_changes.all()[:20],
        "problems": project.problems.select_related("item", "item__department").order_by("-item__opened_at"),
        "states": STATES,
        "chart": chart,
    }
    return render(request, "projects/detail.html", context)


@login_required
def photo(request: AuthedRequest, pk: int) -> FileResponse:
    ensure_business(request.user)
    found = get_object_or_404(ReportPhoto, pk=pk)
    return FileResponse(
        found.file.open("rb"), as_attachment=False, filename=found.name, content_type=found.content_type
    )


@login_required
def statistics(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    year = year_param(request, current_period().year)
    by = request.GET.get("by", "stage")
    if by not in selectors.DIMENSIONS:
        by = "stage"
    over_50m = request.GET.get("scope", "50m") == "50m"
    result = selectors.statistics(year, by, min_total=selectors.BANDS[2][1] if over_50m else None)
    if request.GET.get("format") == "xlsx":
        return exports.statistics_response(result, request.user)
    chart = {
        "categories": [row.label for row in result.rows],
        "unit": _("个"),
        "series": [
            {"name": _("项目数"), "data": [row.projects for row in result.rows]},
            {"name": _("开复工"), "data": [row.new_starts + row.resumed for row in result.rows]},
        ],
    }
    context = {
        "result": result,
        "year": year,
        "by": by,
        "over_50m": over_50m,
        "dimensions": selectors.DIMENSIONS,
        "chart": chart,
    }
    return render(request, "projects/statistics.html", context)


@login_required
def meeting(request: AuthedRequest) -> HttpResponse:
    """The scheduling meeting (调度会): what is behind, late or blocked, by area and leader."""
    ensure_business(request.user)
    listed = selectors.meeting_list(selectors.filtered(request.GET))
    if request.GET.get("format") == "docx":
        return exports.meeting_docx(listed.groups(), request.user)
    page = Paginator(listed.projects, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "report_month": listed.month,
        "groups": listed.groups(page),
        "page": page,
        "count": page.paginator.count,
        "params": request.GET,
        "query": query.urlencode(),
        **_choices(),
    }
    return render(request, "projects/meeting.html", context)


@login_required
def timeline(request: AuthedRequest) -> HttpResponse:
    """Milestones of a filtered set of projects on one time axis (the first 60)."""
    ensure_business(request.user)
    found = list(selectors.filtered(request.GET).prefetch_related("milestones")[:60])
    chart = {
        "today": timezone.localdate().isoformat(),
        "projects": [
            {
                "name": f"{p.code} {p.name}",
                "points": [
                    {
                        "label": m.get_kind_display(),
                        "planned": m.planned_on.isoformat() if m.planned_on else None,
                        "actual": m.actual_on.isoformat() if m.actual_on else None,
                    }
                    for m in p.milestones.all()
                ],
            }
            for p in found
        ],
    }
    return render(
        request,
        "projects/timeline.html",
        {"chart": chart, "count": len(found), "params": request.GET, **_choices()},
    )


@login_required
def problem(request: AuthedRequest, number: str) -> HttpResponse:
    ensure_business(request.user)
    found = get_object_or_404(
        Problem.objects.select_related("item", "project", "item__department"), item__number=number
    )
    return item_page(
        request,
        kind=KIND,
        item=found.item,
        form_class=ProblemActionForm,
        act=lambda action, data: services.problem_act(
            actor=request.user, problem=found, action=action, **data
        ),
        back=lambda: redirect("projects:problem", number),
        template="projects/problem.html",
        context={"problem": found, "attachment_url": "projects:problem_attachment"},
    )


@login_required
def problem_attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    ensure_business(request.user)
    found = get_object_or_404(Problem, item__number=number)
    return download(get_object_or_404(Attachment, pk=pk, event__item=found.item))


@login_required
def rules(request: AuthedRequest) -> HttpResponse:
    """The zone's light rule; the projects centre's head keeps it."""
    ensure_business(request.user)
    rule = lights.rule()
    editable = is_head(request.user) and services.is_centre(request.user)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("只有重点项目服务中心负责人可以修改亮灯规则。"))
        if form.is_valid():
            try:
                save_audited(
                    actor=request.user,
                    instance=LightRule.objects.get(pk=rule.pk),
                    audited=["yellow_pp", "red_pp", "late_start_months"],
                    fields=form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                changed = lights.refresh_all()
                messages.success(request, _("已保存，%(n)s 个项目的灯随之变化。") % {"n": changed})
                return redirect("projects:rules")
    return render(request, "projects/rules.html", {"form": form, "editable": editable, "rule": rule})


@login_required
def project_import(request: AuthedRequest) -> HttpResponse:
    """The ledger or the month's reports from a workbook: a dry run first, then all rows or none."""
    ensure_business(request.user)
    ensure_department_member(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_start(
                actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    return render(request, "projects/import.html", {"form": form})


@login_required
def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    ensure_business(request.user)
    if kind not in {"projects", "project_reports"}:
        raise PermissionDenied
    spec = jobs.IMPORT_KINDS[kind]
    return xlsx_response(f"template-{kind}.xlsx", template_workbook(str(spec.label), spec.columns))


@login_required
def reports_export(request: AuthedRequest) -> HttpResponse:
    """A month's reports of the filtered projects, in the columns the report import reads."""
    ensure_business(request.user)
    if settings.IMPORTS_IN_BACKGROUND:
        return _export_job(request, "project_reports")
    return exports.reports_response(
        selectors.filtered(request.GET), request.GET.get("month", ""), request.user
    )


def _export_job(request: AuthedRequest, kind: str) -> HttpResponse:
    """Every report or project of a large ledger: built on the worker, downloaded from the job's
    page (core.jobs); the page's filters travel with the job."""
    params = {key: value for key, value in request.GET.items() if key not in {"format", "page"}}
    job = jobs.export_job_start(actor=request.user, kind=kind, params=params)
    return redirect("export_job", job.pk)
