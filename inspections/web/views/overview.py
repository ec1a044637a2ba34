"""The round list: the rounds a person may see, each counted by state."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inspections.models import InspectionState, Round
from inspections.selectors import rounds_visible_to, rounds_with_state_counts


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class RoundRow:
    """A round as the list shows it: its inspections counted by state, non-zero ones only."""

    round: Round
    counts: list[StateCount]
    may_open_dashboard: bool = False

    @property
    def total(self) -> int:
        return sum(count.count for count in self.counts)


@require_safe
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """The rounds the user may see, each with its inspections counted by state."""
    # Everyone signed in may ask: a person with no round is told so, as plainly as a 403 would.
    user = request.user
    rows = [
        RoundRow(
            round=round_,
            counts=[
                StateCount(state=state, label=InspectionState(state).label, count=count)
                for state, count in counts.items()
            ],
            may_open_dashboard=user.has_perm("inspections.view_round_dashboard", round_),
        )
        for round_, counts in rounds_with_state_counts(rounds_visible_to(user))
    ]
    return render(request, "inspections/round_list.html", {"rows": rows})
