"""Overview pages: the rounds a person may see, each counted by state."""

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

    @property
    def total(self) -> int:
        return sum(count.count for count in self.counts)


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The rounds the user may see, each with its inspections counted by state."""
    rows = [
        RoundRow(
            round=round_,
            counts=[
                StateCount(state=state, label=InspectionState(state).label, count=count)
                for state, count in counts.items()
            ],
        )
        for round_, counts in rounds_with_state_counts(rounds_visible_to(request.user))
    ]
    return render(request, "inspections/round_list.html", {"rows": rows})
