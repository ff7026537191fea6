from django.urls import path

from xinqu.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.page, name="page"),
    path("screens/", views.screens, name="screens"),
    path("screen/<str:token>/", views.screen, name="screen"),
]
