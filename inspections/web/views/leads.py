"""The leads desk: the leads a person handles, with what they may do to each now.

Who gets a desk follows the rules (`inspections.use_leads_desk`): the leading group and the
office (every lead), the leaders of a team (their team's leads) and a receiving organ's desk
(only the leads handed to its organ). Anyone else gets "not found", as for any page they
may not see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from inspections.models import Lead, LeadState
from inspections.selectors.leads import leads_desk as desk_leads
from inspections.selectors.leads import live_deadlines_by_lead
from inspections.web.views.acting import Offers, SharedChoices, act, offers_for, render_page
from inspections.web.views.facts import DeadlineRow, deadline_row

PAGE_SIZE = 50


class DeskFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Every state")), *LeadState.choices],
    )


@dataclass(frozen=True)
class DeskRow:
    lead: Lead
    deadline: DeadlineRow | None
    offers: Offers


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def leads_desk(request: HttpRequest) -> HttpResponse:
    """The leads the person may see, filtered by state, each with its deadline and actions."""
    user = request.user
    if not user.has_perm("inspections.use_leads_desk"):
        raise Http404
    chosen = DeskFilter(request.GET)
    state = chosen.cleaned_data["state"] if chosen.is_valid() else ""
    attempt = None
    if request.method == "POST":
        outcome = act(
            request,
            lambda kind, pk: desk_leads(user).filter(pk=pk).first() if kind == "lead" else None,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        attempt = outcome
    page = Paginator(desk_leads(user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    leads = list(page.object_list)
    deadlines = live_deadlines_by_lead(leads)
    now = timezone.now()
    choices = SharedChoices()
    rows = [
        DeskRow(
            lead=lead,
            deadline=deadline_row(deadlines[lead.pk], "", now) if lead.pk in deadlines else None,
            offers=offers_for(lead, user, attempt, choices=choices),
        )
        for lead in leads
    ]
    context = {"rows": rows, "page": page, "filter": chosen, "state": state}
    return render_page(request, "leads/desk.html", context, attempt)
