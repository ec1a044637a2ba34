"""URL routes: the admin, the language switch, the API and the product's pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("inspections.api.urls")),
    path("", include("inspections.web.urls")),
]
