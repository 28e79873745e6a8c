from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("khen-thuong/", views.register, name="register"),
    path("khen-thuong/ho-so/", views.dossiers, name="dossiers"),
    path("khen-thuong/ho-so/moi/", views.create, name="create"),
    path("khen-thuong/ho-so/<int:dossier_id>/", views.dossier, name="dossier"),
    path(
        "khen-thuong/ho-so/<int:dossier_id>/to-trinh.docx",
        views.letter,
        {"extension": "docx"},
        name="letter_docx",
    ),
    path(
        "khen-thuong/ho-so/<int:dossier_id>/to-trinh.pdf",
        views.letter,
        {"extension": "pdf"},
        name="letter_pdf",
    ),
    path("khen-thuong/ho-so/<int:dossier_id>/de-nghi/", views.nominate, name="nominate"),
    path("khen-thuong/ho-so/<int:dossier_id>/gui/", views.submit, name="submit"),
    path("khen-thuong/ho-so/<int:dossier_id>/buoc/<int:step_id>/", views.act, name="act"),
    path("khen-thuong/ho-so/<int:dossier_id>/quyet-dinh/", views.decide, name="decide"),
    path("khen-thuong/<slug:code>/", views.granted, name="granted"),
]
