from django.urls import path

from xinqu.safety import views

app_name = "safety"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/", views.report, name="report"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    # The enterprise's own page: no login; the secret link is the key.
    path("rectify/<str:number>/<str:token>/", views.rectify, name="rectify"),
    path(
        "rectify/<str:number>/<str:token>/files/<int:pk>/",
        views.rectify_attachment,
        name="rectify_attachment",
    ),
]
