"""The help page: the five state machines, read from the code at request time.

Each machine is shown as one card per state listing the transitions that leave it, with their
labels, where they lead and who may take them (from the rules module). We chose this over a
drawn diagram: a graph needs a layout engine (graphviz or a JS library) to stay legible with
13 states and return edges, while a per-state list reads in any browser, at 375 px, with a
screen reader and in both languages. The Mermaid text of docs/state-machines.md follows each
machine for those who paste it into a Mermaid viewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import rules.permissions
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from inspections.models import Inspection, Lead, RectificationItem, Round, Team
from workflows.diagrams import (
    initial_state,
    mermaid_state_diagram,
    state_labels,
    states_of,
    terminal_states,
    transition_rows,
)

MACHINES = (
    (Round, _("Round"), _("A round of inspections within a term, from draft to archive.")),
    (Team, _("Team"), _("A team's assignment to a round: authorised once per round.")),
    (
        Inspection,
        _("Inspection"),
        _("One team inspecting one unit: from the written notice to sign-off."),
    ),
    (Lead, _("Lead"), _("A confidential lead: decided, handed over, reported back.")),
    (
        RectificationItem,
        _("Rectification item"),
        _("One task of a rectification plan, signed off on its own."),
    ),
)

# The rules module's predicates, in the words the product uses for the people they name.
WHO = {
    "is_leading_group": _("Leading group"),
    "is_office": _("Inspection office"),
    "is_team_leader": _("Team leader or deputy"),
    "is_team_member": _("Team members"),
    "is_unit_liaison": _("Unit liaison"),
    "is_desk_of_the_receiving_organ": _("Receiving organ's desk"),
    "feedback_is_given": _("once feedback is given"),
}


def who_may(permission: str) -> list[str]:
    """The people a permission's predicate names, e.g. ["Team leader or deputy", "Office"]."""
    predicate = rules.permissions.permissions.get(permission)
    if predicate is None:
        return [gettext("Anyone signed in")] if not permission else [permission]
    people = []
    for alternative in predicate.name.replace("(", "").replace(")", "").split("|"):
        words = [
            str(WHO.get(name, name.replace("_", " "))) for name in re.findall(r"\w+", alternative)
        ]
        people.append(gettext(", ").join(words))
    return people


@dataclass(frozen=True)
class Exit:
    label: str
    target: str
    target_label: str
    who: list[str]


@dataclass(frozen=True)
class StateCard:
    state: str
    label: str
    initial: bool
    final: bool
    exits: list[Exit]


@dataclass(frozen=True)
class Machine:
    slug: str
    name: str
    description: str
    states: list[StateCard]
    mermaid: str


def machine(model, name, description) -> Machine:
    labels = state_labels(model)
    rows = transition_rows(model)
    terminal = set(terminal_states(model))
    cards = [
        StateCard(
            state=state,
            label=labels.get(state, state),
            initial=state == initial_state(model),
            final=state in terminal,
            exits=[
                Exit(
                    label=row.label,
                    target=row.target,
                    target_label=labels.get(row.target, row.target),
                    who=who_may(row.permission),
                )
                for row in rows
                if state in row.sources
            ],
        )
        for state in states_of(model)
    ]
    return Machine(
        slug=model._meta.model_name,
        name=str(name),
        description=str(description),
        states=cards,
        mermaid=mermaid_state_diagram(model),
    )


@require_safe
@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    machines = [machine(*spec) for spec in MACHINES]
    return render(request, "overview/help.html", {"machines": machines})
