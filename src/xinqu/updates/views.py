from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqu.core.access import (
    AuthedRequest,
    can_write,
    get_visible_or_404,
    get_writable_or_404,
    is_business,
    is_department_member,
    is_head,
)
from xinqu.core.forms import add_service_errors
from xinqu.core.htmx import partial_or
from xinqu.core.models import Department
from xinqu.updates import services
from xinqu.updates.forms import ReviewForm, WorkUpdateForm
from xinqu.updates.models import WorkUpdate
from xinqu.updates.selectors import work_updates_for


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def update_list(request: AuthedRequest) -> HttpResponse:
    if not is_business(request.user):
        raise PermissionDenied(_("系统管理员、安全管理员、审计管理员不查看业务数据。"))
    department = _int_or_none(request.GET.get("department"))
    status = request.GET.get("status") or None
    if status not in WorkUpdate.Status.values:
        status = None
    updates = work_updates_for(request.user, department=department, status=status)
    page = Paginator(updates, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "departments": Department.objects.filter(is_active=True),
        "statuses": WorkUpdate.Status.choices,
        "selected_department": department,
        "selected_status": status,
        "can_create": is_department_member(request.user),
    }
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    return render(request, partial_or("updates/list.html", "updates/_results.html", request), context)


@login_required
def update_detail(request: AuthedRequest, update_id: int) -> HttpResponse:
    update = get_visible_or_404(
        request.user, WorkUpdate.objects.select_related("department", "author"), pk=update_id
    )
    writable = can_write(request.user, update)
    context = {
        "update": update,
        "can_edit": writable and update.is_editable,
        "can_review": writable and is_head(request.user) and update.status == WorkUpdate.Status.SUBMITTED,
        "review_form": ReviewForm(),
    }
    return render(request, "updates/detail.html", context)


@login_required
def update_create(request: AuthedRequest) -> HttpResponse:
    if not is_department_member(request.user):
        raise PermissionDenied(_("只有部门工作人员可以填报工作动态。"))
    form = WorkUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            update = services.work_update_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存为草稿。"))
            return redirect("updates:detail", update.pk)
    return render(request, "updates/form.html", {"form": form})


@login_required
def update_edit(request: AuthedRequest, update_id: int) -> HttpResponse:
    update = get_writable_or_404(request.user, WorkUpdate.objects, pk=update_id)
    form = WorkUpdateForm(request.POST or None, instance=WorkUpdate.objects.get(pk=update.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.work_update_edit(actor=request.user, update=update, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("updates:detail", update.pk)
    return render(request, "updates/form.html", {"form": form, "update": update})


@require_POST
@login_required
def update_action(request: AuthedRequest, update_id: int, action: str) -> HttpResponse:
    update = get_writable_or_404(request.user, WorkUpdate.objects, pk=update_id)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.work_update_submit(actor=request.user, update=update)
            messages.success(request, _("已提交部门负责人审核。"))
        elif action == "approve":
            services.work_update_approve(actor=request.user, update=update, comment=comment)
            messages.success(request, _("已审核发布。"))
        elif action == "return":
            services.work_update_return(actor=request.user, update=update, reason=comment)
            messages.success(request, _("已退回。"))
        elif action == "delete":
            services.work_update_delete(actor=request.user, update=update)
            messages.success(request, _("草稿已删除。"))
            return redirect("updates:list")
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("updates:detail", update.pk)
