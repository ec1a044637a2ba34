"""URL routes: the admin, accounts, the language switch and the inspections pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("inspections.urls")),
]
