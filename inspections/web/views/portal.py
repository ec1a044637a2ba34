"""The unit portal: a liaison's own inspections, problem list, plan, items, evidence and reports.

Only a unit's liaison has a portal; anyone else, and a liaison asking for another unit's
inspection, gets "not found". Evidence is streamed by a view that asks the rules first.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from inspections.models import Inspection
from inspections.models.files import evidence_storage
from inspections.selectors.cases import items_with_evidence
from inspections.selectors.portal import (
    portal_inspection_get,
    portal_inspections,
    problem_list,
)
from inspections.selectors.visibility import evidence_get_for_user
from inspections.web.views.acting import act_on_page, offers_for, render_page
from inspections.web.views.cases import item_cards
from inspections.web.views.facts import (
    INSPECTION_DATES,
    date_rows,
    deadline_row,
    inspection_deadline_rows,
)
from workflows.deadlines import live_deadlines
from workflows.errors import NotFound


def _portal_user(request: HttpRequest) -> Any:
    if not request.user.has_perm("inspections.use_unit_portal"):
        raise Http404
    return request.user


@require_safe
@login_required
def unit_portal(request: HttpRequest) -> HttpResponse:
    """The liaison's inspections, each with its state, open items and live deadlines."""
    user = _portal_user(request)
    inspections = list(portal_inspections(user))
    now = timezone.now()
    deadlines = live_deadlines(Inspection, [inspection.pk for inspection in inspections])
    rows = [
        (inspection, [deadline_row(d, "", now) for d in deadlines.get(inspection.pk, [])])
        for inspection in inspections
    ]
    return render(request, "portal/home.html", {"rows": rows})


def _inspection_or_404(user: Any, pk: Any) -> Inspection:
    try:
        return portal_inspection_get(user=user, pk=pk)
    except NotFound as error:
        raise Http404 from error


def _portal_finder(inspection: Inspection):
    """The records the unit acts on from its inspection's page: the inspection and its items."""

    def find(kind: str, key: int):
        if kind == "inspection":
            return inspection if key == inspection.pk else None
        if kind == "item":
            return inspection.items.filter(pk=key).first()
        return None

    return find


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def portal_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the unit's inspections: its problems, the plan to write, the items to work."""
    user = _portal_user(request)
    acted = act_on_page(request, lambda: _inspection_or_404(user, pk), _portal_finder)
    if acted.response:
        return acted.response
    inspection, attempt = acted.record, acted.attempt
    items = items_with_evidence(inspection)
    now = timezone.now()
    context = {
        "inspection": inspection,
        "aliases": [alias.name for alias in inspection.unit.aliases.all()],
        "problems": problem_list(inspection),
        "items": item_cards(items, user, attempt),
        "offers": offers_for(inspection, user, attempt),
        "dates": date_rows(inspection, INSPECTION_DATES),
        "deadlines": inspection_deadline_rows(inspection, items, now),
    }
    return render_page(request, "portal/inspection.html", context, attempt)


@require_safe
@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One evidence file, as an attachment, to those who may see its item; else not found."""
    try:
        evidence = evidence_get_for_user(user=request.user, pk=pk)
        # The storage as settings name it now: Django fixes a field's storage at start-up.
        handle = evidence_storage().open(evidence.file.name, "rb")
    except (NotFound, FileNotFoundError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    # Evidence is confidential work material: no shared caches, no guessing the type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
