from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqu.core import georeport, jobs, periods, services, workdays
from xinqu.core.access import AuthedRequest, ensure_role, is_head, is_system_admin, member_of, role_required
from xinqu.core.audit import audit_record
from xinqu.core.exports import audit_entries, audit_workbook
from xinqu.core.forms import (
    AuditFilterForm,
    CalendarPasteForm,
    DepartmentForm,
    OrgUnitForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserEditForm,
    add_service_errors,
)
from xinqu.core.htmx import partial_or
from xinqu.core.imports import ImportReport, error_workbook
from xinqu.core.jobs import IMPORT_KINDS, import_progress
from xinqu.core.models import (
    AuditEntry,
    CalendarDay,
    ClosedMonth,
    Department,
    ExportJob,
    ImportJob,
    OrgUnit,
    User,
)
from xinqu.core.params import year_param
from xinqu.core.roles import Role
from xinqu.core.selectors import audit_in_words, departments_with_counts, org_tree, users_directory
from xinqu.core.xlsx import xlsx_response

MACHINE_PATHS = ("/api/", georeport.PREFIX)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the database cannot be reached. The API answers JSON and Open311 its
    spec's error document, as their clients expect; pages answer the static bilingual page (no
    database, no context)."""
    failure = sys.exc_info()[1]
    down = isinstance(failure, DatabaseError)
    status = 503 if down else 500
    detail = _("数据库暂时无法连接，请稍后重试。") if down else _("服务器错误：操作未完成，数据未作改动。")
    response: HttpResponse
    if request.path.startswith(georeport.PREFIX):
        response = georeport.error(georeport.path_format(request.path), status, detail)
    elif request.path.startswith(MACHINE_PATHS):
        response = JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(loader.get_template("500.html").render(), status=status)
    if down:
        response["Retry-After"] = "30"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: the sentence the page raised (``BadRequest("年份须为 …")``), in the site's frame."""
    message = str(exception) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_own_password(
                user=request.user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


# --- Organisation ---------------------------------------------------------------------------------


@login_required
def org_overview(request: AuthedRequest) -> HttpResponse:
    return render(request, "core/org.html", {"tree": org_tree(), "departments": departments_with_counts()})


def _save_form(request: AuthedRequest, form: OrgUnitForm | DepartmentForm, save, template: str, **extra):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("org")
    return render(request, template, {"form": form, **extra})


@role_required(Role.SYSTEM_ADMIN)
def org_unit_edit(request: AuthedRequest, unit_id: int | None = None) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=unit_id) if unit_id else None
    # The form validates its own copy: the service compares the untouched record before and after.
    form = OrgUnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk) if unit else None)
    return _save_form(
        request,
        form,
        lambda data: services.org_unit_save(actor=request.user, unit=unit, **data),
        "core/form.html",
        title=_("编辑组织单元") if unit else _("新增组织单元"),
    )


@role_required(Role.SYSTEM_ADMIN)
def department_edit(request: AuthedRequest, department_id: int | None = None) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id) if department_id else None
    form = DepartmentForm(
        request.POST or None, instance=Department.objects.get(pk=department.pk) if department else None
    )
    return _save_form(
        request,
        form,
        lambda data: services.department_save(actor=request.user, department=department, **data),
        "core/form.html",
        title=_("编辑部门") if department else _("新增部门"),
    )


# --- Accounts (system administrator) and roles (security administrator) ------------------------------


