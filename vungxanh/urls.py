from django.urls import include, path

from vungxanh.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("vungxanh.accounts.urls")),
    path("", include("vungxanh.areas.urls")),
    path("", include("vungxanh.risk.urls")),
    path("", include("vungxanh.teams.urls")),
    path("", include("vungxanh.criteria.urls")),
    path("", include("vungxanh.emulation.urls")),
    path("", include("vungxanh.awards.urls")),
    path("", include("vungxanh.portal.urls")),
]
