from django.urls import path

from xinqu.updates import views

app_name = "updates"
urlpatterns = [
    path("", views.update_list, name="list"),
    path("new/", views.update_create, name="create"),
    path("<int:update_id>/", views.update_detail, name="detail"),
    path("<int:update_id>/edit/", views.update_edit, name="edit"),
    path("<int:update_id>/<str:action>/", views.update_action, name="action"),
]
