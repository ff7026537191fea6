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
]
