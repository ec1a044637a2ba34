"""The catalogue of actions the pages and the API share: complete, matched to the services."""

from __future__ import annotations

import inspect

import pytest

from inspections.actions import CATALOGUE, action_named, actions_for, field_specs, take
from inspections.models import Inspection, InspectionState, RoundState, TeamState
from tests.helpers import fresh, put
from workflows.diagrams import edges_of
from workflows.errors import InvalidInput, StaleObject

ACTIONS = [action for actions in CATALOGUE.values() for action in actions]


@pytest.mark.parametrize("model", list(CATALOGUE), ids=lambda model: model.__name__)
def test_every_transition_of_every_machine_is_in_the_catalogue(model):
    transitions = {edge.name for edge in edges_of(model)}
    catalogued = {action.name for action in CATALOGUE[model] if action.is_transition}

    assert catalogued == transitions


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a.model.__name__}.{a.name}")
def test_each_form_asks_for_exactly_what_its_service_takes(action):
    parameters = inspect.signature(action.service).parameters
    # The version the person saw is passed by `take`, not asked for by the form.
    taken = set(parameters) - {action.subject, "actor", "expected_version"}
    required = {name for name in taken if parameters[name].default is inspect.Parameter.empty}
    fields = action.form.base_fields

    assert set(fields) == taken
    assert {name for name, field in fields.items() if field.required} == required


def test_a_team_leader_may_station_a_notified_inspection_and_a_liaison_may_not(world):
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    inspection = put(world.inspection, state=InspectionState.NOTIFIED)

    assert "station" in [a.name for a in actions_for(inspection, world.team_leader)]
    assert actions_for(inspection, world.unit_liaison) == []
    assert actions_for(inspection, world.other_team_member) == []


def test_take_runs_the_service_with_the_form_fields(world):
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    inspection = put(world.inspection, state=InspectionState.NOTIFIED)

    taken = take(
        action_named(Inspection, "station"),
        instance=inspection,
        actor=world.team_leader,
        data={"on": "2026-09-21", "note": "进驻"},
    )

    assert fresh(taken).state == InspectionState.STATIONED
    assert str(fresh(taken).stationed_on) == "2026-09-21"


def test_bad_input_names_each_field_and_changes_nothing(world):
    put(world.round, state=RoundState.MOBILIZED)
    inspection = put(world.inspection, state=InspectionState.REPORTED)

    with pytest.raises(InvalidInput) as refused:
        take(
            action_named(Inspection, "return_report"),
            instance=inspection,
            actor=world.leading_group,
            data={"reason": ""},
        )

    assert set(refused.value.fields) == {"reason"}
    assert fresh(inspection).state == InspectionState.REPORTED


def test_strict_input_refuses_fields_the_form_does_not_know(world):
    inspection = put(world.inspection, state=InspectionState.NOTIFIED)

    with pytest.raises(InvalidInput) as refused:
        take(
            action_named(Inspection, "station"),
            instance=inspection,
            actor=world.team_leader,
            data={"on": "2026-09-21", "stationed": True},
            strict=True,
        )

    assert set(refused.value.fields) == {"stationed"}


def test_a_form_from_before_someone_else_acted_is_stale(world):
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    inspection = put(world.inspection, state=InspectionState.NOTIFIED)
    seen = inspection.version
    Inspection.objects.filter(pk=inspection.pk).update(version=seen + 1)

    with pytest.raises(StaleObject):
        take(
            action_named(Inspection, "station"),
            instance=inspection,
            actor=world.team_leader,
            data={},
            version=seen,
        )


def test_field_specs_describe_types_requirement_and_choices():
    specs = {spec["name"]: spec for spec in field_specs(action_named(Inspection, "grade"))}

    assert specs["grade"]["type"] == "choice"
    assert specs["grade"]["required"] is True
    assert {choice["value"] for choice in specs["grade"]["choices"]} >= {"good", "poor"}
    assert specs["note"] == {
        "name": "note",
        "type": "string",
        "required": False,
        "label": specs["note"]["label"],
        "max_length": 2000,
    }
