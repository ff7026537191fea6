from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqu.core import jobs
from xinqu.core.access import (
    AuthedRequest,
    attach_shown,
    can_write,
    ensure_business,
    get_visible_or_404,
    get_writable_or_404,
    is_department_member,
    is_head,
)
from xinqu.core.forms import add_service_errors
from xinqu.core.htmx import partial_or
from xinqu.core.imports import template_workbook
from xinqu.core.params import YEAR_MAX, YEAR_MIN, year_param
from xinqu.core.periods import reporting_period
from xinqu.core.xlsx import export_response, xlsx_response
from xinqu.enterprises import exports, selectors, services
from xinqu.enterprises.forms import (
    ChainPositionForm,
    EnterpriseForm,
    EnterpriseSearchForm,
    ImportForm,
    IndustryNodeForm,
    QualificationEditForm,
    QualificationForm,
    QualificationKindForm,
    ReferenceTotalForm,
    TierAssignForm,
    TierForm,
    TierRunForm,
    VisitForm,
    VisitRuleForm,
    YearlyFigureForm,
)
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    Tier,
    Visit,
)
from xinqu.enterprises.rules import visit_breaches

EXPIRY_WARNING_DAYS = selectors.EXPIRY_WARNING_DAYS


def _filter(request: AuthedRequest) -> tuple[EnterpriseSearchForm, selectors.EnterpriseFilter]:
    form = EnterpriseSearchForm(request.GET or None, groups=selectors.qualification_groups())
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.EnterpriseFilter(
            q=data["q"],
            area=data["area"].pk if data["area"] else None,
            park=data["park"].pk if data["park"] else None,
            tier=data["tier"].pk if data["tier"] else None,
            group=data["group"],
            chain=data["chain"].pk if data["chain"] else None,
            above_scale=data["above_scale"],
        )
    return form, selectors.EnterpriseFilter()


@login_required
def enterprise_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    form, criteria = _filter(request)
    page = Paginator(selectors.enterprise_search(request.user, criteria), 30).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "expiring": selectors.expiring_qualifications(request.user, within_days=EXPIRY_WARNING_DAYS).count(),
        "can_create": is_department_member(request.user),
    }
    return render(request, partial_or("enterprises/list.html", "enterprises/_results.html", request), context)


@login_required
def enterprise_pick(request: AuthedRequest) -> HttpResponse:
    """The enterprise picker's suggestions for what is typed in a form's enterprise field (HTMX):
    only enterprises the user may see, by name, former name or credit code."""
    ensure_business(request.user)
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field else ""
    matches = selectors.enterprise_matches(request.user, text[:100])
    context = {"matches": matches, "text": text.strip(), "target": request.GET.get("target", "")[:80]}
    return render(request, "enterprises/_pick.html", context)


