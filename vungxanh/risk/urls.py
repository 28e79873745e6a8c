from django.urls import path

from . import pages, views

app_name = "risk"
urlpatterns = [
    path("ban-do/", views.public_map, name="map"),
    path("quy-tac/", pages.rulesets, name="rulesets"),
    path("cap-do-tinh/", pages.real_provinces, name="real_provinces"),
    path("quy-tac/<str:code>/phien-ban-moi/", pages.ruleset_version_form, name="draft"),
    path("quy-tac/<str:code>/<int:number>/ban-hanh/", pages.publish_version, name="publish"),
    path("cap-do/<str:code>/", pages.area_level, name="area"),
    path("cap-do/<str:code>/dieu-chinh/", pages.set_override, name="override"),
    path("cap-do/<str:code>/ghi-ca/", pages.record_cases, name="record_cases"),
]
