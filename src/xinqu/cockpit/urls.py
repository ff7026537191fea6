from django.urls import path

from xinqu.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.page, name="page"),
    path("screens/", views.screens, name="screens"),
    path("screen/<str:token>/", views.screen, name="screen"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/<int:briefing_id>/", views.briefing, name="briefing"),
    path("briefings/<int:briefing_id>/<str:kind>/", views.briefing_download, name="briefing_download"),
]
