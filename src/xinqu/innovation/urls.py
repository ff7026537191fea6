from django.urls import path

from xinqu.innovation import views

app_name = "innovation"

urlpatterns = [
    path("", views.platform_list, name="list"),
    path("new/", views.platform_edit, name="create"),
    path("import/", views.platform_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("rule/", views.rule, name="rule"),
    path("<int:pk>/", views.platform_detail, name="detail"),
    path("<int:pk>/edit/", views.platform_edit, name="edit"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_edit, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("tasks/<str:number>/", views.task, name="task"),
    path("tasks/<str:number>/files/<int:pk>/", views.task_attachment, name="task_attachment"),
    path("talents/", views.talent_list, name="talents"),
    path("talents/new/", views.talent_edit, name="talent_create"),
    path("talents/programmes/", views.programmes, name="programmes"),
    path("talents/<int:pk>/", views.talent_detail, name="talent"),
    path("talents/<int:pk>/edit/", views.talent_edit, name="talent_edit"),
]
