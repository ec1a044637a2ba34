"""`state_diagrams [--check]`: write docs/state-machines.md from the machines' django-fsm metadata."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inspections.models import Inspection, Lead, RectificationItem, Round, Team
from workflows.diagrams import state_machines_document

MACHINES = [Round, Team, Inspection, Lead, RectificationItem]
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "state-machines.md"

PREAMBLE = """
Generated from the code by `python manage.py state_diagrams`; do not edit by hand.
`python manage.py state_diagrams --check` (and the test suite) fails when this file is stale.

Each machine is drawn from its django-fsm transitions: `[*] -->` marks the initial state
(the field's default), `--> [*]` the states no transition leaves. Who may take a transition is
the permission it names; `inspections/rules.py` decides who holds it, and the service that
runs the transition checks it.
"""


def render() -> str:
    return state_machines_document(MACHINES, title="State machines", preamble=PREAMBLE)


class Command(BaseCommand):
    help = "Write the state diagrams of the five machines to docs/state-machines.md."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero when the file differs from what would be written.",
        )
        parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)

    def handle(self, *args, check: bool, output: Path, **options):
        text = render()
        current = output.read_text(encoding="utf-8") if output.is_file() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{output} is out of date with the state machines in the code; "
                    "run `python manage.py state_diagrams` and commit the result."
                )
            self.stdout.write(f"{output} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{output} is up to date.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="\n")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
