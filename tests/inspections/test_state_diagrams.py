"""docs/state-machines.md stays current, and draws every state and transition of the domain's machines."""

import pytest
from django.core.management import CommandError, call_command

from inspections.management.commands.state_diagrams import DEFAULT_OUTPUT, MACHINES, render
from workflows.diagrams import mermaid_state_diagram


def test_docs_are_up_to_date_with_the_code():
    """Fails when a machine changed and `python manage.py state_diagrams` was not run."""
    call_command("state_diagrams", "--check")
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render()


def test_check_fails_on_a_stale_file_and_writing_fixes_it(tmp_path):
    output = tmp_path / "state-machines.md"
    output.write_text("stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("state_diagrams", "--check", "--output", str(output))
    call_command("state_diagrams", "--output", str(output))
    call_command("state_diagrams", "--check", "--output", str(output))
    assert output.read_text(encoding="utf-8") == render()


@pytest.mark.parametrize("model", MACHINES, ids=lambda model: model.__name__)
def test_every_state_and_transition_of_each_machine_is_drawn(model):
    text = mermaid_state_diagram(model)
    lines = text.splitlines()
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
    assert f"## {model.__name__} (" in render()
