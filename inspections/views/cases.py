"""The inspection and lead pages: what happened, what is due, and who may act."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from inspections.models import Inspection, InspectionState
from inspections.selectors import (
    inspection_and_item_deadlines,
    inspection_get_for_user,
    lead_get_for_user,
)
from workflows.audit import audit_trail
from workflows.deadlines import colour_at, deadlines_of
from workflows.errors import NotFound
from workflows.models import LIVE_STATUSES, Colour, Deadline, DeadlineStatus
from workflows.transitions import transition_label

# The two detail pages the e-mails link to (read-only; the forms come with a later issue). ------


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


@dataclass(frozen=True)
class TimelineRow:
    at: datetime.datetime
    happened_on: datetime.date | None  # the event's own date, when it differs from `at`
    actor: str
    action: str
    from_state: str
    to_state: str
    note: str


@dataclass(frozen=True)
class LeadRow:
    """A lead on the inspection page: number and state only; the summary stays on its own page."""

    pk: int
    number: int
    state: str
    state_label: str


DEADLINE_KINDS = {
    "on_site": _("On-site period"),
    "report": _("Inspection report"),
    "plan": _("Rectification plan"),
    "rectification_report": _("Rectification report"),
    "item": _("Rectification item"),
    "long_term_progress": _("Long-term progress report"),
    "report_back": _("Report back on the lead"),
}

# The deadline's own words: "Open" alone is already an item state in the catalogue.
DEADLINE_STATUSES = {
    DeadlineStatus.OPEN: pgettext_lazy("deadline", "Open"),
    DeadlineStatus.MET: pgettext_lazy("deadline", "Met"),
    DeadlineStatus.MISSED: pgettext_lazy("deadline", "Overdue"),
    DeadlineStatus.CANCELLED: pgettext_lazy("deadline", "Cancelled"),
}

# What the audit trail records besides transitions (whose labels come from the machine).
AUDIT_ACTIONS = {
    "import": _("Import from the announcement"),
    "plan": _("Plan the inspection"),
    "assign_team": _("Assign the team"),
    "record_onsite_work": _("Record the on-site work"),
    "grade": _("Grade the rectification"),
    "record_disclosure": _("Record the public disclosure"),
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


def _dates(obj: Any, names: tuple[str, ...]) -> list[DateRow]:
    """The dates of `obj` that are set, labelled with the model's own field names."""
    return [
        DateRow(label=capfirst(obj._meta.get_field(name).verbose_name), date=getattr(obj, name))
        for name in names
        if getattr(obj, name)
    ]


def _deadline_row(deadline: Deadline, subject: str, now: datetime.datetime) -> DeadlineRow:
    row = {
        "subject": subject,
        "kind": DEADLINE_KINDS.get(deadline.kind, deadline.kind.replace("_", " ")),
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


def _state_label(states: type[models.TextChoices], value: str) -> str:
    return states(value).label if value in states.values else value


def _event_date(entry) -> datetime.date | None:
    """The date the step recorded ("the meeting was yesterday"), if not the day it was entered."""
    try:
        day = datetime.date.fromisoformat(entry.data.get("on", ""))
    except (TypeError, ValueError):
        return None
    return None if day == timezone.localdate(entry.at) else day


def _timeline(inspection: Inspection) -> list[TimelineRow]:
    """The inspection's audit trail as people read it, oldest first, in one query."""
    rows = []
    for entry in audit_trail(inspection):
        try:
            action = transition_label(Inspection, entry.action)
        except ValueError:
            action = AUDIT_ACTIONS.get(entry.action, entry.action.replace("_", " "))
        moved = entry.from_state and entry.to_state and entry.from_state != entry.to_state
        rows.append(
            TimelineRow(
                at=entry.at,
                happened_on=_event_date(entry),
                actor=str(entry.actor) if entry.actor else gettext("System"),
                action=action,
                from_state=_state_label(InspectionState, entry.from_state) if moved else "",
                to_state=_state_label(InspectionState, entry.to_state) if moved else "",
                note=entry.note,
            )
        )
    return rows


@require_safe
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: facts, dates, deadlines, problems, items; timeline and leads for the work."""
    try:
        inspection = inspection_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    user = request.user
    in_full = user.has_perm("inspections.view_inspection_in_full", inspection)
    now = timezone.now()

    # The rules judge findings and items by their inspection: one question each, not one a row.
    findings = (
        list(inspection.findings.all())
        if user.has_perm("inspections.view_finding", inspection)
        else None
    )
    items = (
        list(inspection.items.all())
        if user.has_perm("inspections.view_rectificationitem", inspection)
        else []
    )
    deadlines = [
        _deadline_row(
            deadline,
            # Only an item's deadline needs saying whose it is; the rest are the inspection's.
            gettext("Item %(number)s") % {"number": item.number} if item else "",
            now,
        )
        for deadline, item in inspection_and_item_deadlines(inspection, items)
    ]
    # A lead is never listed on the reduced view, whatever the rule says of it one day.
    leads = (
        [
            LeadRow(
                pk=lead.pk,
                number=lead.number,
                state=lead.state,
                state_label=lead.get_state_display(),
            )
            for lead in inspection.leads.all()
            if user.has_perm("inspections.view_lead", lead)
        ]
        if in_full
        else []
    )
    context = {
        "inspection": inspection,
        "aliases": [alias.name for alias in inspection.unit.aliases.all()],
        "in_full": in_full,
        "dates": _dates(inspection, INSPECTION_DATES),
        "deadlines": deadlines,
        "findings": findings,
        "items": items,
        "leads": leads,
        "timeline": _timeline(inspection) if in_full else [],
    }
    return render(request, "inspections/inspection_detail.html", context)


@require_safe
@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One lead, for those who handle it: what it says, where it went, what became of it."""
    try:
        lead = lead_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    now = timezone.now()
    context = {
        "lead": lead,
        "inspection": lead.inspection,
        # A receiving organ's desk sees the lead, not the inspection it came from.
        "may_open_inspection": request.user.has_perm(
            "inspections.view_inspection", lead.inspection
        ),
        "dates": _dates(lead, LEAD_DATES),
        "deadlines": [_deadline_row(deadline, "", now) for deadline in deadlines_of(lead)],
    }
    return render(request, "inspections/lead_detail.html", context)
