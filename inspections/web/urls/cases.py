"""Routes of the inspection and lead pages, the unit portal, evidence files and the leads desk."""

from django.urls import path

from inspections.web.views import cases, leads, portal

urlpatterns = [
    # The e-mails link here (inspections.notifications.common.inspection_path and lead_path).
    path("inspections/<int:pk>/", cases.inspection_detail, name="inspection_detail"),
    path("leads/<int:pk>/", cases.lead_detail, name="lead_detail"),
    path("leads/", leads.leads_desk, name="leads_desk"),
    path("portal/", portal.unit_portal, name="unit_portal"),
    path("portal/inspections/<int:pk>/", portal.portal_inspection, name="portal_inspection"),
    path("evidence/<int:pk>/", portal.evidence_download, name="evidence_download"),
]
