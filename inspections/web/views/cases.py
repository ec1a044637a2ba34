"""The inspection and lead pages: what happened, what is due, and the actions a person may take.

Every form posts back to the page it is on; `act` takes the action through the catalogue (or
a page write), then redirects (success) or returns what went wrong for the page to show again.
Without JavaScript that is a plain POST and redirect; with htmx the same response replaces
`#main`, so a refusal shows in place without a reload.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from inspections.models import Inspection, InspectionState, Lead, RectificationItem
from inspections.selectors import inspection_get_for_user, lead_get_for_user
from inspections.selectors.cases import inspection_leads_for, items_with_evidence
from inspections.web.views.acting import (
    Attempt,
    Offers,
    SharedChoices,
    act_on_page,
    offers_for,
    render_page,
)
from inspections.web.views.facts import (
    INSPECTION_DATES,
    LEAD_DATES,
    date_rows,
    deadline_row,
    inspection_deadline_rows,
)
from workflows.audit import audit_trail
from workflows.deadlines import deadlines_of
from workflows.errors import NotFound
from workflows.registry import step_of

# The inspection page's timeline. --------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at: datetime.datetime
    happened_on: datetime.date | None  # the event's own date, when it differs from `at`
    actor: str
    action: str
    from_state: str
    to_state: str
    note: str


# What the audit trail records besides steps (whose labels come from their entries).
AUDIT_ACTIONS = {
    "import": _("Import from the announcement"),
    "plan": _("Plan the inspection"),
}


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
            action = str(step_of(Inspection, entry.action).label)
        except LookupError:
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


@dataclass(frozen=True)
class ItemCard:
    """A rectification item with its evidence and what the person may do to it now."""

    item: RectificationItem
    evidence: list
    offers: Offers
    may_read_evidence: bool


def item_cards(
    items: list[RectificationItem], user: Any, attempt: Attempt | None
) -> list[ItemCard]:
    """Cards for items fetched with `selectors.cases.items_with_evidence`."""
    inspection = items[0].inspection if items else None
    may_read = bool(
        inspection and user.has_perm("inspections.view_evidence_rectificationitem", inspection)
    )
    choices = SharedChoices()
    return [
        ItemCard(
            item=item,
            evidence=list(item.evidence_files.all()) if may_read else [],
            offers=offers_for(item, user, attempt, choices=choices),
            may_read_evidence=may_read,
        )
        for item in items
    ]


def _inspection_or_404(user: Any, pk: Any) -> Inspection:
    try:
        return inspection_get_for_user(user=user, pk=pk)
    except NotFound as error:
        raise Http404 from error


def inspection_finder(inspection: Inspection, user: Any):
    """The records an inspection's page may act on: itself, its items and its visible leads."""

    def find(kind: str, pk: int):
        if kind == "inspection":
            return inspection if pk == inspection.pk else None
        if kind == "item" and user.has_perm("inspections.view_rectificationitem", inspection):
            return inspection.items.filter(pk=pk).first()
        if kind == "lead":
            return next(
                (lead for lead in inspection_leads_for(inspection, user) if lead.pk == pk), None
            )
        return None

    return find


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: facts, dates, deadlines, problems, items, leads, timeline, and actions."""
    acted = act_on_page(
        request,
        lambda: _inspection_or_404(request.user, pk),
        lambda inspection: inspection_finder(inspection, request.user),
    )
    if acted.response:
        return acted.response
    inspection, attempt = acted.record, acted.attempt
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
        items_with_evidence(inspection)
        if user.has_perm("inspections.view_rectificationitem", inspection)
        else []
    )
    deadlines = inspection_deadline_rows(inspection, items, now)
    # A lead is never listed on the reduced view, whatever the rule says of it one day.
    leads = inspection_leads_for(inspection, user) if in_full else []
    context = {
        "inspection": inspection,
        "aliases": [alias.name for alias in inspection.unit.aliases.all()],
        "in_full": in_full,
        "is_liaison": user.has_perm("inspections.use_unit_portal") and not in_full,
        "dates": date_rows(inspection, INSPECTION_DATES),
        "deadlines": deadlines,
        "findings": findings,
        "items": item_cards(items, user, attempt),
        "leads": leads,
        "offers": offers_for(inspection, user, attempt),
        "timeline": _timeline(inspection) if in_full else [],
    }
    return render_page(request, "inspections/inspection_detail.html", context, attempt)


def _lead_or_404(user: Any, pk: Any) -> Lead:
    try:
        return lead_get_for_user(user=user, pk=pk)
    except NotFound as error:
        raise Http404 from error


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One lead, for those who handle it: what it says, where it went, what became of it."""
    acted = act_on_page(
        request,
        lambda: _lead_or_404(request.user, pk),
        lambda lead: lambda kind, key: lead if (kind, key) == ("lead", lead.pk) else None,
    )
    if acted.response:
        return acted.response
    lead, attempt = acted.record, acted.attempt
    now = timezone.now()
    context = {
        "lead": lead,
        "inspection": lead.inspection,
        # A receiving organ's desk sees the lead, not the inspection it came from.
        "may_open_inspection": request.user.has_perm(
            "inspections.view_inspection", lead.inspection
        ),
        "dates": date_rows(lead, LEAD_DATES),
        "deadlines": [deadline_row(deadline, "", now) for deadline in deadlines_of(lead)],
        "offers": offers_for(lead, request.user, attempt),
    }
    return render_page(request, "inspections/lead_detail.html", context, attempt)
