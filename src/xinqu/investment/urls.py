from django.urls import path

from xinqu.investment import views

app_name = "investment"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_edit, name="create"),
    path("funnel/", views.funnel, name="funnel"),
    path("map/", views.chain_map, name="map"),
    path("score/", views.score, name="score"),
    path("referrers/", views.referrers, name="referrers"),
    path("referrers/<int:pk>/", views.referrers, name="referrer"),
    path("rates/", views.rates, name="rates"),
    path("settings/", views.settings_page, name="settings"),
    path("import/", views.lead_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("<int:pk>/payments/<int:payment>/proof/", views.proof, name="proof"),
]
