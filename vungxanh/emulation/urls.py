from django.urls import path

from . import views

app_name = "emulation"
urlpatterns = [
    path("thi-dua/", views.campaigns, name="campaigns"),
    path("thi-dua/phat-dong/", views.launch, name="launch"),
    path("thi-dua/<slug:code>/", views.campaign, name="campaign"),
    path("thi-dua/<slug:code>/dang-ky/", views.register, name="register"),
    path("thi-dua/<slug:code>/dang-ky/<int:registration_id>/", views.decide, name="decide"),
    path("thi-dua/<slug:code>/cham-diem/", views.score, name="score"),
    path("thi-dua/<slug:code>/so-ket/<int:number>/", views.review, name="review"),
]
