from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import AuthedRequest, attach_shown, ensure_business, is_department_member, shown_name
from xinqu.core.forms import add_service_errors
from xinqu.core.workdays import calendar
from xinqu.enterprises.selectors import enterprise_by_code_or_name
from xinqu.safety import flow, services
from xinqu.safety.flow import KIND, STATES
from xinqu.safety.forms import EvidenceForm, HazardActionForm, ReportForm
from xinqu.safety.models import Hazard
from xinqu.safety.selectors import hazard_by_link, hazard_for, hazards_for, light
from xinqu.workflow import engine
from xinqu.workflow.models import Attachment
from xinqu.workflow.pages import action_forms, download, take_action
from xinqu.workflow.selectors import action_band, labelled_timeline


@login_required
def hazard_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    state = request.GET.get("state", "open")
    hazards = hazards_for(request.user).order_by("item__due_on", "-item__opened_at")
    if state == "open":
        # Newly reported first, then past their deadline, then by deadline (workflow.selectors).
        hazards = (
            hazards.exclude(item__state__in=KIND.closed)
            .annotate(band=action_band(["reported"], prefix="item__"))
            .order_by("band", "item__due_on", "-item__opened_at")
        )
    elif state in STATES:
        hazards = hazards.filter(item__state=state)
    if request.GET.get("level") in Hazard.Level.values:
        hazards = hazards.filter(level=request.GET["level"])
    page = Paginator(hazards, 50).get_page(request.GET.get("page"))
    cal = calendar()
    rows = [(h, light(h, cal)) for h in attach_shown(request.user, page, "enterprise")]
    context = {
        "page": page,
        "rows": rows,
        "states": STATES,
        "state": state,
        "banded": state == "open",
        "can_report": is_department_member(request.user),
    }
    return render(request, "safety/list.html", context)


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        enterprise = enterprise_by_code_or_name(request.user, form.cleaned_data["credit_code"])
        if enterprise is None:
            form.add_error("credit_code", _("企业名录中没有这家企业：请输入名称或信用代码后从列表中选择。"))
        else:
            try:
                hazard = services.hazard_report(
                    actor=request.user,
                    enterprise=enterprise,
                    **{k: v for k, v in form.cleaned_data.items() if k != "credit_code"},
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已上报，编号 %(n)s。") % {"n": hazard.item.number})
                return redirect("safety:detail", hazard.item.number)
    return render(request, "safety/report.html", {"form": form})


@login_required
def detail(request: AuthedRequest, number: str) -> HttpResponse:
    ensure_business(request.user)
    hazard = hazard_for(request.user, number)
    hazard.enterprise_shown = shown_name(request.user, hazard.enterprise)  # type: ignore[attr-defined]
    item = hazard.item
    actions = KIND.available(request.user, item)
    chosen = request.POST.get("action") if request.method == "POST" else None
    link = ""
    if chosen == "link":
        try:
            token = services.hazard_link(actor=request.user, hazard=hazard)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("safety:detail", number)
        link = request.build_absolute_uri(reverse("safety:rectify", args=[number, token]))
        chosen = None
    forms = action_forms(request, actions, HazardActionForm, lambda t: {"version": item.version}, chosen)
    if chosen:
        done = take_action(
            request,
            forms,
            chosen,
            lambda data: services.hazard_act(actor=request.user, hazard=hazard, action=chosen, **data),
            lambda: redirect("safety:detail", number),
            kind=KIND,
            item=item,
        )
        if done is not None:
            return done
    context = {
        "hazard": hazard,
        "item": item,
        "state_label": STATES.get(item.state, item.state),
        "light": light(hazard),
        "events": labelled_timeline(
            KIND, item.events.select_related("actor", "department").prefetch_related("attachments")
        ),
        "actions": [(t, forms[t.action]) for t in actions],
        "attachment_url": "safety:attachment",
        "link": link,
        "can_link": item.state in services.LINK_STATES and flow.responsible(request.user, item),
    }
    return render(request, "safety/detail.html", context)


@login_required
def attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    ensure_business(request.user)
    hazard = hazard_for(request.user, number)
    return download(get_object_or_404(Attachment, pk=pk, event__item=hazard.item))


def rectify(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """The enterprise's page, opened from the link it was sent: what was found, the deadline, the
    steps it may see, and the form for its rectification evidence. No login."""
    hazard = hazard_by_link(number, token)
    if hazard is None:
        raise Http404(_("没有找到该隐患，请检查链接，或向整改责任部门索取新链接。"))
    item = hazard.item
    can_submit = item.state == "rectifying"
    form = EvidenceForm(request.POST or None, request.FILES or None, initial={"version": item.version})
    if request.method == "POST":
        if not can_submit:
            messages.error(request, _("当前状态不能提交整改材料。"))
            return redirect("safety:rectify", number, token)
        if form.is_valid():
            try:
                services.enterprise_evidence(hazard=hazard, **form.cleaned_data)
            except engine.ChangedMeanwhile as exc:
                messages.error(request, exc.messages[0])
                return redirect("safety:rectify", number, token)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("整改材料已提交，请等待验收。"))
                return redirect("safety:rectify", number, token)
    context = {
        "hazard": hazard,
        "item": item,
        "state_label": STATES.get(item.state, item.state),
        "events": labelled_timeline(KIND, item.events.filter(public=True).prefetch_related("attachments")),
        "token": token,
        "form": form if can_submit else None,
    }
    return render(request, "safety/rectify.html", context)


def rectify_attachment(request: HttpRequest, number: str, token: str, pk: int) -> FileResponse:
    """A file the enterprise may see: attached to a public step of its own hazard."""
    hazard = hazard_by_link(number, token)
    if hazard is None:
        raise Http404(_("没有找到该隐患，请检查链接，或向整改责任部门索取新链接。"))
    return download(get_object_or_404(Attachment, pk=pk, event__item=hazard.item, event__public=True))
