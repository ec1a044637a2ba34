"""`import_round FILE`: restore a round backup into this database, refusing what exists already."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.exchange.backup import RestoreRefused
from inspections.services.backups import round_restore


class Command(BaseCommand):
    help = (
        "Restore a round written by export_round. Refuses if the round exists, or if the people, "
        "units or receiving organs it carries exist (unless --reuse-existing); see docs/backups.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON file written by export_round")
        parser.add_argument(
            "--reuse-existing",
            action="store_true",
            help="use people, units and receiving organs that exist already instead of refusing",
        )

    def handle(self, *args, file, reuse_existing=False, **options):
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {file}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file} is not a JSON file: {error}") from error
        try:
            restored = round_restore(data=data, reuse_existing=reuse_existing, source=path.name)
        except RestoreRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {restored} (id {restored.pk}).")
