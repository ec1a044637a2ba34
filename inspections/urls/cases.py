"""Routes of the inspection and lead pages (the e-mails link to the first two)."""

from django.urls import path

from inspections.views import cases

urlpatterns = [
    # The e-mails link here (inspections.notifications.common.inspection_path and lead_path).
    path("inspections/<int:pk>/", cases.inspection_detail, name="inspection_detail"),
    path("leads/<int:pk>/", cases.lead_detail, name="lead_detail"),
]
