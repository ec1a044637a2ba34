"""Reads for the leads desk: the leads a person may handle, with their report-back deadlines."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from inspections.models import Lead, LeadState
from inspections.selectors import leads_visible_to
from workflows.models import LIVE_STATUSES, Deadline


def leads_desk(user: Any, *, state: str = "") -> QuerySet[Lead]:
    """The leads `user` may see (DESIGN.md §5), optionally in one state, oldest round first."""
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
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id__in=[lead.pk for lead in leads],
        status__in=LIVE_STATUSES,
    ).select_related("policy")
    return {row.object_id: row for row in rows}
