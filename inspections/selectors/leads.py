"""Reads for the leads desk: the leads a person may handle, with their report-back deadlines."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from inspections.models import Lead, LeadState
from inspections.selectors import leads_visible_to
from workflows.deadlines import live_deadlines
from workflows.models import Deadline


def leads_desk(user: Any, *, state: str = "") -> QuerySet[Lead]:
    """The leads `user` may see, optionally in one state, oldest round first."""
    leads = leads_visible_to(user).select_related(
        "inspection__round__term", "inspection__unit", "receiving_organ"
    )
    if state in LeadState.values:
        leads = leads.filter(state=state)
    return leads.order_by(
        "inspection__round__term__number",
        "inspection__round__number",
        "inspection__unit__name",
        "number",
    )


def live_deadlines_by_lead(leads: list[Lead]) -> dict[int, Deadline]:
    """Each lead's live deadline (the report-back), in one query however many leads."""
    found = live_deadlines(Lead, [lead.pk for lead in leads])
    return {lead_id: rows[0] for lead_id, rows in found.items()}
