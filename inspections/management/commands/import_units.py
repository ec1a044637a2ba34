"""`import_units PATH`: units, liaisons and people from an .xlsx or .csv file, all or nothing."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from inspections.exchange.problems import ImportRejected
from inspections.models import User
from inspections.services.imports import units_import


class Command(BaseCommand):
    help = (
        "Import units (name, aliases, party organisation, category, liaison) and people "
        "(with their affiliations) from an .xlsx or .csv file; see docs/imports.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="an .xlsx or .csv file")
        parser.add_argument(
            "--actor", help="username of the office member the audit trail names (default: none)"
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages (default: %(default)s)",
        )

    def handle(self, *args, path, actor=None, language, **options):
        translation.activate(language)
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if actor:
            user = User.objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user is called {actor}.")
        started = time.perf_counter()
        try:
            counts = units_import(data=file.read_bytes(), filename=file.name, actor=user)
        except ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{error.message} ({len(error.problems)})", returncode=1) from error
        elapsed = time.perf_counter() - started
        for name, value in vars(counts).items():
            self.stdout.write(f"{name}: {value}")
        self.stdout.write(f"seconds: {elapsed:.2f}")
