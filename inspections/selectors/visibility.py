"""Who may see what, for every model: one queryset per kind of row, and the fetch that says
"not found" for a row the person may not see.

Each function mirrors a `view_*` rule of inspections/rules.py, so a list never shows what a
detail page would refuse, and a page never hints that a refused row exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, Subquery

from inspections.models import (
    Batch,
    EvidenceFile,
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
from inspections.states import inspection_states_from
from workflows.errors import NotFound
from workflows.models import AuditEntry, Deadline

# The machines' rows ------------------------------------------------------------------------


def rounds_visible_to(user: Any) -> QuerySet[Round]:
    """Rounds the user may see: all for leadership and office, their own rounds for team members."""
    roles = roles_of(user)
    rounds = Round.objects.select_related("term")
    if roles.oversees:
        return rounds
    return rounds.filter(pk__in=roles.round_ids)


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    """Inspections the user may see (units see their own, in the reduced view the faces choose)."""
    roles = roles_of(user)
    inspections = Inspection.objects.select_related("round__term", "batch", "unit", "team")
    if roles.oversees:
        return inspections
    return inspections.filter(Q(team_id__in=roles.team_ids) | Q(unit_id__in=roles.unit_ids))


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """Leads: leadership and office, the leaders of the inspecting team, the organ handed them."""
    roles = roles_of(user)
    leads = Lead.objects.select_related("inspection__unit", "receiving_organ")
    if roles.oversees:
        return leads
    handed = Q(
        receiving_organ_id__in=roles.organ_ids,
        state__in=["handed_over", "reported_back", "closed"],
    )
    return leads.filter(Q(inspection__team_id__in=roles.led_team_ids) | handed)


def items_visible_to(user: Any) -> QuerySet[RectificationItem]:
    roles = roles_of(user)
    items = RectificationItem.objects.select_related("inspection__unit", "finding")
    if roles.oversees:
        return items
    return items.filter(
        Q(inspection__team_id__in=roles.team_ids) | Q(inspection__unit_id__in=roles.unit_ids)
    )


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


# Deadlines and audit entries ---------------------------------------------------------------


# Deadlines and audit entries point at their subject by content type; they are visible
# exactly when their subject is, judged by these querysets.
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


def evidence_visible_to(user: Any) -> QuerySet[EvidenceFile]:
    """Evidence files of the items the user may see."""
    return EvidenceFile.objects.select_related("item__inspection").filter(
        item__in=items_visible_to(user)
    )


# Fetching one row -----------------------------------------------------------------------


def get_or_not_found(queryset: QuerySet, pk: Any):
    """The row of `queryset` with this pk, or NotFound (also for a pk that is not a number)."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def round_get_for_user(*, user: Any, pk: Any) -> Round:
    """The round, or NotFound when it does not exist or the user may not see it."""
    return get_or_not_found(rounds_visible_to(user), pk)


def inspection_get_for_user(*, user: Any, pk: Any) -> Inspection:
    """The inspection, or NotFound when it does not exist or the user may not see it."""
    return get_or_not_found(inspections_visible_to(user), pk)


def lead_get_for_user(*, user: Any, pk: Any) -> Lead:
    return get_or_not_found(leads_visible_to(user), pk)


def item_get_for_user(*, user: Any, pk: Any) -> RectificationItem:
    return get_or_not_found(items_visible_to(user), pk)


def evidence_get_for_user(*, user: Any, pk: Any) -> EvidenceFile:
    """The evidence file, or NotFound when it does not exist or the user may not read it."""
    evidence = get_or_not_found(evidence_visible_to(user), pk)
    if not user.has_perm("inspections.view_evidence_rectificationitem", evidence.item):
        raise NotFound()
    return evidence
