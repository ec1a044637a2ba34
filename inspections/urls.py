"""Routes of the inspection pages, and signing in and out.

No `app_name`: LOGIN_URL, LOGIN_REDIRECT_URL and LOGOUT_REDIRECT_URL name these routes plainly.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from inspections import views

urlpatterns = [
    path("", views.home, name="home"),
    # The e-mails link here (inspections.notifications.common.inspection_path and lead_path).
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    # Only signing in and out for now; password change and reset come with the user pages.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
