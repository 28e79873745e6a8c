from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("ban-do/", views.public_map, name="map"),
]
