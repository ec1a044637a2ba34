"""No record is ever stuck: from every state that is not final, somebody has a step that moves it on."""

from __future__ import annotations

import pytest

from inspections import models as m
from inspections.actions import actions_for
from inspections.steps import STEPS
from tests import factories as f
from tests.helpers import put
from tests.roles import ROLES
from workflows.diagrams import states_of, terminal_states

MACHINES = (m.Round, m.Team, m.Inspection, m.Lead, m.RectificationItem)

# States in which the record waits for time rather than for a person (none today: a long-term
# item reports progress every six months, but its unit may also submit it at any time).
WAITING_FOR_TIME: dict[type, set[str]] = {}


def record_in(world, model: type, state: str):
    """The world's record of `model` in `state`, as its people would meet it."""
    if model is m.Round:
        return put(world.round, state=state)
    if model is m.Team:
        return put(world.team, state=state)
    if model is m.Inspection:
        return put(world.inspection, state=state)
    if model is m.Lead:
        return f.LeadFactory(
            inspection=world.inspection,
            registered_by=world.team_leader,
            state=state,
            route=m.Route.DISCIPLINE if state != m.LeadState.REGISTERED else "",
            receiving_organ=world.organ if state != m.LeadState.REGISTERED else None,
        )
    return f.RectificationItemFactory(inspection=world.inspection, state=state)


CASES = [
    (model, state)
    for model in MACHINES
    for state in states_of(model)
    if state not in terminal_states(model) and state not in WAITING_FOR_TIME.get(model, set())
]


@pytest.mark.parametrize(
    ("model", "state"), CASES, ids=[f"{model.__name__}.{state}" for model, state in CASES]
)
def test_somebody_may_move_the_record_on(world, model, state):
    record = record_in(world, model, state)

    movers = {
        role: [step.name for step in actions_for(record, getattr(world, role)) if step.target]
        for role in ROLES
    }

    assert any(movers.values()), f"{model.__name__} in {state}: nobody has a step"


@pytest.mark.parametrize("model", MACHINES, ids=lambda model: model.__name__)
def test_every_state_is_either_final_or_covered(model):
    covered = {state for each, state in CASES if each is model}
    final = set(terminal_states(model)) | WAITING_FOR_TIME.get(model, set())

    assert covered | final == set(states_of(model))
    # A final state is final: no step of the model starts there.
    assert not [
        step.name for step in STEPS[model] if step.is_transition and set(step.sources) & final
    ]
