from django.urls import path

from xinqu.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/new/", views.indicator_edit, name="indicator_create"),
    path("catalog/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("returns/", views.returns, name="returns"),
    path("returns/entry/<str:period>/", views.entry, name="entry"),
    path("returns/<int:pk>/", views.return_detail, name="return"),
    path("returns/<int:pk>/<str:action>/", views.return_action, name="return_action"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("targets/", views.targets, name="targets"),
    path("targets/<str:code>/<int:unit_id>/<int:year>/", views.target_edit, name="target_edit"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/peers/", views.benchmark, name="benchmark"),
    path("<str:code>/peers/import/", views.benchmark_import, name="benchmark_import"),
    path("<str:code>/peers/template.xlsx", views.benchmark_template, name="benchmark_template"),
]
