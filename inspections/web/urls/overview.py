"""Routes of the overview pages: my work, rounds and their dashboards, the ledger, help."""

from django.urls import path

from inspections.web.views import dashboard, help, ledger, overview, work

urlpatterns = [
    path("", work.home, name="home"),
    path("rounds/", overview.round_list, name="round_list"),
    path("rounds/<int:pk>/", dashboard.round_dashboard_view, name="round_dashboard"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/export.xlsx", ledger.ledger_export_xlsx, name="ledger_xlsx"),
    path("ledger/export.csv", ledger.ledger_export_csv, name="ledger_csv"),
    path("help/", help.help_page, name="help"),
]