@login_required
def enterprise_export(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    _form, criteria = _filter(request)
    if settings.IMPORTS_IN_BACKGROUND:
        # Tens of thousands of rows: built on the worker, downloaded from the job's page.
        job = jobs.export_job_start(
            actor=request.user, kind="enterprises", params=dataclasses.asdict(criteria)
        )
        return redirect("export_job", job.pk)
    content = exports.enterprises_workbook(selectors.enterprise_search(request.user, criteria))
    return export_response(
        actor=request.user,
        filename=f"enterprises-{timezone.localdate():%Y%m%d}.xlsx",
        content=content,
        object_type="enterprises.Enterprise",
        detail=request.GET.urlencode(),
    )


def _run(
    request: AuthedRequest, form: BaseForm, action: Callable[[dict[str, Any]], Any], success: str
) -> Any:
    """Call a service with the form's data; put its complaints on the form. Returns the result or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success)
    return result if result is not None else True


@login_required
def enterprise_create(request: AuthedRequest) -> HttpResponse:
    services.ensure_department_member(request.user)
    form = EnterpriseForm(request.POST or None)
    created = _run(
        request, form, lambda data: services.enterprise_create(actor=request.user, **data), _("企业已登记。")
    )
    if created:
        return redirect("enterprises:detail", created.pk)
    return render(request, "enterprises/form.html", {"form": form, "title": _("登记企业")})


@login_required
def enterprise_edit(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_writable_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    form = EnterpriseForm(request.POST or None, instance=Enterprise.objects.get(pk=enterprise.pk))
    if _run(
        request,
        form,
        lambda data: services.enterprise_update(actor=request.user, enterprise=enterprise, **data),
        _("已保存。"),
    ):
        return redirect("enterprises:detail", enterprise.pk)
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": _("编辑企业：%(name)s") % {"name": enterprise}},
    )


@login_required
def enterprise_detail(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_visible_or_404(
        request.user,
        Enterprise.objects.select_related("area", "park", "tier", "service_officer", "department"),
        pk=enterprise_id,
    )
    today = timezone.localdate()
    qualifications = list(
        Qualification.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("kind", "department")
    )
    for q in qualifications:
        q.state = (  # type: ignore[attr-defined]
            "valid"
            if q.is_valid_on(today)
            and not (q.expires_on and q.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
            else "expiring"
            if q.is_valid_on(today)
            else "lapsed"
        )
    context = {
        "enterprise": enterprise,
        "qualifications": qualifications,
        "figures": enterprise.figures.all(),
        "tier_changes": enterprise.tier_changes.select_related("previous", "tier", "changed_by")[:20],
        "positions": enterprise.chain_positions.select_related(
            "node", "node__parent", "node__parent__parent"
        ),
        "visits": Visit.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("department")[:20],
        "can_edit": can_write(request.user, enterprise),
        "is_member": is_department_member(request.user),
        "qualification_form": QualificationForm(),
        "figure_form": YearlyFigureForm(initial={"year": today.year - 1}),
        "tier_form": TierAssignForm(initial={"tier": enterprise.tier_id}),
        "chain_form": ChainPositionForm(),
        "visit_form": VisitForm(initial={"visited_on": today}),
    }
    return render(request, "enterprises/detail.html", context)


def _enterprise_form(
    request: AuthedRequest,
    enterprise: Enterprise,
    form: BaseForm,
    action: Callable[[dict[str, Any]], Any],
    success: str,
    title: str,
    template: str = "enterprises/form.html",
) -> HttpResponse:
    """The shared shape of the pages that add something to one enterprise: run the service on a
    valid POST and go back to the enterprise, or show the form with what was wrong."""
    if _run(request, form, action, success):
        return redirect("enterprises:detail", enterprise.pk)
    return render(request, template, {"form": form, "title": title, "enterprise": enterprise})


@login_required
def qualification_add(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    services.ensure_department_member(request.user)
    return _enterprise_form(
        request,
        enterprise,
        QualificationForm(request.POST or None),
        lambda data: services.qualification_add(actor=request.user, enterprise=enterprise, **data),
        _("资质已登记。"),
        _("登记资质：%(name)s") % {"name": enterprise},
    )


@login_required
def qualification_edit(request: AuthedRequest, qualification_id: int) -> HttpResponse:
    qualification = get_writable_or_404(
        request.user, Qualification.objects.select_related("enterprise"), pk=qualification_id
    )
    form = QualificationEditForm(
        request.POST or None, instance=Qualification.objects.get(pk=qualification.pk)
    )
    if _run(
        request,
        form,
        lambda data: services.qualification_update(actor=request.user, qualification=qualification, **data),
        _("已保存。"),
    ):
        return redirect("enterprises:detail", qualification.enterprise_id)
    title = _("编辑资质：%(name)s") % {"name": qualification}
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": title, "enterprise": qualification.enterprise},
    )


@login_required
def figure_set(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_writable_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return _enterprise_form(
        request,
        enterprise,
        YearlyFigureForm(request.POST or None),
        lambda data: services.yearly_figure_set(actor=request.user, enterprise=enterprise, **data),
        _("年度数据已保存。"),
        _("年度经营数据：%(name)s") % {"name": enterprise},
    )


@login_required
def tier_assign(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_writable_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return _enterprise_form(
        request,
        enterprise,
        TierAssignForm(request.POST or None, initial={"tier": enterprise.tier_id}),
        lambda data: services.tier_assign(actor=request.user, enterprise=enterprise, **data),
        _("培育梯次已调整。"),
        _("调整培育梯次：%(name)s") % {"name": enterprise},
    )


@login_required
def chain_add(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_writable_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    return _enterprise_form(
        request,
        enterprise,
        ChainPositionForm(request.POST or None),
        lambda data: services.chain_position_set(actor=request.user, enterprise=enterprise, **data),
        _("已挂到产业链环节。"),
        _("产业链位置：%(name)s") % {"name": enterprise},
    )


@require_POST
@login_required
def chain_remove(request: AuthedRequest, position_id: int) -> HttpResponse:
    position = get_object_or_404(ChainPosition.objects.select_related("enterprise"), pk=position_id)
    get_writable_or_404(request.user, Enterprise.objects, pk=position.enterprise_id)
    services.chain_position_remove(actor=request.user, position=position)
    messages.success(request, _("已移出该链环节。"))
    return redirect("enterprises:detail", position.enterprise_id)


@login_required
def visit_add(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    services.ensure_department_member(request.user)
    return _enterprise_form(
        request,
        enterprise,
        VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()}),
        lambda data: services.visit_record(actor=request.user, enterprise=enterprise, **data),
        _("走访已登记。"),
        _("登记走访：%(name)s") % {"name": enterprise},
        template="enterprises/visit_form.html",
    )


@login_required
def visit_check(request: AuthedRequest, enterprise_id: int) -> HttpResponse:
    """HTMX: the rules a visit would break, shown before it is saved."""
    enterprise = get_visible_or_404(request.user, Enterprise.objects, pk=enterprise_id)
    try:
        day = dt.date.fromisoformat(request.GET.get("visited_on", ""))
    except ValueError:
        day = timezone.localdate()
    breaches = visit_breaches(
        enterprise=enterprise,
        visited_on=day,
        kind=request.GET.get("kind", ""),
        announced=request.GET.get("announced") in ("on", "true", "1"),
        rules=services.visit_rules(),
    )
    return render(request, "enterprises/_visit_check.html", {"breaches": breaches})


@login_required
def expiring(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    try:
        days = max(1, min(int(request.GET.get("days", EXPIRY_WARNING_DAYS)), 3650))
    except ValueError:
        days = EXPIRY_WARNING_DAYS
    items = selectors.expiring_qualifications(request.user, within_days=days)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "enterprises/expiring.html", {"page": page, "days": days, "query": f"days={days}"})


@login_required
def statistics(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    dimension = request.GET.get("by", "area")
    try:
        day = (
            dt.date.fromisoformat(request.GET.get("day", ""))
            if request.GET.get("day")
            else reporting_period().end  # the zone's reporting period, unless a day is asked for
        )
    except ValueError:
        raise BadRequest(_("日期格式应为 YYYY-MM-DD。")) from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise BadRequest(_("日期超出范围。"))
    year = year_param(request, day.year)
    table = selectors.registry_statistics(dimension=dimension, day=day, year=year)
    ref_form = ReferenceTotalForm(request.POST or None, groups=table.groups, initial={"year": year})
    if request.method == "POST":
        services.ensure_department_member(request.user)
        if _run(
            request,
            ref_form,
            lambda data: services.reference_total_set(actor=request.user, **data),
            _("对比总数已保存。"),
        ):
            return redirect(request.get_full_path())
    chart = {
        "categories": [str(row["name"] or _("（未填）")) for row in table.rows],
        "series": [
            {"name": label, "data": [row["held"].get(key, 0) for row in table.rows]}
            for key, label in table.groups
        ],
    }
    context = {
        "chart": chart,
        "table": table,
        "ref_form": ref_form,
        "dimensions": selectors.DIMENSIONS,
        "is_member": is_department_member(request.user),
    }
    return render(request, "enterprises/statistics.html", context)


@login_required
def chain_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    clusters = IndustryNode.objects.filter(kind=IndustryNode.Kind.CLUSTER).prefetch_related("children")
    return render(request, "enterprises/chains.html", {"clusters": clusters})


@login_required
def chain_detail(request: AuthedRequest, chain_id: int) -> HttpResponse:
    ensure_business(request.user)
    chain = get_object_or_404(
        IndustryNode.objects.select_related("parent"), pk=chain_id, kind=IndustryNode.Kind.CHAIN
    )
    return render(request, "enterprises/chain_map.html", {"map": selectors.chain_map(chain, request.user)})


@login_required
def visits(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    year = year_param(request, timezone.localdate().year)
    rules = services.visit_rules()
    rule_form = VisitRuleForm(request.POST or None, instance=rules)
    if request.method == "POST":
        if not is_head(request.user):
            raise PermissionDenied(_("只有部门负责人可以设置走访规则。"))
        if _run(
            request,
            rule_form,
            lambda data: services.visit_rules_save(actor=request.user, **data),
            _("走访规则已保存。"),
        ):
            return redirect("enterprises:visits")
    recent = attach_shown(
        request.user,
        Visit.objects.visible_to(request.user).select_related("enterprise", "department")[:50],
        "enterprise",
    )
    context = {
        "report": selectors.visit_report(year=year, user=request.user),
        "year": year,
        "rule_form": rule_form,
        "can_set_rules": is_head(request.user),
        "recent": recent,
    }
    return render(request, "enterprises/visits.html", context)


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    services.ensure_department_member(request.user)
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
    return render(request, "enterprises/import.html", {"form": form})


@login_required
def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in jobs.IMPORT_KINDS:
        raise Http404
    spec = jobs.IMPORT_KINDS[kind]
    return xlsx_response(f"template-{kind}.xlsx", template_workbook(str(spec.label), spec.columns))


@login_required
def registry_settings(request: AuthedRequest) -> HttpResponse:
    """Tiers and their rules, qualification kinds and the industry system. Heads change them."""
    ensure_business(request.user)
    head = is_head(request.user)
    if request.method == "POST" and not head:
        raise PermissionDenied(_("只有部门负责人可以修改这些设置。"))
    action = request.POST.get("action", "")
    tiers = list(Tier.objects.prefetch_related("qualification_kinds"))
    tier_forms = {
        t.pk: TierForm(request.POST if action == f"tier-{t.pk}" else None, instance=t, prefix=f"tier-{t.pk}")
        for t in tiers
    }
    kind_form = QualificationKindForm(request.POST if action == "kind" else None, prefix="kind")
    node_form = IndustryNodeForm(request.POST if action == "node" else None, prefix="node")
    run_form = TierRunForm(
        request.POST if action == "run" else None, initial={"year": timezone.localdate().year - 1}
    )
    done = None
    if action.startswith("tier-"):
        tier = next((t for t in tiers if f"tier-{t.pk}" == action), None)
        if tier is None:
            raise Http404
        done = _run(
            request,
            tier_forms[tier.pk],
            lambda data: services.tier_save(actor=request.user, tier=tier, **data),
            _("梯次规则已保存。"),
        )
    elif action == "kind":
        done = _run(
            request,
            kind_form,
            lambda data: services.qualification_kind_save(actor=request.user, **data),
            _("资质类型已添加。"),
        )
    elif action == "node":
        done = _run(
            request,
            node_form,
            lambda data: services.industry_node_add(actor=request.user, **data),
            _("产业体系节点已添加。"),
        )
    elif action == "run":
        result = _run(
            request,
            run_form,
            lambda data: services.tiers_apply_rules(actor=request.user, **data),
            _("已按规则评定梯次。"),
        )
        if result:
            messages.info(
                request,
                _("%(changed)d 家企业梯次变动，%(kept)d 家人工确定的保持不变。")
                % {"changed": result["changed"], "kept": result["kept_manual"]},
            )
            done = result
    if done:
        return redirect("enterprises:settings")
    context = {
        "is_head": head,
        "tiers": [(t, tier_forms[t.pk]) for t in tiers],
        "kinds": QualificationKind.objects.all(),
        "kind_form": kind_form,
        "node_form": node_form,
        "run_form": run_form,
        "clusters": IndustryNode.objects.filter(kind="cluster").prefetch_related("children__children"),
    }
    return render(request, "enterprises/settings.html", context)
