"""The key dates and deadline rows the detail pages, the portal and the leads desk show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy

from inspections.deadlines import deadline_kind_label
from inspections.models import Inspection, RectificationItem
from inspections.selectors import inspection_and_item_deadlines
from workflows.deadlines import colour_at
from workflows.models import LIVE_STATUSES, Colour, Deadline, DeadlineStatus


@dataclass(frozen=True)
class DateRow:
    label: str
    date: datetime.date


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline as the pages show it: what, whose, when, and how it stands today."""

    subject: str  # "Item 3" for an item's deadline; empty for the page's own subject
    kind: str
    responsible: str
    due_on: datetime.date
    status: str
    status_label: str
    # Only a live deadline has a colour and a count of days; a met or cancelled one has neither.
    colour: str = ""
    colour_label: str = ""
    days_left: int | None = None

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


# The deadline's own words: "Open" alone is already an item state in the catalogue.
DEADLINE_STATUSES = {
    DeadlineStatus.OPEN: pgettext_lazy("deadline", "Open"),
    DeadlineStatus.MET: pgettext_lazy("deadline", "Met"),
    DeadlineStatus.MISSED: pgettext_lazy("deadline", "Overdue"),
    DeadlineStatus.CANCELLED: pgettext_lazy("deadline", "Cancelled"),
}

INSPECTION_DATES = (
    "notified_on",
    "planned_stationing_on",
    "stationed_on",
    "withdrawn_on",
    "reported_on",
    "heard_on",
    "feedback_on",
    "plan_submitted_on",
    "plan_approved_on",
    "rectification_reported_on",
    "rectification_accepted_on",
    "closed_on",
)
LEAD_DATES = ("decided_on", "handed_over_on", "reported_back_on", "closed_on")


def date_rows(obj: Any, names: tuple[str, ...]) -> list[DateRow]:
    """The dates of `obj` that are set, labelled with the model's own field names."""
    return [
        DateRow(label=capfirst(obj._meta.get_field(name).verbose_name), date=getattr(obj, name))
        for name in names
        if getattr(obj, name)
    ]


def deadline_row(deadline: Deadline, subject: str, now: datetime.datetime) -> DeadlineRow:
    """The deadline as of `now`; `subject` says whose it is when not the page's own."""
    row = {
        "subject": subject,
        "kind": deadline_kind_label(deadline.kind),
        "responsible": deadline.responsible_name,
        "due_on": deadline.due_on,
        "status": deadline.status,
        "status_label": DEADLINE_STATUSES.get(deadline.status, deadline.status),
    }
    if deadline.status in LIVE_STATUSES:
        colour = colour_at(deadline, deadline.policy, now)
        row |= {
            "colour": colour,
            "colour_label": Colour(colour).label,
            "days_left": (deadline.due_on - timezone.localdate(now)).days,
        }
    return DeadlineRow(**row)


def inspection_deadline_rows(
    inspection: Inspection, items: list[RectificationItem], now: datetime.datetime
) -> list[DeadlineRow]:
    """The inspection's deadlines and its items', in two queries."""
    return [
        deadline_row(
            deadline,
            # Only an item's deadline needs saying whose it is; the rest are the inspection's.
            gettext("Item %(number)s") % {"number": item.number} if item else "",
            now,
        )
        for deadline, item in inspection_and_item_deadlines(inspection, items)
    ]
