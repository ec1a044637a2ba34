"""Routes of data in and out: the round report, and personal calendar feeds."""

from django.urls import path

from inspections.web.views import exchange

urlpatterns = [
    path("rounds/<int:pk>/report/", exchange.round_report, name="round_report"),
    path("rounds/<int:pk>/report.pdf", exchange.round_report_pdf, name="round_report_pdf"),
    path("calendar/", exchange.calendar_settings, name="calendar_settings"),
    # The token is URL-safe base64 (secrets.token_urlsafe): letters, digits, - and _.
    path("calendar/<str:token>.ics", exchange.calendar_feed, name="calendar_feed"),
]
