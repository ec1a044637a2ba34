"""A round's dashboard for the leading group and the office: counts, colours, charts, coverage,
and the round's and its teams' next steps (approve, mobilise, authorise, conclude …)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from inspections.charts import line_chart, stacked_bars
from inspections.models import InspectionState, Round
from inspections.selectors import round_get_for_user
from inspections.selectors.dashboard import Breakdown, round_dashboard
from inspections.web.views.acting import SharedChoices, act_on_page, offers_for, render_page
from workflows.errors import NotFound


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: list[tuple[str, int]]  # (state label, count): the label names the cell at 375 px
    total: int


def _table(
    rows: list[Breakdown], states: list[str], labels: dict[str, str], none_label: str
) -> list[TableRow]:
    """A breakdown as the table under the chart shows it: one cell per state present."""
    return [
        TableRow(
            label=row.label or none_label,
            cells=[(labels[state], row.counts.get(state, 0)) for state in states],
            total=row.total,
        )
        for row in rows
    ]


def _round_or_404(user, pk) -> Round:
    """Not found for whoever may not see the round; not allowed for a team that may see it."""
    try:
        round_ = round_get_for_user(user=user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    if not user.has_perm("inspections.view_round_dashboard", round_):
        raise PermissionDenied
    return round_


def _finder(round_: Round):
    """The records this page acts on: the round itself and its teams, looked up fresh."""

    def find(kind: str, pk: int):
        if kind == "round" and pk == round_.pk:
            return Round.objects.filter(pk=pk).first()
        if kind == "team":
            return round_.teams.filter(pk=pk).first()
        return None

    return find


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard; a POST takes one of the round's or its teams' steps through the services."""
    acted = act_on_page(request, lambda: _round_or_404(request.user, pk), _finder)
    if acted.response:
        return acted.response
    round_, attempt = acted.record, acted.attempt
    choices = SharedChoices()
    team_offers = [
        (team, offers)
        for team in round_.teams.all()
        if (offers := offers_for(team, request.user, attempt, choices=choices))
    ]
    dashboard = round_dashboard(round_)
    labels = {state: str(label) for state, label in InspectionState.choices}
    states = dashboard.states_present
    team_chart = stacked_bars(
        [(row.label or gettext("No team yet"), row.counts) for row in dashboard.by_team],
        states,
        labels,
    )
    points = dashboard.burn_down
    burn_chart = (
        line_chart(
            [point.day for point in points],
            [
                (gettext("Open items"), "line--open", [p.open for p in points]),
                (gettext("Items not yet due"), "line--due", [p.not_yet_due for p in points]),
            ],
        )
        if points
        else None
    )
    context = {
        "round": round_,
        "dashboard": dashboard,
        "states": [(state, labels[state]) for state in states],
        "state_counts": [(s, labels[s], dashboard.state_counts[s]) for s in states],
        "team_table": _table(dashboard.by_team, states, labels, gettext("No team yet")),
        "batch_table": _table(dashboard.by_batch, states, labels, gettext("No batch yet")),
        "team_chart": team_chart,
        "burn_chart": burn_chart,
        "offers": offers_for(round_, request.user, attempt, choices=choices),
        "team_offers": team_offers,
    }
    return render_page(request, "overview/round_dashboard.html", context, attempt)
