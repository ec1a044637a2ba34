"""docs/state-machines.md stays current, and draws every state and transition of the domain's machines."""

import pytest
from django.core.management import CommandError, call_command

from inspections.management.commands.state_diagrams import DEFAULT_OUTPUT, MACHINES, render
from tests.diagram_checks import assert_every_state_and_transition_is_drawn


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
    assert_every_state_and_transition_is_drawn(model)
    assert f"## {model.__name__} (" in render()
