"""`deadlines [--format text|json] [--colour red|yellow|green] [--now ISO-8601]`: the live deadlines,
most urgent first, coloured as of the instant (so the list is right between two sweeps)."""

from __future__ import annotations

import datetime
import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.calendar import local_date
from workflows.deadlines import DAY, colour_at
from workflows.management.commands.sweep_deadlines import parse_instant
from workflows.models import LIVE_STATUSES, Colour, Deadline, DeadlinePolicy


def colour_filter(colour: str, now: datetime.datetime) -> Q:
    """The rows whose colour at `now` is `colour`, as colour_at decides it, in SQL."""
    if colour == Colour.RED:
        return Q(due_at__lte=now)
    condition = Q(pk__in=[])
    for policy in DeadlinePolicy.objects.all():
        # Yellow from the start of the day `yellow_days` before the due day (days_before).
        yellow_from = now + (policy.yellow_days + 1) * DAY
        if colour == Colour.YELLOW:
            window = Q(due_at__gt=now, due_at__lte=yellow_from)
        else:
            window = Q(due_at__gt=yellow_from)
        condition |= Q(policy=policy) & window
    return condition


def subjects_of(deadlines: Iterable[Deadline]) -> dict[tuple[int, int], models.Model]:
    """Each deadline's subject, one query per kind of subject (with what its name needs)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for deadline in deadlines:
        wanted[deadline.content_type_id].add(deadline.object_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # a model removed since: its rows are listed by number
            continue
        # select_related() follows every required foreign key: an inspection is named after
        # its round and unit, which would otherwise cost two queries a line.
        for pk, subject in model._default_manager.select_related().in_bulk(ids).items():
            found[(type_id, pk)] = subject
    return found


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "List the open and overdue deadlines, most urgent first, with their colour as of now "
        "(or --now) and the days left (negative: days overdue)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--colour", choices=Colour.values, help="Only deadlines of this colour."
        )
        parser.add_argument(
            "--now", help="The instant to colour them for: ISO-8601 with a UTC offset."
        )

    def handle(self, *args, format: str, colour: str | None, now: str | None, **options):
        moment = parse_instant(now) if now is not None else timezone.now()
        rows = self.entries(moment, colour)
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.write_table(rows, colour)

    def entries(self, now: datetime.datetime, colour: str | None) -> list[dict]:
        queryset = Deadline.objects.filter(status__in=LIVE_STATUSES)
        if colour:
            queryset = queryset.filter(colour_filter(colour, now))
        deadlines = list(queryset.select_related("policy", "content_type").order_by("due_at", "pk"))
        subjects = subjects_of(deadlines)
        today = local_date(now)
        entries = []
        for deadline in deadlines:
            subject = subjects.get((deadline.content_type_id, deadline.object_id))
            entries.append(
                {
                    "id": deadline.pk,
                    "kind": deadline.kind,
                    "subject": str(subject)
                    if subject is not None
                    else f"{deadline.content_type.model} #{deadline.object_id}",
                    "subject_type": f"{deadline.content_type.app_label}.{deadline.content_type.model}",
                    "subject_id": deadline.object_id,
                    "responsible": deadline.responsible,
                    "responsible_name": deadline.responsible_name,
                    "due_on": deadline.due_on.isoformat(),
                    "status": deadline.status,
                    "colour": colour_at(deadline, deadline.policy, now),
                    "days_left": (deadline.due_on - today).days,
                }
            )
        return entries

    def write_table(self, rows: list[dict], colour: str | None) -> None:
        if not rows:
            self.stdout.write(
                _("No live deadlines of that colour.") if colour else _("No live deadlines.")
            )
            return
        header = [
            _("colour"),
            _("days left"),
            _("due on"),
            _("status"),
            _("kind"),
            _("responsible"),
            _("subject"),
        ]
        lines = [
            [
                row["colour"],
                str(row["days_left"]),
                row["due_on"],
                row["status"],
                row["kind"],
                row["responsible_name"] or row["responsible"],
                row["subject"],
            ]
            for row in rows
        ]
        widths = [max(_width(line[i]) for line in [header, *lines]) for i in range(len(header))]
        for line in [header, *lines]:
            self.stdout.write(
                "  ".join(
                    _pad(cell, width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
