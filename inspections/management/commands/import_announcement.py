"""`import_announcement PATH`: create a round's term, batch, units and inspections from its announcement."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.announcement import parse_announcement
from inspections.services.announcements import announcement_import
from workflows.errors import ApplicationError


def read_text(path: Path) -> str:
    """Announcements are saved as UTF-8 or, from older Windows tools, GB18030."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{path}: neither UTF-8 nor GB18030 text")


class Command(BaseCommand):
    help = (
        "Read a published round announcement (plain text, alone or inside a whole newspaper "
        "page) and create its term, round, batch, units and planned inspections."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be imported; write nothing."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path: Path, dry_run: bool, format: str, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            announcement = parse_announcement(read_text(path))
            if dry_run:
                self._print(announcement.as_dict(), format, self._describe(announcement))
                return
            report = announcement_import(announcement=announcement)
        except ApplicationError as error:
            raise CommandError(f"[{error.code}] {error}") from error
        self._print(
            report.as_dict(),
            format,
            f"{report.round}: {len(report.created_inspections)} inspections created, "
            f"{len(report.existing_inspections)} already there, "
            f"{len(report.created_units)} new units.",
        )

    def _print(self, data: dict, format: str, text: str) -> None:
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(text)

    @staticmethod
    def _describe(announcement) -> str:
        lines = [announcement.title]
        for inspection in announcement.inspections:
            aliases = f"（{'、'.join(inspection.aliases)}）" if inspection.aliases else ""
            lines.append(f"  {inspection.kind:<10} {inspection.unit}{aliases}")
        return "\n".join(lines)
