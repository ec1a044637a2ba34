"""State diagrams and transition tables come from the django-fsm metadata and the registered steps."""

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django_fsm import FSMField, transition

from tests.diagram_checks import assert_every_state_and_transition_is_drawn
from tests.workflows.machine.models import Case, Task
from workflows.diagrams import (
    edges_of,
    mermaid_state_diagram,
    states_of,
    transition_rows,
)


@pytest.fixture
def door():
    """A small machine: a door that opens, locks, and breaks from any other state."""
    with isolate_apps("workflows"):

        class Door(models.Model):
            state = FSMField(
                default="closed",
                choices=[
                    ("closed", "Closed"),
                    ("opened", "Opened"),
                    ("locked", "Locked"),
                    ("broken", "Broken"),
                ],
            )

            class Meta:
                app_label = "workflows"

            def __str__(self) -> str:
                return self.state

            @transition(field=state, source="closed", target="opened", permission="doors.open")
            def open(self):
                pass

            @transition(field=state, source="opened", target="closed")
            def close(self):
                pass

            @transition(field=state, source="closed", target="locked", custom={"label": "Lock it"})
            def lock(self):
                pass

            @transition(field=state, source="locked", target="closed")
            def unlock(self):
                pass

            @transition(field=state, source="+", target="broken")
            def break_down(self):
                pass

        yield Door


def test_the_diagram_of_a_small_machine_has_every_edge(door):
    text = mermaid_state_diagram(door)
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    for edge in [
        "[*] --> closed",
        "closed --> opened : open",
        "opened --> closed : close",
        "closed --> locked : lock",
        "locked --> closed : unlock",
        "closed --> broken : break_down",
        "opened --> broken : break_down",
        "locked --> broken : break_down",
        "broken --> [*]",
    ]:
        assert f"    {edge}" in lines
    assert "broken --> broken : break_down" not in text  # "+" means every *other* state
    assert sum("-->" in line for line in lines) == 9


def test_the_diagram_is_the_same_every_time(door):
    assert mermaid_state_diagram(door) == mermaid_state_diagram(door)
    assert edges_of(door) == sorted(
        edges_of(door),
        key=lambda e: (states_of(door).index(e.source), states_of(door).index(e.target), e.name),
    )


def test_transition_rows_group_sources_and_name_the_permission(door):
    rows = {row.name: row for row in transition_rows(door)}
    assert rows["break_down"].sources == ("closed", "opened", "locked")
    assert rows["open"].permission == "doors.open"
    assert rows["lock"].label == "Lock it"
    assert rows["unlock"].label == "unlock"


def test_transition_rows_take_the_permission_and_label_of_the_registered_step():
    rows = {row.name: row for row in transition_rows(Case)}

    assert (rows["withdraw"].sources, rows["withdraw"].target) == (
        ("filed", "answered"),
        "withdrawn",
    )
    assert (rows["withdraw"].permission, rows["withdraw"].label) == (
        "machine.withdraw_case",
        "Withdraw the case",
    )
    # Writes keep the state: they are steps, not transitions, so the diagram leaves them out.
    assert "retitle" not in rows


@pytest.mark.parametrize("model", [Case, Task], ids=lambda model: model.__name__)
def test_every_state_and_transition_of_a_registered_machine_is_drawn(model):
    assert_every_state_and_transition_is_drawn(model)
