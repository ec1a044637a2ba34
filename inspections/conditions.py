"""Guards of the five machines: each lists what stands in the way, in words a person understands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from inspections.states import (
    InspectionState,
    ItemState,
    TeamState,
    inspection_states_from,
)
from workflows.guards import guard

if TYPE_CHECKING:
    from inspections.models import Inspection, Lead, RectificationItem, Round, Team


# Round -----------------------------------------------------------------------


@guard
def round_has_inspections(round_: Round) -> Iterator[str]:
    if not round_.inspections.exists():
        yield _("The round has no inspections yet.")


@guard
def every_inspection_has_a_team(round_: Round) -> Iterator[str]:
    for inspection in round_.inspections.filter(team__isnull=True).select_related("unit"):
        yield _("%(unit)s has no team assigned.") % {"unit": inspection.unit}


@guard
def every_team_is_authorized(round_: Round) -> Iterator[str]:
    if not round_.teams.exists():
        yield _("The round has no teams.")
    for team in round_.teams.exclude(state=TeamState.AUTHORIZED):
        yield _("%(team)s is not authorised.") % {"team": team}


def _inspections_outside(round_: Round, states: list[str]) -> Iterator[Inspection]:
    allowed = [*states, InspectionState.CANCELLED]
    return round_.inspections.exclude(state__in=allowed).select_related("unit").iterator()


@guard
def every_inspection_has_feedback(round_: Round) -> Iterator[str]:
    for inspection in _inspections_outside(
        round_, inspection_states_from(InspectionState.FEEDBACK_GIVEN)
    ):
        yield _("%(unit)s has not had its feedback yet (%(state)s).") % {
            "unit": inspection.unit,
            "state": inspection.get_state_display(),
        }


@guard
def every_inspection_is_closed(round_: Round) -> Iterator[str]:
    for inspection in _inspections_outside(round_, [InspectionState.CLOSED]):
        yield _("%(unit)s is not closed (%(state)s).") % {
            "unit": inspection.unit,
            "state": inspection.get_state_display(),
        }


# Team ------------------------------------------------------------------------


@guard
def team_has_one_leader_and_a_deputy(team: Team) -> Iterator[str]:
    from inspections.models import TeamRole

    leaders = team.members.filter(role=TeamRole.LEADER).count()
    deputies = team.members.filter(role=TeamRole.DEPUTY).count()
    if leaders != 1:
        yield _("A team needs exactly one leader; %(team)s has %(count)d.") % {
            "team": team,
            "count": leaders,
        }
    if deputies < 1:
        yield _("A team needs at least one deputy leader; %(team)s has none.") % {"team": team}


@guard
def nobody_sits_on_two_teams_of_a_batch(team: Team) -> Iterator[str]:
    from inspections.models import Inspection, TeamMember

    batch_ids = set(team.inspections.values_list("batch_id", flat=True))
    if not batch_ids:
        return
    # Inspections without a batch are stationed together as the round's one unnamed batch.
    same_batch = Q(batch_id__in=[b for b in batch_ids if b is not None])
    if None in batch_ids:
        same_batch |= Q(batch__isnull=True)
    teams_of_the_batch = Inspection.objects.filter(same_batch, round_id=team.round_id).values(
        "team"
    )
    clashes = (
        TeamMember.objects.filter(team__in=teams_of_the_batch)
        .filter(user__in=team.members.values("user"))
        .exclude(team=team)
        .exclude(team__state=TeamState.STOOD_DOWN)
        .select_related("user", "team")
        .order_by("user_id", "team__number")
    )
    for clash in clashes:
        yield _("%(person)s also sits on %(team)s, which inspects in the same batch.") % {
            "person": clash.user,
            "team": clash.team,
        }


@guard
def no_member_is_affiliated_with_an_inspected_unit(team: Team) -> Iterator[str]:
    from inspections.models import Affiliation

    conflicts = (
        Affiliation.objects.filter(
            user__in=team.members.values("user"),
            unit__in=team.inspections.values("unit"),
        )
        .select_related("user", "unit")
        .order_by("user_id", "unit_id")
    )
    for conflict in conflicts:
        yield _("%(person)s must recuse from %(unit)s: %(kind)s%(detail)s.") % {
            "person": conflict.user,
            "unit": conflict.unit,
            "kind": conflict.get_kind_display(),
            "detail": f" ({conflict.detail})" if conflict.detail else "",
        }


@guard
def every_inspection_of_the_team_is_reported(team: Team) -> Iterator[str]:
    allowed = [*inspection_states_from(InspectionState.REPORTED), InspectionState.CANCELLED]
    for inspection in team.inspections.exclude(state__in=allowed).select_related("unit"):
        yield _("%(unit)s is not reported yet (%(state)s).") % {
            "unit": inspection.unit,
            "state": inspection.get_state_display(),
        }


# Inspection ------------------------------------------------------------------


@guard
def team_is_authorized_and_round_mobilized(inspection: Inspection) -> Iterator[str]:
    from inspections.states import RoundState

    if inspection.team_id is None:
        yield _("No team is assigned to %(unit)s.") % {"unit": inspection.unit}
    elif inspection.team.state != TeamState.AUTHORIZED:
        yield _("%(team)s is not authorised.") % {"team": inspection.team}
    if inspection.round.state != RoundState.MOBILIZED:
        yield _("The round has not been mobilised.")


@guard
def problem_list_is_not_empty(inspection: Inspection) -> Iterator[str]:
    if not inspection.findings.exists():
        yield _("Record at least one finding before giving feedback.")


@guard
def plan_covers_every_finding(inspection: Inspection) -> Iterator[str]:
    covered = set(
        inspection.items.exclude(measure="")
        .exclude(responsible_person="")
        .filter(due_on__isnull=False, finding__isnull=False)
        .values_list("finding_id", flat=True)
    )
    for finding in inspection.findings.exclude(pk__in=covered).order_by("number"):
        yield _(
            "Finding %(number)d (%(title)s) has no item with a measure, a due date "
            "and a responsible person."
        ) % {"number": finding.number, "title": finding.title}


@guard
def every_item_is_closed_or_long_term(inspection: Inspection) -> Iterator[str]:
    pending = inspection.items.exclude(state__in=[ItemState.CLOSED, ItemState.LONG_TERM])
    for item in pending.order_by("number"):
        yield _("Item %(number)d is still %(state)s.") % {
            "number": item.number,
            "state": item.get_state_display(),
        }


@guard
def public_disclosure_is_recorded(inspection: Inspection) -> Iterator[str]:
    if inspection.disclosed_on is None:
        yield _("The public disclosure of the rectification has not been recorded.")


# Lead ------------------------------------------------------------------------


@guard
def lead_has_a_receiving_organ(lead: Lead) -> Iterator[str]:
    if lead.receiving_organ_id is None:
        yield _("The decision names no receiving organ.")


# RectificationItem -----------------------------------------------------------


@guard
def plan_is_approved_or_item_is_immediate(item: RectificationItem) -> Iterator[str]:
    approved = inspection_states_from(InspectionState.RECTIFYING)
    if not item.is_immediate and item.inspection.state not in approved:
        yield _("The rectification plan has not been approved yet.")
