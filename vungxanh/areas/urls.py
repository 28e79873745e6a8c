from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("dia-ban/", views.area_browser, name="browser"),
    path("dia-ban/nhap/", views.import_page, name="import"),
    path("dia-ban/<str:code>/", views.area_detail, name="detail"),
    path("dia-ban/<str:code>/them-thon/", views.add_village, name="add_village"),
    path("to-chuc/", views.organization_list, name="organizations"),
    path("to-chuc/<str:code>/", views.organization_detail, name="organization"),
]
