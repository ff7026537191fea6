from django.urls import path, re_path

from xinqu.service_requests import open311, views

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
    # Open311 GeoReport v2, in XML or JSON by the extension; anything else under it is the spec's 404.
    re_path(r"^open311/discovery\.(?P<fmt>xml|json)$", open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services\.(?P<fmt>xml|json)$", open311.services_list, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[^/.]+)\.(?P<fmt>xml|json)$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>xml|json)$", open311.requests_endpoint, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<number>[^/]+)\.(?P<fmt>xml|json)$",
        open311.request_detail,
        name="open311_request",
    ),
    re_path(r"^open311/(?P<rest>.*)$", open311.not_found),
    path("service/track/<str:number>/<str:token>/", views.track, name="track"),
    path(
        "service/track/<str:number>/<str:token>/files/<int:pk>/",
        views.track_attachment,
        name="track_attachment",
    ),
]
