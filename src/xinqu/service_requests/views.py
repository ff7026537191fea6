from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.access import AuthedRequest, ensure_business, is_department_member, is_head
from xinqu.core.audit import client_address
from xinqu.core.forms import add_service_errors
from xinqu.core.numbers import json_number
from xinqu.core.params import year_param
from xinqu.core.periods import reporting_period
from xinqu.core.workdays import calendar
from xinqu.core.xlsx import export_response, workbook_bytes
from xinqu.service_requests import metrics, services
from xinqu.service_requests.flow import KIND, STATES, is_centre_member
from xinqu.service_requests.forms import (
    ActionForm,
    CategoryForm,
    EscalationForm,
    MergeForm,
    PublicationForm,
    RequesterForm,
    RequestForm,
)
from xinqu.service_requests.models import Category, Publication
from xinqu.service_requests.selectors import queue_items, request_by_link, request_for, with_requests
from xinqu.workflow import engine
from xinqu.workflow.models import Attachment, EscalationRule
from xinqu.workflow.pages import action_forms, download, take_action
from xinqu.workflow.selectors import labelled_timeline

REQUESTER_ACTIONS = {"supplement", "rate_satisfied", "rate_basically", "rate_dissatisfied"}


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """The work queue: what waits on me first, with deadlines derived now."""
    ensure_business(request.user)
    state = request.GET.get("state", "open")
    query = request.GET.get("q", "").strip()
    items = queue_items(request.user, state, query)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    cal = calendar()
    rows = [(sr, engine.deadline_state(sr.item, cal=cal)) for sr in with_requests(page)]
    context = {
        "page": page,
        "rows": rows,
        "states": STATES,
        "state": state,
        "banded": "band" in items.query.annotations,
        "q": query,
        "can_file": is_department_member(request.user),
    }
    return render(request, "service_requests/queue.html", context)


