"""Reads for the rectification ledger (整改台账): the items a person may see, filtered and sorted.

An item's colour is its live deadline's, the same answer `workflows.deadlines.colour_at` gives,
but computed in SQL so the ledger can filter, sort and paginate on it in a constant number of
queries whatever the number of items.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from inspections.models import ItemState, RectificationItem, Round, Team, Unit
from inspections.selectors import inspections_visible_to, items_visible_to
from workflows.deadlines import colour_at, live_deadlines_of_each
from workflows.models import Colour, Deadline, DeadlinePolicy

DAY = datetime.timedelta(days=1)

# Most urgent first when sorting by colour; items without a live deadline come last.
COLOUR_RANK = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2, "": 3}


@dataclass(frozen=True)
class Standing:
    """How a live deadline stands today: its colour and the days left (negative: overdue)."""

    colour: str
    due_on: datetime.date
    days_left: int

    @property
    def colour_label(self) -> str:
        return Colour(self.colour).label

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def standing_of(deadline: Deadline, now: datetime.datetime) -> Standing:
    """The standing of a live deadline (its policy must be loaded with it)."""
    return Standing(
        colour=colour_at(deadline, deadline.policy, now),
        due_on=deadline.due_on,
        days_left=(deadline.due_on - timezone.localdate(now)).days,
    )


def colour_case(
    now: datetime.datetime,
    *,
    due_at: str = "live_due_at",
    policy: str = "live_policy",
    policies: list[tuple[int, int]] | None = None,
) -> Case:
    """SQL for `colour_at`: red from due, yellow from the policy's yellow days before, else green.

    `policies` is (id, yellow_days) of every policy; read here when not given (one query).
    """
    if policies is None:
        policies = list(DeadlinePolicy.objects.values_list("pk", "yellow_days"))
    whens = [
        When(**{f"{due_at}__isnull": True}, then=Value("")),
        When(**{f"{due_at}__lte": now}, then=Value(Colour.RED.value)),
    ]
    # One condition per distinct number of yellow days, not per policy: most policies share 10,
    # and each condition repeats the item's deadline subqueries in SQL.
    by_days: dict[int, list[int]] = {}
    for policy_id, yellow_days in policies:
        by_days.setdefault(yellow_days, []).append(policy_id)
    yellow = Q()
    for yellow_days, policy_ids in sorted(by_days.items()):
        # Yellow from the start of the day `yellow_days` before the due day, as colour_at.
        yellow |= Q(
            **{f"{policy}__in": policy_ids, f"{due_at}__lte": now + (yellow_days + 1) * DAY}
        )
    if yellow:
        whens.append(When(yellow, then=Value(Colour.YELLOW.value)))
    return Case(*whens, default=Value(Colour.GREEN.value), output_field=models.CharField())


def with_live_deadline(items: QuerySet[RectificationItem], now: datetime.datetime) -> QuerySet:
    """Annotate each item with its earliest live deadline (due date, policy), its colour and the
    date it is due by (the deadline's, which an extension may have moved, else the plan's)."""
    live = live_deadlines_of_each(RectificationItem)
    return items.annotate(
        live_due_at=Subquery(live.values("due_at")[:1]),
        live_due_on=Subquery(live.values("due_on")[:1]),
        live_policy=Subquery(live.values("policy_id")[:1]),
    ).annotate(
        colour=colour_case(now),
        effective_due_on=Coalesce(F("live_due_on"), F("due_on")),
    )


def _rank(field: str, values: list[str]) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(index)) for index, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


# Sort keys the page offers; each ends with stable tie-breakers so pages never overlap.
SORTS: dict[str, list[Any]] = {
    "unit": ["inspection__unit__name", "inspection_id", "number"],
    "-unit": ["-inspection__unit__name", "inspection_id", "number"],
    "due": [F("effective_due_on").asc(nulls_last=True), "inspection__unit__name", "number"],
    "-due": [F("effective_due_on").desc(nulls_last=True), "inspection__unit__name", "number"],
    "colour": ["colour_rank", F("effective_due_on").asc(nulls_last=True), "pk"],
    "state": ["state_rank", "inspection__unit__name", "number"],
    "responsible": ["responsible_person", "inspection__unit__name", "number"],
}
DEFAULT_SORT = "unit"


@dataclass(frozen=True)
class LedgerFilters:
    """What the person asked the ledger for (already validated by the face)."""

    round: Round | None = None
    unit: Unit | None = None
    team: Team | None = None
    state: str = ""
    colour: str = ""
    due_after: datetime.date | None = None
    due_before: datetime.date | None = None
    sort: str = DEFAULT_SORT


def ledger_items(
    user: Any, filters: LedgerFilters, *, now: datetime.datetime | None = None
) -> QuerySet[RectificationItem]:
    """The items of the ledger: only those `user` may see, filtered and sorted; never leads."""
    now = now or timezone.now()
    items = with_live_deadline(
        items_visible_to(user).select_related("inspection__round__term", "inspection__team"),
        now,
    )
    if filters.round is not None:
        items = items.filter(inspection__round=filters.round)
    if filters.unit is not None:
        items = items.filter(inspection__unit=filters.unit)
    if filters.team is not None:
        items = items.filter(inspection__team=filters.team)
    if filters.state:
        items = items.filter(state=filters.state)
    if filters.colour == "none":
        items = items.filter(live_due_at__isnull=True)
    elif filters.colour:
        items = items.filter(colour=filters.colour)
    if filters.due_after is not None:
        items = items.filter(effective_due_on__gte=filters.due_after)
    if filters.due_before is not None:
        items = items.filter(effective_due_on__lte=filters.due_before)
    items = items.annotate(
        colour_rank=_rank("colour", list(COLOUR_RANK)),
        state_rank=_rank("state", list(ItemState.values)),
    )
    return items.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


# The choices of the ledger's filters: only what the person may see ------------------------------


def ledger_rounds(user: Any) -> QuerySet[Round]:
    """Rounds with an inspection the user may see (a liaison: the rounds that inspected it)."""
    return Round.objects.filter(
        pk__in=inspections_visible_to(user).values("round_id")
    ).select_related("term")


def _visible_inspections(user: Any, round_id: int | None) -> QuerySet:
    inspections = inspections_visible_to(user)
    return inspections if round_id is None else inspections.filter(round_id=round_id)


def ledger_units(user: Any, *, round_id: int | None = None) -> QuerySet[Unit]:
    """Units with an inspection the user may see; with `round_id`, of that round only."""
    return Unit.objects.filter(pk__in=_visible_inspections(user, round_id).values("unit_id"))


def ledger_teams(user: Any, *, round_id: int | None = None) -> QuerySet[Team]:
    """Teams of inspections the user may see; with `round_id`, of that round only."""
    return (
        Team.objects.filter(pk__in=_visible_inspections(user, round_id).values("team_id"))
        .select_related("round__term")
        .order_by("-round__term__number", "-round__number", "number")
    )
