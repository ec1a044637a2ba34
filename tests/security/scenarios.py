"""The states the world must be in before each endpoint of the permission matrix is asked.

Each scenario moves the `world` fixture's records past their protected state fields (as a
fixture may) to where the endpoint's action is open and its conditions hold, and returns
the ids its path needs.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from inspections.models import (
    InspectionState,
    ItemState,
    LeadState,
    RoundState,
    TeamState,
)
from tests import factories as f
from tests.conftest import World
from tests.helpers import put
from workflows.audit import audit_record
from workflows.deadlines import deadline_open

S = InspectionState
TODAY = datetime.date(2026, 9, 21)


def ids(world: World, **more) -> dict[str, int]:
    """The ids a path may name: the world's own, and any record the scenario made."""
    return {
        "round": world.round.pk,
        "batch": world.batch.pk,
        "unit": world.unit.pk,
        "team": world.team.pk,
        "inspection": world.inspection.pk,
        **more,
    }


def running(world: World, state: str = S.STATIONED) -> None:
    """A mobilised round with authorised teams, the world's inspection in `state`."""
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    put(world.other_team, state=TeamState.AUTHORIZED)
    put(world.inspection, state=state)


def finding(world: World):
    return f.FindingFactory(inspection=world.inspection, number=1, recorded_by=world.team_member)


def item(world: World, state: str = ItemState.OPEN, **values):
    found = finding(world)
    return put(
        f.RectificationItemFactory(inspection=world.inspection, finding=found, number=1),
        state=state,
        **values,
    )


def lead(world: World, state: str = LeadState.REGISTERED, **values):
    made = f.LeadFactory(inspection=world.inspection, number=1, registered_by=world.team_leader)
    return put(made, state=state, **values)


# Reads -----------------------------------------------------------------------------------------


def at_feedback(world: World) -> dict[str, int]:
    """The unit's liaison sees the problem list from feedback on (and plans against it)."""
    running(world, S.FEEDBACK_GIVEN)
    return ids(world, finding=finding(world).pk)


def before_feedback(world: World) -> dict[str, int]:
    running(world, S.WITHDRAWN)
    return ids(world, finding=finding(world).pk)


def rectifying_item(world: World) -> dict[str, int]:
    running(world, S.RECTIFYING)
    return ids(world, item=item(world).pk)


def registered_lead(world: World) -> dict[str, int]:
    running(world, S.WITHDRAWN)
    return ids(world, lead=lead(world).pk)


def lead_handed_to_the_desk(world: World) -> dict[str, int]:
    running(world, S.REPORTED)
    return ids(world, lead=lead(world, LeadState.HANDED_OVER, receiving_organ=world.organ).pk)


def lead_handed_to_another_organ(world: World) -> dict[str, int]:
    running(world, S.REPORTED)
    organ = f.ReceivingOrganFactory(name="市委组织部", route="organisation")
    return ids(world, lead=lead(world, LeadState.HANDED_OVER, receiving_organ=organ).pk)


def inspection_deadline(world: World) -> dict[str, int]:
    running(world, S.STATIONED)
    deadline = deadline_open(
        subject=world.inspection,
        kind="on_site",
        policy_key="on_site_regular",
        starts_on=timezone.localdate(),
        responsible="team",
    )
    return ids(world, deadline=deadline.pk)


def lead_deadline(world: World) -> dict[str, int]:
    running(world, S.REPORTED)
    handed = lead(world, LeadState.HANDED_OVER, receiving_organ=world.organ)
    deadline = deadline_open(
        subject=handed,
        kind="report_back",
        policy_key="lead_report_back",
        starts_on=timezone.localdate(),
        responsible="receiving_organ",
    )
    return ids(world, deadline=deadline.pk, lead=handed.pk)


def inspection_audit_entry(world: World) -> dict[str, int]:
    running(world, S.STATIONED)
    entry = audit_record(
        subject=world.inspection, actor=world.team_leader, action="station", to_state=S.STATIONED
    )
    return ids(world, entry=entry.pk)


def item_audit_entry(world: World) -> dict[str, int]:
    running(world, S.RECTIFYING)
    made = item(world, ItemState.IN_PROGRESS)
    entry = audit_record(subject=made, actor=world.unit_liaison, action="start", to_state="x")
    return ids(world, entry=entry.pk, item=made.pk)


# Actions: each leaves the action open with its conditions met ---------------------------------


def round_in(state: str, inspections: str | None = None, teams: str | None = None):
    def scenario(world: World) -> dict[str, int]:
        put(world.round, state=state)
        if teams:
            put(world.team, state=teams)
            put(world.other_team, state=teams)
        if inspections:
            put(world.inspection, state=inspections)
            put(world.other_inspection, state=inspections)
        return ids(world)

    return scenario


def team_in(state: str, inspections: str | None = None):
    def scenario(world: World) -> dict[str, int]:
        put(world.team, state=state)
        if inspections:
            put(world.inspection, state=inspections)
        return ids(world)

    return scenario


def inspection_in(state: str, **values):
    def scenario(world: World) -> dict[str, int]:
        running(world, state)
        if values:
            put(world.inspection, **values)
        return ids(world)

    return scenario


def heard_with_a_finding(world: World) -> dict[str, int]:
    running(world, S.HEARD)
    finding(world)
    return ids(world)


def plan_covering_every_finding(world: World) -> dict[str, int]:
    running(world, S.FEEDBACK_GIVEN)
    item(world)
    return ids(world)


def planned_item(world: World) -> dict[str, int]:
    """An item of the unit's plan while it drafts it, before submitting."""
    running(world, S.FEEDBACK_GIVEN)
    return ids(world, item=item(world).pk)


def ready_to_close(world: World) -> dict[str, int]:
    running(world, S.RECTIFICATION_ACCEPTED)
    put(world.inspection, disclosed_on=TODAY, disclosure_reference="市纪委监委网站")
    item(world, ItemState.CLOSED)
    return ids(world)


def item_in(state: str):
    def scenario(world: World) -> dict[str, int]:
        running(world, S.RECTIFYING)
        return ids(world, item=item(world, state).pk)

    return scenario


def lead_in(state: str, with_organ: bool = False):
    def scenario(world: World) -> dict[str, int]:
        running(world, S.REPORTED)
        values = {"receiving_organ": world.organ, "route": "discipline"} if with_organ else {}
        return ids(world, lead=lead(world, state, **values).pk)

    return scenario


def organ_id(world: World) -> int:
    return world.organ.pk
