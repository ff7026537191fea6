from django.urls import path

from xinqu.service_requests import views

app_name = "service_requests"
urlpatterns = [
    path("service-requests/", views.queue, name="queue"),
    path("service-requests/new/", views.file, name="file"),
    path("service-requests/metrics/", views.metrics_page, name="metrics"),
    path("service-requests/<str:number>/", views.detail, name="detail"),
    # The enterprise's own pages: no login; the secret link is the key.
    path("service/new/", views.public_file, name="public_file"),
    path("service/track/<str:number>/<str:token>/", views.track, name="track"),
]
