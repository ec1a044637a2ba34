"""A check shared by the engine's and the domain's diagram tests: a machine is drawn whole."""

from __future__ import annotations

from django.db import models

from workflows.diagrams import markdown_section, mermaid_state_diagram


def assert_every_state_and_transition_is_drawn(model: type[models.Model]) -> None:
    """Each state appears and is reached, each transition is an arrow, the start is marked,
    and the machine has its section."""
    lines = mermaid_state_diagram(model).splitlines()
    field = model._meta.get_field("state")
    for value, _label in field.choices:
        assert f"    {value}" in lines
        # Connected: reached from the start or by a transition.
        assert any(line.endswith(f"--> {value}") or f"--> {value} :" in line for line in lines), (
            value
        )
    for edge in field.get_all_transitions(model):
        assert f"    {edge.source} --> {edge.target} : {edge.name}" in lines
    assert f"    [*] --> {field.get_default()}" in lines
    assert f"## {model.__name__} (" in markdown_section(model)
