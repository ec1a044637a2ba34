"""`export_round ROUND --format json`: a round with everything in it, as one JSON document."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.exchange.backup import round_export, round_find
from workflows.errors import NotFound


class Command(BaseCommand):
    help = (
        "Write a round (batches, teams, inspections, findings, leads, items, evidence file "
        "records, deadlines, audit trail, and the people and units they name) as JSON; "
        "see docs/backups.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", help="the round's id or its title (十二届市委第六轮巡视)")
        parser.add_argument("--format", default="json", choices=["json"])
        parser.add_argument("--output", "-o", help="a file to write (default: standard output)")

    def handle(self, *args, round, output=None, **options):
        try:
            found = round_find(round)
        except NotFound as error:
            raise CommandError(str(error.message)) from error
        text = json.dumps(round_export(found), ensure_ascii=False, indent=1, sort_keys=True)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {found} to {output}.")
        else:
            sys.stdout.write(text + "\n")
