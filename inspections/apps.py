"""App config for the inspection domain; tells the engine about the domain's deadlines and e-mail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from inspections import deadlines, notifications
        from inspections.models import Inspection, Lead, RectificationItem
        from workflows.subjects import register_subjects
        from workflows.transitions import register_after_transition

        register_after_transition(deadlines.apply_deadline_rules)
        register_after_transition(notifications.transition_letters)
        register_subjects(Inspection, notifications.InspectionDeadlines())
        register_subjects(RectificationItem, notifications.ItemDeadlines())
        register_subjects(Lead, notifications.LeadDeadlines())
