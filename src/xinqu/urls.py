from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinqu.api import api
from xinqu.core import views as core
from xinqu.core.modules import modules

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core.password_change, name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", core.org_overview, name="org"),
    path("org/units/new/", core.org_unit_edit, name="org_unit_create"),
    path("org/units/<int:unit_id>/", core.org_unit_edit, name="org_unit_edit"),
    path("org/departments/new/", core.department_edit, name="department_create"),
    path("org/departments/<int:department_id>/", core.department_edit, name="department_edit"),
    path("users/", core.user_list, name="users"),
    path("users/new/", core.user_create, name="user_create"),
    path("users/<int:user_id>/", core.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", core.user_reset_password, name="user_reset_password"),
    path("users/<int:user_id>/unlock/", core.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/role/", core.user_role, name="user_role"),
    path("notifications/", core.notifications, name="notifications"),
    path("calendar/", core.work_calendar, name="calendar"),
    path("periods/", core.reporting_periods, name="periods"),
    path("audit/", core.audit_log, name="audit"),
    path("audit/export.xlsx", core.audit_export, name="audit_export"),
    path("imports/<int:job_id>/", core.import_job, name="import_job"),
    path("imports/<int:job_id>/errors.xlsx", core.import_job_errors, name="import_job_errors"),
    path("imports/<int:job_id>/confirm/", core.import_job_confirm, name="import_job_confirm"),
    path("exports/<int:job_id>/", core.export_job, name="export_job"),
    path("exports/<int:job_id>/file.xlsx", core.export_job_download, name="export_job_download"),
    path("api/v1/", api.urls),
    # Each module mounts its own pages where its AppConfig says.
    *(path(m.urls, include(f"{m.name}.urls")) for m in modules() if m.urls is not None),
]

handler400 = "xinqu.core.views.bad_request"
handler500 = "xinqu.core.views.server_error"
