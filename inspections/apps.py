"""App config for the inspection domain: tells the engine about its models, once, at start-up."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from inspections import rules  # noqa: F401  (registers every permission)
        from inspections.models import Inspection, Lead, RectificationItem
        from inspections.notifications import InspectionDeadlines, ItemDeadlines, LeadDeadlines
        from inspections.steps import STEPS
        from workflows import registry

        deadlines = {
            Inspection: InspectionDeadlines(),
            RectificationItem: ItemDeadlines(),
            Lead: LeadDeadlines(),
        }
        # What the rules, conditions and letters of a lead's or an item's steps read besides
        # the row: its inspection, fetched in the query that locks the row.
        read_with_lock = {Lead: ("inspection",), RectificationItem: ("inspection",)}
        for model, steps in STEPS.items():
            registry.register(
                model,
                steps=steps,
                deadlines=deadlines.get(model),
                read_with_lock=read_with_lock.get(model, ()),
            )