@login_required
def detail(request: AuthedRequest, number: str) -> HttpResponse:
    found = request_for(request.user, number)
    item = found.item
    actions = [t for t in KIND.available(request.user, item) if t.action not in REQUESTER_ACTIONS]
    chosen = request.POST.get("action") if request.method == "POST" else None
    merge_form = MergeForm(request.POST if chosen == "merge" else None)
    if chosen == "merge":
        if merge_form.is_valid():
            try:
                services.request_merge(
                    actor=request.user,
                    request=found,
                    into_number=merge_form.cleaned_data["into"],
                    comment=merge_form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(merge_form, exc)
            else:
                messages.success(request, _("已合并。"))
                return redirect("service_requests:detail", number)
        chosen = None

    def initial(t: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"version": item.version}
        if t.action == "dispatch":
            suggested = services.suggested_department(found)
            values["department"] = suggested.pk if suggested else None
        return values

    forms = action_forms(request, actions, ActionForm, initial, chosen)
    if chosen:
        done = take_action(
            request,
            forms,
            chosen,
            lambda data: services.request_act(actor=request.user, request=found, action=chosen, **data),
            lambda: redirect("service_requests:detail", number),
            kind=KIND,
            item=item,
        )
        if done is not None:
            return done
    context = {
        "sr": found,
        "item": item,
        "state_label": STATES.get(item.state, item.state),
        "deadline": engine.deadline_state(item),
        "events": labelled_timeline(
            KIND, item.events.select_related("actor", "department").prefetch_related("attachments")
        ),
        "actions": [(t, forms[t.action]) for t in actions],
        "attachment_url": "service_requests:attachment",
        "merge_form": merge_form
        if KIND.merge_allowed(request.user, item) and item.state not in KIND.closed
        else None,
    }
    return render(request, "service_requests/detail.html", context)


@login_required
def file(request: AuthedRequest) -> HttpResponse:
    """A service officer files a request on an enterprise's behalf."""
    if not is_department_member(request.user):
        raise PermissionDenied(_("只有部门工作人员可以代企业提交诉求。"))
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            found, _token = services.request_file(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交，编号 %(n)s。") % {"n": found.item.number})
            return redirect("service_requests:detail", found.item.number)
    return render(request, "service_requests/file.html", {"form": form, "public": False})


def public_file(request: HttpRequest) -> HttpResponse:
    """The enterprise files a request itself: no login; a receipt number and a secret link back."""
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not services.public_filing_allowed(address=client_address(request)):
            return render(
                request,
                "service_requests/file.html",
                {"form": form, "public": True, "flood": True},
                status=429,
            )
        if form.is_valid():
            try:
                found, token = services.request_file(actor=None, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                link = request.build_absolute_uri(
                    reverse("service_requests:track", args=[found.item.number, token])
                )
                return render(request, "service_requests/receipt.html", {"sr": found, "link": link})
    return render(request, "service_requests/file.html", {"form": form, "public": True})


def track(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """The requester's page: public updates only, supplementing and rating."""
    found = request_by_link(number, token)
    if found is None:
        raise Http404(_("没有找到该诉求，请检查链接。"))
    item = found.item
    actions = [t for t in KIND.available(None, item) if t.action in REQUESTER_ACTIONS]
    form = RequesterForm(
        request.POST or None, request.FILES or None, initial={"version": item.version}, prefix="requester"
    )
    if not any(t.action.startswith("rate_") for t in actions):
        del form.fields["solved"]  # asked only with a rating
    if request.method == "POST":
        chosen = request.POST.get("action", "")
        if chosen not in {t.action for t in actions}:
            messages.error(request, _("当前状态不能进行此操作。"))
            return redirect("service_requests:track", number, token)
        if form.is_valid():
            try:
                services.requester_act(
                    request=found,
                    action=chosen,
                    comment=form.cleaned_data["comment"],
                    attachments=form.cleaned_data["attachments"],
                    version=form.cleaned_data["version"],
                    solved=form.cleaned_data.get("solved"),
                )
            except engine.ChangedMeanwhile as exc:
                messages.error(request, exc.messages[0])
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    messages.error(request, message)
            else:
                messages.success(request, _("已提交，谢谢。"))
            return redirect("service_requests:track", number, token)
    context = {
        "sr": found,
        "item": item,
        "state_label": STATES.get(item.state, item.state),
        # Every public step with its words and files; the centre's and department's steps (accepted,
        # dispatched to whom, signed for) by name only, never their internal notes.
        "events": labelled_timeline(
            KIND,
            item.events.filter(Q(public=True) | Q(action__in=TRACKED_STEPS))
            .select_related("department", "actor__department")
            .prefetch_related("attachments")
            .order_by("at", "id"),
        ),
        "department": item.department,
        "outcome": found.get_outcome_display() if found.outcome else "",
        "token": token,
        "actions": actions,
        "form": form,
    }
    return render(request, "service_requests/track.html", context)


TRACKED_STEPS = ("accept", "dispatch", "transfer", "sign_for")


@login_required
def metrics_page(request: AuthedRequest) -> HttpResponse:
    """The rates, each with its definition, by department, category, area or month, and the
    departments' league table."""
    ensure_business(request.user)
    period = reporting_period()
    year = year_param(request, period.month.year)
    by = request.GET.get("by", "department")
    if by not in metrics.DIMENSIONS:
        raise Http404
    # Requests filed up to the zone's reporting period in its own year; a past year in full.
    through = period.end if year == period.month.year else None
    result = metrics.metrics(year=year, by=by, through=through)
    rates = metrics.definitions()
    if request.GET.get("format") == "xlsx":
        headers = [
            str(metrics.DIMENSIONS[by][1]),
            _("诉求数"),
            *(str(r.label) for r in metrics.RATES),
            _("平均办理用时（工作日）"),
        ]
        table = (
            [
                row.label,
                row.counts["total"],
                *(json_number(row.rates[r.key]) for r in metrics.RATES),
                json_number(row.average_days),
            ]
            for row in [*result["rows"], result["total"]]
        )
        return export_response(
            actor=request.user,
            filename=f"service-request-metrics-{year}-{by}.xlsx",
            content=workbook_bytes(str(year), headers, table),
            object_type="service_requests.metrics",
        )
    chart = {
        "categories": [row.label for row in result["rows"]],
        "series": [
            {"name": str(r.label), "data": [json_number(row.rates[r.key]) for row in result["rows"]]}
            for r in metrics.RATES
            if r.key in {"on_time", "satisfaction", "resolution"}
        ],
    }
    context: dict[str, Any] = {
        "year": year,
        "through": through,
        "by": by,
        "dimensions": metrics.DIMENSIONS,
        "result": result,
        "rates": rates,
        "chart": chart,
        "league": sorted((r for r in result["rows"] if r.rank), key=lambda r: r.rank or 0)
        if by == "department"
        else [],
    }
    return render(request, "service_requests/metrics.html", context)


@login_required
def attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    """A file on a request's timeline, for staff who may see the request."""
    found = request_for(request.user, number)
    return download(get_object_or_404(Attachment, pk=pk, event__item=found.item))


def track_attachment(request: HttpRequest, number: str, token: str, pk: int) -> FileResponse:
    """A file the requester may see: attached to a public step of their own request."""
    found = request_by_link(number, token)
    if found is None:
        raise Http404(_("没有找到该诉求，请检查链接。"))
    return download(get_object_or_404(Attachment, pk=pk, event__item=found.item, event__public=True))


@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    """Categories (time limits, usual departments), the escalation rules and what Open311 publishes;
    the service centre's head changes them, everyone in the zone can read them."""
    ensure_business(request.user)
    action = request.POST.get("form", "")
    if request.method == "POST":
        services.ensure_centre_head(request.user)
    categories = list(Category.objects.select_related("department"))
    forms = {
        c.pk: CategoryForm(
            request.POST if action == f"category-{c.pk}" else None, instance=c, prefix=f"c{c.pk}"
        )
        for c in categories
    }
    new_form = CategoryForm(request.POST if action == "category-new" else None, prefix="new")
    rules = {r.level: r.overdue_days for r in EscalationRule.objects.filter(kind=KIND.key)}
    escalation = EscalationForm(
        request.POST if action == "escalation" else None,
        initial={f"level_{level}": days for level, days in rules.items()},
    )
    published = Publication.objects.values_list("level", flat=True).first() or Publication.Level.BASIC
    publication = PublicationForm(
        request.POST if action == "publication" else None, initial={"level": published}
    )
    chosen = (
        forms.get(int(action.removeprefix("category-")))
        if action.startswith("category-")
        and action != "category-new"
        and action.removeprefix("category-").isdigit()
        else new_form
        if action == "category-new"
        else None
    )
    try:
        if chosen is not None and chosen.is_valid():
            services.category_save(
                actor=request.user,
                category=chosen.instance if chosen.instance.pk else None,
                **{f: chosen.cleaned_data[f] for f in CategoryForm.Meta.fields},
            )
            messages.success(request, _("已保存。"))
            return redirect("service_requests:settings")
        if action == "escalation" and escalation.is_valid():
            services.escalation_rules_set(
                actor=request.user,
                days_by_level={n: escalation.cleaned_data[f"level_{n}"] for n in (1, 2, 3)},
            )
            messages.success(request, _("已保存。"))
            return redirect("service_requests:settings")
        if action == "publication" and publication.is_valid():
            services.publication_set(actor=request.user, level=publication.cleaned_data["level"])
            messages.success(request, _("已保存。"))
            return redirect("service_requests:settings")
    except ValidationError as exc:
        failed = publication if action == "publication" else escalation
        add_service_errors(chosen if chosen is not None else failed, exc)
    context = {
        "rows": [(c, forms[c.pk]) for c in categories],
        "new_form": new_form,
        "escalation": escalation,
        "publication": publication,
        "published": Publication.Level(published).label,
        "can_edit": is_head(request.user) and is_centre_member(request.user),
    }
    return render(request, "service_requests/settings.html", context)
