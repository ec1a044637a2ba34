"""`sweep_deadlines [--now ISO-8601] [--format text|json]`: run the beat's sweep once, by hand."""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.calendar import SHANGHAI
from workflows.sweep import sweep

EXAMPLE = "2026-11-30T09:00:00+08:00"


def parse_instant(value: str, *, option: str = "--now") -> datetime.datetime:
    """An instant from ISO-8601 text with its UTC offset; anything else is a CommandError.

    A value without an offset is refused rather than read in the server's time zone: the
    same text would name another instant on another machine, and so another sweep.
    """
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise CommandError(
            _(
                "%(option)s must be an ISO-8601 date and time with a UTC offset, "
                "such as %(example)s; “%(value)s” is not one."
            )
            % {"option": option, "example": EXAMPLE, "value": value}
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CommandError(
            _(
                "%(option)s needs a UTC offset (“%(value)s” has none), "
                "such as %(example)s or a trailing Z for UTC."
            )
            % {"option": option, "example": EXAMPLE, "value": value}
        )
    return moment


class Command(BaseCommand):
    help = (
        "Run one sweep of the deadlines (reminders, colours, overdue notices) for an instant, "
        "by default now, and print what it did."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help=f"The instant to sweep for: ISO-8601 with a UTC offset, such as {EXAMPLE}.",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, now: str | None, format: str, **options):
        # The instant is checked before anything is read or written.
        moment = parse_instant(now) if now is not None else timezone.now()
        report = sweep(now=moment)
        if format == "json":
            self.stdout.write(json.dumps({"now": moment.isoformat(), **report.as_dict()}))
            return
        self.stdout.write(
            _(
                "Swept at %(now)s (Beijing time %(local)s): %(deadlines)d deadlines acted on, "
                "%(messages)d e-mails written, in %(chunks)d chunks."
            )
            % {
                "now": moment.isoformat(),
                "local": moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                **report.as_dict(),
            }
        )
