from django.urls import path

from . import views

app_name = "criteria"
urlpatterns = [
    path("tieu-chi/", views.sets, name="sets"),
    path("tieu-chi/<str:code>/", views.set_detail, name="set"),
    path("tieu-chi/<str:code>/phien-ban-moi/", views.new_version, name="new_version"),
    path("tieu-chi/<str:code>/nhap/", views.import_version, name="import"),
    path("tieu-chi/<str:code>/<int:number>/ban-hanh/", views.publish, name="publish"),
    path(
        "tieu-chi/<str:code>/<int:number>/sua/<str:criterion>/",
        views.edit_criterion,
        name="edit_criterion",
    ),
    path("danh-gia/", views.assessments, name="assessments"),
    path("danh-gia/moi/", views.start, name="start"),
    path("danh-gia/<int:assessment_id>/", views.assessment, name="assessment"),
    path("danh-gia/<int:assessment_id>/luu/", views.save, name="save"),
    path("danh-gia/<int:assessment_id>/minh-chung/", views.upload_evidence, name="evidence"),
    path(
        "danh-gia/<int:assessment_id>/minh-chung/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path("danh-gia/<int:assessment_id>/tham-dinh/", views.review, name="review"),
    path("cong-bo/", views.announcements, name="announcements"),
    path("cong-bo/moi/", views.announce, name="announce"),
    path("cong-bo/don-vi/<int:unit_id>/da-xem-xet/", views.clear_flag, name="clear_flag"),
]
