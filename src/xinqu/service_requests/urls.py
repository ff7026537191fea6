from django.urls import path

from xinqu.service_requests import views

app_name = "service_requests"
urlpatterns = [
    path("service-requests/", views.queue, name="queue"),
    path("service-requests/new/", views.file, name="file"),
    path("service-requests/metrics/", views.metrics_page, name="metrics"),
    path("service-requests/settings/", views.settings_page, name="settings"),
    path("service-requests/<str:number>/", views.detail, name="detail"),
    path("service-requests/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    # The enterprise's own pages: no login; the secret link is the key.
    path("service/new/", views.public_file, name="public_file"),
    path("service/track/<str:number>/<str:token>/", views.track, name="track"),
    path(
        "service/track/<str:number>/<str:token>/files/<int:pk>/",
        views.track_attachment,
        name="track_attachment",
    ),
]
