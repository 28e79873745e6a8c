from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    # Teams and coverage; the phone page of a village's team.
    path("to-tu-quan/to/<int:team_id>/", views.team, name="team"),
    path("to-tu-quan/to/<int:team_id>/thanh-vien/", views.add_member, name="add_member"),
    path(
        "to-tu-quan/to/<int:team_id>/thanh-vien/<int:member_id>/",
        views.member_status,
        name="member_status",
    ),
    path("to-tu-quan/<str:area_code>/", views.coverage, name="coverage"),
    path("to-tu-quan/<str:area_code>/xuat.xlsx", views.coverage_export, name="coverage_export"),
    path("to-tu-quan/<str:area_code>/thanh-lap/", views.found_team, name="found_team"),
    path("to-tu-quan/<str:village_code>/hom-nay/", views.daily, name="daily"),
    path(
        "to-tu-quan/<str:village_code>/hom-nay/<int:entry_id>/",
        views.daily_check,
        name="daily_check",
    ),
    # The register: one person's record first (its path would otherwise read as an area code).
    path("so-theo-doi/ho-so/<int:entry_id>/", views.record, name="record"),
    path("so-theo-doi/ho-so/<int:entry_id>/chuyen-tuyen/", views.escalate, name="escalate"),
    path("so-theo-doi/ho-so/<int:entry_id>/ket-thuc/", views.close, name="close"),
    path("so-theo-doi/ho-so/<int:entry_id>/kiem-tra/", views.record_check, name="record_check"),
    path("so-theo-doi/<str:area_code>/", views.register_list, name="register"),
    path("so-theo-doi/<str:area_code>/tong-hop/", views.dashboard, name="dashboard"),
    path("so-theo-doi/<str:area_code>/xuat/", views.register_export, name="register_export"),
    path("so-theo-doi/<str:area_code>/nhap/", views.register_import, name="register_import"),
    path("so-theo-doi/<str:area_code>/dang-ky/", views.register_person, name="register_person"),
    # Commitments signed by households, organizations and villages.
    path("cam-ket/<str:area_code>/", views.commitments, name="commitments"),
    path("cam-ket/<str:area_code>/ky/", views.sign_commitment, name="sign_commitment"),
]
