from django.urls import path

app_name = "teams"
urlpatterns: list = []  # the pages land with vungxanh/teams/views.py
