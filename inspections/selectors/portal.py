"""Reads for the unit portal: a liaison's own inspections, their problem lists and plans."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from inspections.models import Finding, Inspection, ItemState
from inspections.roles import roles_of
from inspections.selectors import get_or_not_found
from inspections.states import InspectionState, inspection_states_from

# Items the unit still has to finish; the portal's list counts them per inspection.
UNFINISHED_ITEMS = (ItemState.OPEN, ItemState.IN_PROGRESS, ItemState.LONG_TERM)


def portal_inspections(user: Any) -> QuerySet[Inspection]:
    """Inspections of the units the user is liaison of, newest round first, items counted."""
    return (
        Inspection.objects.filter(unit_id__in=roles_of(user).unit_ids)
        .select_related("round__term", "unit", "team", "batch")
        .annotate(
            unfinished_items=Count("items", filter=Q(items__state__in=UNFINISHED_ITEMS)),
            all_items=Count("items"),
        )
        .order_by("-round__term__number", "-round__number", "unit__name")
    )


def portal_inspection_get(*, user: Any, pk: Any) -> Inspection:
    """One of the liaison's inspections, or NotFound (another unit's is never found)."""
    return get_or_not_found(portal_inspections(user), pk)


def problem_list(inspection: Inspection) -> list[Finding]:
    """The findings the unit must answer, once feedback has given them to it; else none."""
    if inspection.state not in inspection_states_from(InspectionState.FEEDBACK_GIVEN):
        return []
    return list(inspection.findings.prefetch_related("items").order_by("number"))
