"""Routes of the overview pages: my work, rounds and their dashboards, the ledger, help."""

from django.urls import path

from inspections.views import overview

urlpatterns = [
    path("", overview.home, name="home"),
]
