"""The innovation registry's pages: the platform list (filters, .xlsx export), a platform's page
with its recognitions, yearly records and scores, the forms, the import and the scoring rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core import jobs
from xinqu.core.access import AuthedRequest, ensure_business, shown_name, shown_names
from xinqu.core.forms import add_service_errors
from xinqu.core.imports import template_workbook
from xinqu.core.models import OrgUnit
from xinqu.core.xlsx import export_response, workbook_bytes, xlsx_response
from xinqu.enterprises.selectors import enterprise_by_code_or_name
from xinqu.innovation import selectors, services
from xinqu.innovation.flow import KIND
from xinqu.innovation.forms import (
    EndForm,
    ImportForm,
    NewPlatformForm,
    OutcomeForm,
    PartnerForm,
    PaymentForm,
    PlatformForm,
    ProgrammeForm,
    ProjectForm,
    RecognitionForm,
    ReviewForm,
    RuleForm,
    TalentForm,
    TalentRuleForm,
    TaskActionForm,
    TaskForm,
    YearForm,
)
from xinqu.innovation.models import (
    InnovationProject,
    Level,
    Platform,
    ProjectTask,
    Talent,
    TalentCategory,
    TalentProgramme,
)
from xinqu.innovation.rules import level_on, mask, score
from xinqu.workflow.models import Attachment
from xinqu.workflow.pages import download, item_page

EXPORT_HEADERS = [
    _("平台编号"),
    _("平台名称"),
    _("平台类别"),
    _("当前级别"),
    _("首次认定日期"),
    _("有效期至"),
    _("运营主体"),
    _("所在园区"),
    _("产业链环节"),
    _("场地面积（平方米）"),
    _("人员（人）"),
]


def _levels() -> dict[str, str]:
    return {value: str(label) for value, label in Level.choices}


def _operator(user: Any, platform: Platform) -> str:
    if platform.operator_id:
        shown = shown_name(user, platform.operator)
        return str(shown.name)
    return platform.institution


@login_required
def platform_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    today = timezone.localdate()
    found = selectors.filtered(request.user, request.GET, today)
    if request.GET.get("format") == "xlsx":
        return _export(request, found)
    levels, kinds = _levels(), dict(Platform.Kind.choices)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = []
    for platform in page.object_list:
        recognitions = list(platform.recognitions.all())
        valid = [
            r
            for r in recognitions
            if r.recognised_on <= today and (r.valid_until is None or r.valid_until >= today)
        ]
        ends = min((r.valid_until for r in valid if r.valid_until), default=None)
        rows.append(
            {
                "platform": platform,
                "kind": kinds.get(platform.kind, ""),
                "level": levels.get(level_on(recognitions, today), ""),
                "operator": _operator(request.user, platform),
                "ends": ends,
                "expiring": ends is not None and (ends - today).days <= selectors.EXPIRING_DAYS,
                "lapsed": not valid,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "params": request.GET,
        "query": query.urlencode(),
        "kinds": Platform.Kind.choices,
        "levels": Level.choices,
        "parks": OrgUnit.objects.filter(kind="park").order_by("sort_order", "id"),
        "can_edit": services.is_bureau(request.user),
        "counts": [(label, selectors.counted(today, value).count()) for value, label in Level.choices],
        "today": today,
    }
    return render(request, "innovation/list.html", context)


def _export(request: AuthedRequest, found: Any) -> HttpResponse:
    today = timezone.localdate()
    levels, kinds = _levels(), dict(Platform.Kind.choices)

    def row(platform: Platform) -> list[Any]:
        recognitions = list(platform.recognitions.all())
        valid_ends = [r.valid_until for r in recognitions if r.valid_until and r.valid_until >= today]
        node = platform.chain_node
        return [
            platform.code,
            platform.name,
            str(kinds.get(platform.kind, "")),
            levels.get(level_on(recognitions, today), ""),
            recognitions[0].recognised_on if recognitions else None,
            min(valid_ends) if valid_ends else None,
            _operator(request.user, platform),
            platform.park.name if platform.park else "",
            f"{node.parent.name} · {node.name}" if node and node.parent else "",
            float(platform.space) if platform.space is not None else None,
            platform.staff,
        ]

    content = workbook_bytes(
        str(_("创新平台")), [str(h) for h in EXPORT_HEADERS], (row(p) for p in found.iterator(chunk_size=500))
    )
    return export_response(
        actor=request.user, filename="platforms.xlsx", content=content, object_type="innovation"
    )


def _operator_from(form: Any, user: Any, platform: Platform | None) -> Any:
    text = (form.cleaned_data.get("operator_name") or "").strip()
    if not text:
        # Left empty where the editor was never shown the name, the link stays as it was.
        if platform is not None and platform.operator and not shown_name(user, platform.operator).visible:
            return platform.operator
        return None
    found = enterprise_by_code_or_name(user, text)
    if found is None:
        raise ValidationError(
            {"operator_name": _("企业名录中没有这家企业：请输入名称或信用代码后从列表中选择。")}
        )
    return found


@login_required
def platform_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    platform = selectors.platform_for(request.user, pk) if pk else None
    services.ensure_bureau(request.user)
    shown = shown_name(request.user, platform.operator if platform else None)
    initial = {"operator_name": shown.name if shown.visible else ""}
    form_class = PlatformForm if platform else NewPlatformForm
    form = form_class(request.POST or None, instance=platform, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "operator_name"}
        try:
            data["operator"] = _operator_from(form, request.user, platform)
            if platform is None:
                saved = services.platform_create(actor=request.user, **data)
            else:
                saved = services.platform_update(actor=request.user, platform=platform, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存平台 %(code)s。") % {"code": saved.code})
            return redirect("innovation:detail", saved.pk)
    return render(request, "innovation/edit.html", {"form": form, "platform": platform})


@login_required
def platform_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ensure_business(request.user)
    user = request.user
    platform = selectors.platform_for(user, pk)
    today = timezone.localdate()
    chosen = request.POST.get("form") if request.method == "POST" else None
    recognition_form = RecognitionForm(request.POST if chosen == "recognition" else None)
    year_form = YearForm(request.POST if chosen == "year" else None, initial={"year": today.year - 1})
    if chosen:
        services.ensure_bureau(user)
        form = {"recognition": recognition_form, "year": year_form}.get(chosen)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if chosen == "recognition":
                    services.recognition_add(actor=user, platform=platform, **data)
                    message = _("已登记认定。")
                else:
                    services.year_save(actor=user, platform=platform, **data)
                    message = _("已保存 %(year)s 年度绩效。") % {"year": data["year"]}
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("innovation:detail", pk)
    recognitions = list(platform.recognitions.all())
    rule = selectors.assessment_rule()
    levels = _levels()
    years = []
    for record in platform.years.all():
        held = level_on(recognitions, min(today, dt.date(record.year, 12, 31)))
        years.append({"record": record, "level": levels.get(held, ""), "score": score(rule, held, record)})
    context = {
        "platform": platform,
        "level": levels.get(level_on(recognitions, today), ""),
        "recognitions": [
            {"r": r, "valid": r.recognised_on <= today and (r.valid_until is None or r.valid_until >= today)}
            for r in recognitions
        ],
        "operator": shown_name(user, platform.operator) if platform.operator_id else None,
        "years": years,
        "rule": rule,
        "can_edit": services.is_bureau(user),
        "recognition_form": recognition_form,
        "year_form": year_form,
        "chosen": chosen,
    }
    return render(request, "innovation/detail.html", context)


@login_required
def rule(request: AuthedRequest) -> HttpResponse:
    """The yearly assessment rule; the bureau changes it, everyone else reads it."""
    ensure_business(request.user)
    current = selectors.assessment_rule()
    form = RuleForm(request.POST or None, instance=current)
    if request.method == "POST":
        services.ensure_bureau(request.user)
        if form.is_valid():
            try:
                services.rule_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存平台考核规则。"))
                return redirect("innovation:rule")
    return render(
        request,
        "innovation/rule.html",
        {"form": form, "rule": current, "can_edit": services.is_bureau(request.user)},
    )


@login_required
def platform_import(request: AuthedRequest) -> HttpResponse:
    """A list from a workbook (platforms, projects or talents): a dry run first, then all rows or
    none, on the worker."""
    ensure_business(request.user)
    services.ensure_bureau(request.user)
    kind = _import_kind(request.GET.get("kind") or request.POST.get("kind"))
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_start(
                actor=request.user, kind=IMPORTS[form.cleaned_data["kind"]], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    tab = {"platforms": "list"}.get(kind, kind)
    return render(request, "innovation/import.html", {"form": form, "kind": kind, "tab": tab})


# The lists a workbook brings: the page's choice → the import kind.
IMPORTS = {
    "platforms": "innovation_platforms",
    "projects": "innovation_projects",
    "talents": "innovation_talents",
}


def _import_kind(value: str | None) -> str:
    return value if value in IMPORTS else "platforms"


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    kind = _import_kind(request.GET.get("kind"))
    spec = jobs.IMPORT_KINDS[IMPORTS[kind]]
    return xlsx_response(f"template-innovation-{kind}.xlsx", template_workbook(str(spec.label), spec.columns))


# --- Innovation projects -------------------------------------------------------------------------

PROJECT_HEADERS = [
    _("项目编号"),
    _("项目名称"),
    _("项目类别"),
    _("承担主体"),
    _("依托平台"),
    _("立项日期"),
    _("计划完成日期"),
    _("结项日期"),
    _("总投入（万元）"),
    _("财政支持（万元）"),
    _("成果（项）"),
    _("其中标志性成果（项）"),
]


def _holder(user: Any, project: InnovationProject) -> str:
    if project.enterprise_id:
        return str(shown_name(user, project.enterprise).name)
    return project.institution


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    found = selectors.projects_filtered(request.user, request.GET)
    kinds = dict(InnovationProject.Kind.choices)
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                p.code,
                p.name,
                str(kinds.get(p.kind, "")),
                _holder(request.user, p),
                p.platform.name if p.platform and not p.platform.confidential else "",
                p.started_on,
                p.due_on,
                p.ended_on,
                float(p.budget),
                float(p.support),
                getattr(p, "outcome_count", 0),
                getattr(p, "landmark_count", 0),
            ]
            for p in found.iterator(chunk_size=500)
        )
        content = workbook_bytes(str(_("创新项目")), [str(h) for h in PROJECT_HEADERS], rows)
        return export_response(
            actor=request.user, filename="innovation-projects.xlsx", content=content, object_type="innovation"
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    listed: list[dict[str, Any]] = [
        {"project": p, "kind": kinds.get(p.kind, ""), "holder": _holder(request.user, p)}
        for p in page.object_list
    ]
    page.object_list = listed  # type: ignore[assignment]  # the rows as the table shows them
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    context = {
        "page": page,
        "params": request.GET,
        "query": query.urlencode(),
        "kinds": InnovationProject.Kind.choices,
        "can_edit": services.is_bureau(request.user),
        "year": today.year,
        "counts": [
            (_("当年立项的高能级项目"), selectors.started_in(today.year, today, "high_level").count()),
            (_("当年取得的标志性成果"), selectors.landmarks_in(today.year, today).count()),
            (_("当年立项的院士型项目"), selectors.started_in(today.year, today, "academician").count()),
        ],
    }
    return render(request, "innovation/projects.html", context)


def _enterprise_from(form: Any, field: str, user: Any, current: Any) -> Any:
    text = (form.cleaned_data.get(field) or "").strip()
    if not text:
        if current is not None and not shown_name(user, current).visible:
            return current
        return None
    found = enterprise_by_code_or_name(user, text)
    if found is None:
        raise ValidationError({field: _("企业名录中没有这家企业：请输入名称或信用代码后从列表中选择。")})
    return found


@login_required
def project_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    project = selectors.project_for(request.user, pk) if pk else None
    services.ensure_bureau(request.user)
    shown = shown_name(request.user, project.enterprise if project else None)
    form = ProjectForm(
        request.POST or None,
        instance=project,
        initial={"enterprise_name": shown.name if shown.visible else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise_name"}
        try:
            data["enterprise"] = _enterprise_from(
                form, "enterprise_name", request.user, project.enterprise if project else None
            )
            if project is None:
                saved = services.project_create(actor=request.user, **data)
            else:
                saved = services.project_update(actor=request.user, project=project, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存项目 %(code)s。") % {"code": saved.code})
            return redirect("innovation:project", saved.pk)
    return render(request, "innovation/project_edit.html", {"form": form, "project": project})


@login_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ensure_business(request.user)
    user = request.user
    project = selectors.project_for(user, pk)
    chosen = request.POST.get("form") if request.method == "POST" else None
    today = timezone.localdate()
    forms_: dict[str, Any] = {
        "outcome": OutcomeForm(request.POST if chosen == "outcome" else None, initial={"achieved_on": today}),
        "partner": PartnerForm(request.POST if chosen == "partner" else None),
        "end": EndForm(request.POST if chosen == "end" else None, initial={"on": today}),
        "task": TaskForm(request.POST if chosen == "task" else None),
    }
    if chosen:
        services.ensure_bureau(user)
        form = forms_.get(chosen)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if chosen == "outcome":
                    services.outcome_add(actor=user, project=project, **data)
                    message = _("已登记成果。")
                elif chosen == "task":
                    services.task_open(actor=user, project=project, **data)
                    message = _("已派发，责任部门将收到待办通知。")
                elif chosen == "partner":
                    data["enterprise"] = _enterprise_from(form, "enterprise", user, None)
                    services.partner_add(actor=user, project=project, **data)
                    message = _("已添加合作方。")
                else:
                    services.project_end(actor=user, project=project, **data)
                    message = _("项目已结项。")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("innovation:project", pk)
    partners = list(project.partners.select_related("enterprise"))
    named = shown_names(user, [p.enterprise for p in partners])
    context = {
        "project": project,
        "holder": shown_name(user, project.enterprise) if project.enterprise_id else None,
        "partners": [
            {"partner": p, "shown": named[p.enterprise_id] if p.enterprise_id else None} for p in partners
        ],
        "outcomes": project.outcomes.all(),
        "tasks": project.tasks.select_related("item", "item__department").order_by("item__opened_at"),
        "platform_shown": project.platform
        if project.platform
        and (
            not project.platform.confidential
            or selectors.platforms_for(user).filter(pk=project.platform_id or 0).exists()
        )
        else None,
        "can_edit": services.is_bureau(user) and project.ended_on is None,
        "forms": forms_,
        "chosen": chosen,
    }
    return render(request, "innovation/project.html", context)


# --- Talent --------------------------------------------------------------------------------------

TALENT_HEADERS = [
    _("姓名或团队名称"),
    _("引才计划"),
    _("人才类别"),
    _("证件号码"),
    _("联系电话"),
    _("用人企业或平台"),
    _("引进日期"),
    _("服务期（年）"),
    _("承诺支持（万元）"),
    _("已拨付（万元）"),
]


def _host(user: Any, talent: Talent) -> str:
    if talent.host_enterprise_id:
        return str(shown_name(user, talent.host_enterprise).name)
    return talent.host_platform.name if talent.host_platform and not talent.host_platform.confidential else ""


@login_required
def talent_list(request: AuthedRequest) -> HttpResponse:
    """The talents recruited, by programme: personal data masked here and in the export."""
    ensure_business(request.user)
    found = selectors.talents_filtered(request.user, request.GET)
    categories = dict(TalentCategory.choices)
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                t.name,
                t.programme.name,
                str(categories.get(t.programme.category, "")),
                mask(t.id_number),
                mask(t.phone),
                _host(request.user, t),
                t.recruited_on,
                t.service_years,
                float(t.support_promised),
                float(getattr(t, "paid", None) or 0),
            ]
            for t in found.iterator(chunk_size=500)
        )
        content = workbook_bytes(str(_("人才")), [str(h) for h in TALENT_HEADERS], rows)
        return export_response(
            actor=request.user, filename="talents.xlsx", content=content, object_type="innovation"
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    listed: list[dict[str, Any]] = [
        {
            "talent": t,
            "category": categories.get(t.programme.category, ""),
            "host": _host(request.user, t),
            "id_masked": mask(t.id_number),
            "paid": getattr(t, "paid", None) or 0,
        }
        for t in page.object_list
    ]
    page.object_list = listed  # type: ignore[assignment]  # the rows as the table shows them
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    from xinqu.core.feeds import feed

    shared = feed("investment.talent_projects")
    context = {
        "page": page,
        "params": request.GET,
        "query": query.urlencode(),
        "programmes": TalentProgramme.objects.all(),
        "categories": TalentCategory.choices,
        "can_edit": services.is_bureau(request.user),
        "year": today.year,
        "by_programme": [
            (p.name, selectors.recruited_in(today.year, today).filter(programme=p).count())
            for p in TalentProgramme.objects.all()
        ],
        "talent_projects": shared.compute(today.year, today).value if shared else None,
    }
    return render(request, "innovation/talents.html", context)


def _lead_from(form: Any, user: Any) -> Any:
    from xinqu.investment.models import Lead

    code = (form.cleaned_data.get("lead_code") or "").strip()
    if not code:
        return None
    found = Lead.objects.visible_to(user).filter(code=code).first()
    if found is None:
        raise ValidationError({"lead_code": _("没有这个招商线索编号，或您无权查看。")})
    return found


@login_required
def talent_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    talent = selectors.talent_for(request.user, pk) if pk else None
    services.ensure_bureau(request.user)
    shown = shown_name(request.user, talent.host_enterprise if talent else None)
    initial = {
        "host_name": shown.name if shown.visible else "",
        "lead_code": talent.lead.code if talent and talent.lead else "",
    }
    form = TalentForm(request.POST or None, instance=talent, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("host_name", "lead_code")}
        try:
            data["host_enterprise"] = _enterprise_from(
                form, "host_name", request.user, talent.host_enterprise if talent else None
            )
            data["lead"] = _lead_from(form, request.user)
            if talent is None:
                saved = services.talent_create(actor=request.user, **data)
            else:
                saved = services.talent_update(actor=request.user, talent=talent, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”。") % {"name": saved.name})
            return redirect("innovation:talent", saved.pk)
    return render(request, "innovation/talent_edit.html", {"form": form, "talent": talent})


@login_required
def talent_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ensure_business(request.user)
    user = request.user
    talent = selectors.talent_for(user, pk)
    chosen = request.POST.get("form") if request.method == "POST" else None
    today = timezone.localdate()
    forms_: dict[str, Any] = {
        "payment": PaymentForm(request.POST if chosen == "payment" else None, initial={"paid_on": today}),
        "review": ReviewForm(request.POST if chosen == "review" else None, initial={"reviewed_on": today}),
    }
    revealed: tuple[str, str] | None = None
    if chosen:
        services.ensure_bureau(user)
        if chosen == "reveal":
            revealed = services.personal_data(actor=user, talent=talent)
        else:
            form = forms_.get(chosen)
            if form is None:
                raise PermissionDenied
            if form.is_valid():
                try:
                    if chosen == "payment":
                        services.payment_add(actor=user, talent=talent, **form.cleaned_data)
                        message = _("已登记拨付。")
                    else:
                        review = services.review_add(actor=user, talent=talent, **form.cleaned_data)
                        message = (
                            _("已登记验收；得分低于合格分，已按规则追回 %(amount)s 万元。")
                            % {"amount": review.clawed_back}
                            if review.clawed_back
                            else _("已登记验收。")
                        )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, message)
                    return redirect("innovation:talent", pk)
    payments = list(talent.payments.all())
    context = {
        "talent": talent,
        "host": shown_name(user, talent.host_enterprise) if talent.host_enterprise_id else None,
        "id_shown": revealed[0] if revealed else mask(talent.id_number),
        "phone_shown": revealed[1] if revealed else mask(talent.phone),
        "revealed": revealed is not None,
        "payments": payments,
        "paid": sum((p.amount for p in payments), start=type(talent.support_promised)(0)),
        "reviews": talent.reviews.all(),
        "rule": services.talent_rule(),
        "can_edit": services.is_bureau(user),
        "forms": forms_,
        "chosen": chosen,
        "lead_visible": talent.lead is not None and _lead_visible(user, talent.lead_id),
    }
    return render(request, "innovation/talent.html", context)


def _lead_visible(user: Any, lead_id: int | None) -> bool:
    from xinqu.investment.models import Lead

    return Lead.objects.visible_to(user).filter(pk=lead_id or 0).exists()


@login_required
def programmes(request: AuthedRequest) -> HttpResponse:
    """The talent programmes and the clawback rule; the bureau keeps both."""
    ensure_business(request.user)
    form = ProgrammeForm(request.POST if request.POST.get("form") == "programme" else None)
    rule_form = TalentRuleForm(
        request.POST if request.POST.get("form") == "rule" else None, instance=services.talent_rule()
    )
    if request.method == "POST":
        services.ensure_bureau(request.user)
        chosen = form if request.POST.get("form") == "programme" else rule_form
        if chosen.is_valid():
            try:
                if chosen is form:
                    services.programme_save(actor=request.user, **form.cleaned_data)
                else:
                    services.talent_rule_save(actor=request.user, **rule_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(chosen, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("innovation:programmes")
    rows = TalentProgramme.objects.annotate(n=Count("talents")).order_by("started_on", "name")
    return render(
        request,
        "innovation/programmes.html",
        {
            "rows": rows,
            "form": form,
            "rule_form": rule_form,
            "rule": services.talent_rule(),
            "can_edit": services.is_bureau(request.user),
        },
    )


# --- Milestones and problems ---------------------------------------------------------------------


@login_required
def task(request: AuthedRequest, number: str) -> HttpResponse:
    ensure_business(request.user)
    found = get_object_or_404(
        ProjectTask.objects.select_related("item", "project", "item__department"), item__number=number
    )
    if not selectors.projects_for(request.user).filter(pk=found.project_id).exists():
        raise Http404
    return item_page(
        request,
        kind=KIND,
        item=found.item,
        form_class=TaskActionForm,
        act=lambda action, data: services.task_act(actor=request.user, task=found, action=action, **data),
        back=lambda: redirect("innovation:task", number),
        template="innovation/task.html",
        context={"task": found, "attachment_url": "innovation:task_attachment"},
    )


@login_required
def task_attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    ensure_business(request.user)
    found = get_object_or_404(ProjectTask, item__number=number)
    if not selectors.projects_for(request.user).filter(pk=found.project_id).exists():
        raise Http404
    return download(get_object_or_404(Attachment, pk=pk, event__item=found.item))