@role_required(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
def user_list(request: AuthedRequest) -> HttpResponse:
    users = users_directory(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/users.html", {"page": page, "q": query})


@role_required(Role.SYSTEM_ADMIN)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("账户已创建。用户首次登录时须修改密码。"))
            return redirect("users")
    return render(request, "core/form.html", {"form": form, "title": _("新增用户")})


@role_required(Role.SYSTEM_ADMIN)
def user_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    form = UserEditForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    reset_form = PasswordResetForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("users")
    return render(request, "core/user_edit.html", {"form": form, "reset_form": reset_form, "subject": user})


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def user_reset_password(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    reset_form = PasswordResetForm(request.POST)
    if reset_form.is_valid():
        try:
            services.user_reset_password(
                actor=request.user, user=user, password=reset_form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(reset_form, exc)
        else:
            messages.success(request, _("已重置密码，用户下次登录时须修改。"))
            return redirect("users")
    form = UserEditForm(instance=user)
    return render(request, "core/user_edit.html", {"form": form, "reset_form": reset_form, "subject": user})


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def user_unlock(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("已解除 %(user)s 的登录锁定。") % {"user": user.username})
    return redirect("users")


@role_required(Role.SECURITY_ADMIN)
def user_role(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    form = RoleForm(request.POST or None, initial={"role": user.role, "department": user.department_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_role(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已更新 %(user)s 的角色。") % {"user": user.username})
            return redirect("users")
    return render(
        request, "core/form.html", {"form": form, "title": _("设置角色：%(user)s") % {"user": user}}
    )


# --- Audit log (audit administrator alone) -----------------------------------------------------------


def _audit_entries(request: AuthedRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    params = request.GET.copy()
    params.pop("page", None)
    return audit_entries(params)


@role_required(Role.AUDIT_ADMIN)
def audit_log(request: AuthedRequest) -> HttpResponse:
    form, entries = _audit_entries(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": audit_in_words(page), "query": query.urlencode()}
    return render(request, partial_or("core/audit.html", "core/_audit_results.html", request), context)


@role_required(Role.AUDIT_ADMIN)
def audit_export(request: AuthedRequest) -> HttpResponse:
    """Up to 100,000 entries: on the worker when exports run in the background (core.jobs)."""
    params = {key: value for key, value in request.GET.items() if key != "page"}
    if settings.IMPORTS_IN_BACKGROUND:
        job = jobs.export_job_start(actor=request.user, kind="audit", params=params)
        return redirect("export_job", job.pk)
    content = audit_workbook(request.user, params)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="core.AuditEntry",
        detail=request.GET.urlencode()[:300],
    )
    return xlsx_response(f"audit-{timezone.localdate():%Y%m%d}.xlsx", content)


# --- Import jobs ---------------------------------------------------------------------------------


def _own_job(request: AuthedRequest, job_id: int) -> ImportJob:
    # An import belongs to whoever uploaded it; anyone else is told it does not exist.
    return get_object_or_404(ImportJob, pk=job_id, actor=request.user)


@login_required
def import_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if job.status == ImportJob.Status.RUNNING and jobs.recover_interrupted():
        job.refresh_from_db()
    kind = IMPORT_KINDS[job.kind]
    report = ImportReport.from_dict(job.report) if job.report else None
    same_file = ImportJob.objects.filter(stored_name=job.stored_name).exclude(pk=job.pk)
    # A commit that failed (its process died, say) does not count: the file may be confirmed again.
    commit = same_file.filter(dry_run=False).exclude(status=ImportJob.Status.FAILED).first()
    context = {
        "job": job,
        "kind": kind,
        "report": report,
        "progress": import_progress(job),
        "commit": commit if job.dry_run else None,
        "retry_from": same_file.filter(dry_run=True).first()
        if not job.dry_run and job.status == ImportJob.Status.FAILED and commit is None
        else None,
        "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
    }
    return render(request, partial_or("core/import_job.html", "core/_import_job.html", request), context)


@login_required
def import_job_errors(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    report = (
        ImportReport.from_dict(job.report) if job.report else ImportReport(kind=job.kind, dry_run=job.dry_run)
    )
    return xlsx_response(f"import-errors-{job.pk}.xlsx", error_workbook(report))


@require_POST
@login_required
def import_job_confirm(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    try:
        commit = jobs.import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("import_job", job.pk)
    return redirect("import_job", commit.pk)


# --- Notifications -------------------------------------------------------------------------------


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notifications")
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


# --- Working-day calendar ------------------------------------------------------------------------


@login_required
def work_calendar(request: AuthedRequest) -> HttpResponse:
    """The year's working days, month by month; the system administrator pastes the State
    Council's yearly notice or removes a day."""
    year = year_param(request, timezone.localdate().year)
    can_edit = is_system_admin(request.user)
    form = CalendarPasteForm(request.POST or None)
    if request.method == "POST":
        ensure_role(request.user, [Role.SYSTEM_ADMIN], _("只有系统管理员可以维护工作日历。"))
        try:
            if "delete" in request.POST:
                services.calendar_day_delete(
                    actor=request.user, day=dt.date.fromisoformat(request.POST["delete"])
                )
                messages.success(request, _("已恢复为普通日子。"))
                return redirect(f"{reverse('calendar')}?year={year}")
            if form.is_valid():
                days = services.parse_calendar_lines(form.cleaned_data["lines"])
                count = services.calendar_days_set(actor=request.user, days=days)
                messages.success(request, _("已保存 %(n)d 天的安排。") % {"n": count})
                return redirect(f"{reverse('calendar')}?year={years_of(days, year)}")
        except ValueError:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
    cal = workdays.calendar()
    special = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar().monthdatescalendar(year, month):
            weeks.append(
                [
                    {
                        "day": day,
                        "inside": day.month == month,
                        "working": cal.is_working_day(day),
                        "special": special.get(day),
                    }
                    for day in week
                ]
            )
        months.append({"month": month, "weeks": weeks})
    working = sum(
        cal.is_working_day(dt.date(year, 1, 1) + dt.timedelta(days=i))
        for i in range(366 if pycalendar.isleap(year) else 365)
    )
    context = {
        "year": year,
        "months": months,
        "special": sorted(special.values(), key=lambda d: d.date),
        "working": working,
        "form": form if can_edit else None,
        "last_year": cal.last_year,
        "next_year_missing": not cal.knows(timezone.localdate() + dt.timedelta(days=60)),
    }
    return render(request, "core/calendar.html", context)


def years_of(days: list[tuple[dt.date, str, str]], fallback: int) -> int:
    return days[0][0].year if days else fallback


# --- export jobs ------------------------------------------------------------------------------------


def _own_export(request: AuthedRequest, job_id: int) -> ExportJob:
    # An export belongs to whoever asked for it; anyone else is told it does not exist.
    return get_object_or_404(ExportJob, pk=job_id, actor=request.user)


@login_required
def export_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """An export being built on the worker: its state, then the file to download."""
    job = _own_export(request, job_id)
    if job.status == ExportJob.Status.RUNNING and jobs.recover_interrupted():
        job.refresh_from_db()
    context = {
        "job": job,
        "kind": jobs.EXPORT_KINDS[job.kind],
        "running": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
    }
    return render(request, partial_or("core/export_job.html", "core/_export_job.html", request), context)


@login_required
def export_job_download(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = _own_export(request, job_id)
    if job.status != ExportJob.Status.DONE or not jobs.export_path(job).exists():
        raise Http404(_("文件还没有生成，或已过期。"))
    return xlsx_response(job.filename, jobs.export_path(job).read_bytes())


# --- Reporting period ----------------------------------------------------------------------------


@login_required
def reporting_periods(request: AuthedRequest) -> HttpResponse:
    """The zone's reporting period and the months closed so far; the statistics office closes the
    next month (关账) and its head may reopen the latest."""
    current = periods.reporting_period()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                reopened = services.period_reopen(actor=request.user)
                messages.success(
                    request, _("已重新打开 %(m)s。") % {"m": periods.month_label(reopened.month)}
                )
            else:
                month = dt.date.fromisoformat(f"{request.POST.get('month', '')[:7]}-01")
                services.period_close(actor=request.user, month=month)
                messages.success(
                    request, _("%(m)s 已关账，成为当前统计期。") % {"m": periods.month_label(month)}
                )
        except ValueError:
            messages.error(request, _("请选择要关账的月份。"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("periods")
    closed = ClosedMonth.objects.select_related("closed_by")[:36]
    candidate = (current.month + dt.timedelta(days=32)).replace(day=1) if current.closed else current.month
    context = {
        "current": current,
        "closed": closed,
        "candidate": candidate if candidate <= periods.last_finished_month() else None,
        "may_close": member_of(request.user, settings.STATISTICS_DEPARTMENT),
        "may_reopen": member_of(request.user, settings.STATISTICS_DEPARTMENT) and is_head(request.user),
    }
    return render(request, "core/periods.html", context)
