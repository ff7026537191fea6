from django.urls import path

from xinqu.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("pick/", views.enterprise_pick, name="pick"),
    path("new/", views.enterprise_create, name="create"),
    path("import/", views.import_upload, name="import"),
    path("import/template-<str:kind>.xlsx", views.import_template, name="import_template"),
    path("expiring/", views.expiring, name="expiring"),
    path("statistics/", views.statistics, name="statistics"),
    path("chains/", views.chain_list, name="chains"),
    path("chains/<int:chain_id>/", views.chain_detail, name="chain"),
    path("visits/", views.visits, name="visits"),
    path("settings/", views.registry_settings, name="settings"),
    path("<int:enterprise_id>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_id>/edit/", views.enterprise_edit, name="edit"),
    path("<int:enterprise_id>/qualifications/new/", views.qualification_add, name="qualification_add"),
    path("qualifications/<int:qualification_id>/", views.qualification_edit, name="qualification_edit"),
    path("<int:enterprise_id>/figures/", views.figure_set, name="figure_set"),
    path("<int:enterprise_id>/tier/", views.tier_assign, name="tier_assign"),
    path("<int:enterprise_id>/chain/", views.chain_add, name="chain_add"),
    path("chain-positions/<int:position_id>/remove/", views.chain_remove, name="chain_remove"),
    path("<int:enterprise_id>/visits/new/", views.visit_add, name="visit_add"),
    path("<int:enterprise_id>/visits/check/", views.visit_check, name="visit_check"),
]
