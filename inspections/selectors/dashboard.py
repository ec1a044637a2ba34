"""Reads for a round's dashboard: counts by state, batch and team, colours, overdue, coverage and
the burn-down of open items, each one aggregate query whatever the size of the round."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from inspections.models import Inspection, ItemState, Lead, RectificationItem, Round
from inspections.selectors import Coverage, round_breakdown, round_state_counts, term_coverage
from inspections.selectors.ledger import colour_case
from inspections.selectors.work import Section, overdue_rows
from workflows.models import LIVE_STATUSES, Colour, Deadline

MOST_OVERDUE = 10


@dataclass(frozen=True)
class Breakdown:
    """One batch or team of the round: its inspections counted by state."""

    key: Any
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class BurnDownPoint:
    day: datetime.date
    open: int  # items not yet signed off (销号)
    not_yet_due: int  # of the items opened by then, those whose due day has not passed


@dataclass
class Dashboard:
    round: Round
    state_counts: dict[str, int]
    by_batch: list[Breakdown]
    by_team: list[Breakdown]
    colours: dict[str, int]
    most_overdue: Section
    coverage: Coverage
    items_total: int
    items_closed: int
    burn_down: list[BurnDownPoint]

    @property
    def total(self) -> int:
        return sum(self.state_counts.values())

    @property
    def states_present(self) -> list[str]:
        """The states some inspection of the round is in, in the machine's order."""
        return [state for state, count in self.state_counts.items() if count]


def _breakdowns(round_: Round, by: str, groups) -> list[Breakdown]:
    counts = round_breakdown(round_, by)
    rows = [Breakdown(key=g.pk, label=str(g), counts=counts.get(g.pk, {})) for g in groups]
    if None in counts:
        # Inspections not yet given a batch or team still count on the dashboard.
        rows.append(Breakdown(key=None, label="", counts=counts[None]))
    return rows


def round_deadlines(round_: Round) -> QuerySet[Deadline]:
    """The deadlines of the round's inspections, their items and their leads.

    Chosen by primary key from one UNION ALL with a branch per subject type: each branch finds
    its rows through the subject index. An OR of the three (type, id IN ...) pairs instead makes
    PostgreSQL read every live deadline of every round (about 250 ms a query at 1M items).
    """

    def of(model, ids) -> QuerySet[Deadline]:
        return (
            Deadline.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=ids
            )
            .order_by()
            .values("pk")
        )

    branches = [
        of(Inspection, Inspection.objects.filter(round=round_).values("pk")),
        of(
            RectificationItem,
            RectificationItem.objects.filter(inspection__round=round_).values("pk"),
        ),
        of(Lead, Lead.objects.filter(inspection__round=round_).values("pk")),
    ]
    return Deadline.objects.filter(pk__in=branches[0].union(*branches[1:], all=True))


def colour_counts(deadlines: QuerySet[Deadline], now: datetime.datetime) -> dict[str, int]:
    """Live deadlines counted by their colour today (red, yellow, green; zeros too)."""
    rows = (
        deadlines.filter(status__in=LIVE_STATUSES)
        .annotate(today_colour=colour_case(now, due_at="due_at", policy="policy_id"))
        .values_list("today_colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    return {colour: counts.get(colour, 0) for colour in (Colour.RED, Colour.YELLOW, Colour.GREEN)}


def _opened_on(items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """The day each item's obligation began: its first deadline's start (the plan's approval or
    the immediate notice); without one, the inspection's feedback or stationing."""
    first_start = (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(RectificationItem),
            object_id=OuterRef("pk"),
        )
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    return items.annotate(
        opened_on=Coalesce(
            Subquery(first_start),
            "inspection__plan_approved_on",
            "inspection__feedback_on",
            "inspection__stationed_on",
        )
    )


def _by_day(queryset, field: str) -> dict[datetime.date | None, int]:
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def burn_down(
    items: QuerySet[RectificationItem], today: datetime.date, *, points: int = 60
) -> list[BurnDownPoint]:
    """Open items day by day from the first item's opening to today, at most `points` days,
    from three grouped counts (opened, signed off and due per day)."""
    opened = _by_day(_opened_on(items), "opened_on")
    if not opened:
        return []
    closed = _by_day(items.filter(closed_on__isnull=False), "closed_on")
    due = _by_day(items.filter(due_on__isnull=False), "due_on")
    known = [day for day in opened if day is not None]
    start = min(known) if known else today
    start = min(start, today)
    span = (today - start).days
    step = max(1, -(-span // (points - 1))) if span else 1
    days = [start + datetime.timedelta(days=n) for n in range(0, span + 1, step)]
    if days[-1] != today:
        days.append(today)
    undated = opened.get(None, 0)  # items with no date at all count as open from the start

    def upto(counts: dict, day: datetime.date) -> int:
        return sum(n for d, n in counts.items() if d is not None and d <= day)

    def before(counts: dict, day: datetime.date) -> int:
        # An item due today is not late yet: its deadline falls at the end of the day.
        return sum(n for d, n in counts.items() if d is not None and d < day)

    return [
        BurnDownPoint(
            day=day,
            open=undated + upto(opened, day) - upto(closed, day),
            not_yet_due=max(0, undated + upto(opened, day) - before(due, day)),
        )
        for day in days
    ]


def round_dashboard(round_: Round, *, now: datetime.datetime | None = None) -> Dashboard:
    """Everything the round's dashboard shows, in a fixed number of queries."""
    now = now or timezone.now()
    items = RectificationItem.objects.filter(inspection__round=round_)
    deadlines = round_deadlines(round_)
    item_counts = items.aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(state=ItemState.CLOSED))
    )
    return Dashboard(
        round=round_,
        state_counts=round_state_counts(round_),
        by_batch=_breakdowns(round_, "batch", round_.batches.all()),
        by_team=_breakdowns(round_, "team", round_.teams.all()),
        colours=colour_counts(deadlines, now),
        most_overdue=overdue_rows(deadlines, now, limit=MOST_OVERDUE),
        coverage=term_coverage(round_.term),
        items_total=item_counts["total"],
        items_closed=item_counts["closed"],
        burn_down=burn_down(items, timezone.localdate(now)),
    )
