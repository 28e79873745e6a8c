from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.ThrottledLoginView.as_view(), name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("nhat-ky/", views.audit_log, name="audit"),
]
