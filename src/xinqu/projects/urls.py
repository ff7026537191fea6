from django.urls import path

from xinqu.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_edit, name="create"),
    path("statistics/", views.statistics, name="statistics"),
    path("meeting/", views.meeting, name="meeting"),
    path("timeline/", views.timeline, name="timeline"),
    path("rules/", views.rules, name="rules"),
    path("import/", views.project_import, name="import"),
    path("import/template-<str:kind>.xlsx", views.import_template, name="import_template"),
    path("reports.xlsx", views.reports_export, name="reports_export"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("problems/<str:number>/", views.problem, name="problem"),
    path("problems/<str:number>/files/<int:pk>/", views.problem_attachment, name="problem_attachment"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
]
