"""Routes of the product's pages, one module per area, and signing in and out.

No `app_name`: LOGIN_URL, LOGIN_REDIRECT_URL and LOGOUT_REDIRECT_URL name these routes plainly.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("inspections.web.urls.accounts")),
    path("", include("inspections.web.urls.overview")),
    path("", include("inspections.web.urls.cases")),
    path("", include("inspections.web.urls.exchange")),
]
