from django.urls import path

from xinqu.home import views

urlpatterns = [path("", views.home, name="home")]
