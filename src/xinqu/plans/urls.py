from django.urls import path

from xinqu.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("supervision/<str:number>/", views.supervision, name="supervision"),
    path(
        "supervision/<str:number>/files/<int:pk>/",
        views.supervision_attachment,
        name="supervision_attachment",
    ),
    path("<int:year>/", views.plan_tree, name="tree"),
    path("<int:year>/copy/", views.plan_copy, name="copy"),
    path("<int:year>/settings/", views.plan_settings, name="settings"),
    path("<int:year>/import/", views.plan_import, name="import"),
    path("<int:year>/nodes/new/", views.node_edit, name="node_create"),
    path("<int:year>/nodes/<int:pk>/", views.node_detail, name="node"),
    path("<int:year>/nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("<int:year>/my/", views.my_tasks, name="my"),
    path("<int:year>/reports/<str:month>/", views.report, name="report"),
    path("<int:year>/periods/", views.periods, name="periods"),
    path("<int:year>/watch/", views.watch, name="watch"),
    path("<int:year>/scores/", views.scores, name="scores"),
]
