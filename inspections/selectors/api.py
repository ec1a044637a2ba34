"""Reads the API needs beside the shared ones: every collection limited to what the user may see.

Each function answers "which rows of this kind may `user` see", mirroring the `view_*` rules
of inspections/rules.py (DESIGN.md §5), so a list never shows what a detail page would refuse.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, Subquery

from inspections.models import (
    Batch,
    Finding,
    Inspection,
    InspectionState,
    Lead,
    RectificationItem,
    Round,
    Team,
    Unit,
)
from inspections.roles import roles_of
from inspections.selectors import (
    inspections_visible_to,
    items_visible_to,
    leads_visible_to,
    rounds_visible_to,
)
from inspections.states import inspection_states_from
from workflows.deadlines import live_deadlines_of_each
from workflows.models import AuditEntry, Deadline


def batches_visible_to(user: Any) -> QuerySet[Batch]:
    """Batches of the rounds the user may see."""
    return Batch.objects.filter(round__in=rounds_visible_to(user).values("pk")).select_related(
        "round__term"
    )


def teams_visible_to(user: Any) -> QuerySet[Team]:
    """Teams: all for leadership and office, their own for members (`view_team`)."""
    roles = roles_of(user)
    teams = Team.objects.select_related("round__term")
    if roles.oversees:
        return teams
    return teams.filter(pk__in=roles.team_ids)


def units_visible_to(user: Any) -> QuerySet[Unit]:
    """Units: all for leadership and office; those a person's visible inspections concern."""
    if roles_of(user).oversees:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=inspections_visible_to(user).values("unit_id"))


def inspections_in_full_visible_to(user: Any) -> QuerySet[Inspection]:
    """Inspections the user sees in full (`view_inspection_in_full`): not the unit's reduced view."""
    roles = roles_of(user)
    inspections = Inspection.objects.all()
    if roles.oversees:
        return inspections
    return inspections.filter(team_id__in=roles.team_ids)


def findings_visible_to(user: Any) -> QuerySet[Finding]:
    """Findings: the inspecting team and oversight; the unit only once feedback is given."""
    roles = roles_of(user)
    findings = Finding.objects.select_related("inspection__unit")
    if roles.oversees:
        return findings
    feedback_given = inspection_states_from(InspectionState.FEEDBACK_GIVEN)
    return findings.filter(
        Q(inspection__team_id__in=roles.team_ids)
        | Q(inspection__unit_id__in=roles.unit_ids, inspection__state__in=feedback_given)
    )


# Deadlines and audit entries point at their subject by content type; they are visible
# exactly when their subject is (DESIGN.md §5), judged by these querysets.
def _subjects_visible_to(user: Any, *, audit: bool) -> list[tuple[type, QuerySet]]:
    inspections = inspections_in_full_visible_to(user) if audit else inspections_visible_to(user)
    subjects: list[tuple[type, QuerySet]] = [
        (Inspection, inspections),
        (RectificationItem, items_visible_to(user)),
        (Lead, leads_visible_to(user)),
    ]
    if audit:
        subjects += [
            (Round, rounds_visible_to(user)),
            (Team, teams_visible_to(user)),
            (Finding, findings_visible_to(user)),
        ]
    return subjects


def _of_visible_subjects(rows: QuerySet, subjects: list[tuple[type, QuerySet]]) -> QuerySet:
    visible = Q(pk__in=[])
    for model, queryset in subjects:
        content_type = ContentType.objects.get_for_model(model)
        visible |= Q(content_type=content_type, object_id__in=Subquery(queryset.values("pk")))
    return rows.filter(visible)


def deadlines_visible_to(user: Any) -> QuerySet[Deadline]:
    """Deadlines whose subject (inspection, item, lead) the user may see."""
    deadlines = Deadline.objects.select_related("policy", "content_type")
    if roles_of(user).oversees:
        return deadlines
    return _of_visible_subjects(deadlines, _subjects_visible_to(user, audit=False))


def audit_entries_visible_to(user: Any) -> QuerySet[AuditEntry]:
    """Audit entries whose subject the user may see (an inspection's only in the full view)."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if roles_of(user).oversees:
        return entries
    return _of_visible_subjects(entries, _subjects_visible_to(user, audit=True))


def with_colour(items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """Each item annotated with the colour of its earliest live deadline ("" when it has none).

    The colour is the one the sweep keeps on the deadline row (it runs every minute).
    """
    live = live_deadlines_of_each(RectificationItem)
    return items.annotate(colour=Subquery(live.values("colour")[:1]))
