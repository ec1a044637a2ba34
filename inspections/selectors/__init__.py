"""Reads: the counts the pages show, and what a person may see (from `visibility`, re-exported
here for the many readers); one module per area beside this one."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from inspections.models import (
    Grade,
    Inspection,
    InspectionState,
    ItemState,
    RectificationItem,
    Round,
    Term,
    Unit,
)
from inspections.selectors.visibility import (
    audit_entries_visible_to,
    batches_visible_to,
    deadlines_visible_to,
    evidence_get_for_user,
    evidence_visible_to,
    findings_visible_to,
    get_or_not_found,
    inspection_get_for_user,
    inspections_in_full_visible_to,
    inspections_visible_to,
    item_get_for_user,
    items_visible_to,
    lead_get_for_user,
    leads_visible_to,
    round_get_for_user,
    rounds_visible_to,
    teams_visible_to,
    units_visible_to,
)
from workflows.deadlines import deadlines_of
from workflows.models import Deadline

# What leadership asks first -----------------------------------------------------------


def round_state_counts(round_: Round) -> dict[str, int]:
    """How many of the round's inspections are in each state (every state listed, zeros too)."""
    counts = dict(round_.inspections.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in InspectionState.values}


def rounds_with_state_counts(rounds: QuerySet[Round]) -> list[tuple[Round, dict[str, int]]]:
    """Each round with its inspections counted by state, in two queries whatever the size."""
    rounds = list(rounds)
    counts: dict[int, Counter] = {r.pk: Counter() for r in rounds}
    rows = (
        Inspection.objects.filter(round__in=rounds)
        .values_list("round_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for round_id, state, n in rows:
        counts[round_id][state] = n
    return [
        (r, {s: counts[r.pk][s] for s in InspectionState.values if counts[r.pk][s]}) for r in rounds
    ]


def round_breakdown(round_: Round, by: str) -> dict[Any, dict[str, int]]:
    """Inspections of a round counted by state within each batch or each team (`by`)."""
    if by not in ("batch", "team"):
        raise ValueError(by)
    rows = round_.inspections.values_list(f"{by}_id", "state").annotate(n=Count("pk")).order_by()
    breakdown: dict[Any, dict[str, int]] = {}
    for key, state, n in rows:
        breakdown.setdefault(key, {})[state] = n
    return breakdown


@dataclass(frozen=True)
class Coverage:
    """Units inspected at least once in a term (全覆盖), out of all units."""

    inspected: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.inspected / self.total, 1) if self.total else 0.0


def term_coverage(term: Term) -> Coverage:
    """Cancelled inspections do not count as coverage."""
    inspected = (
        Inspection.objects.filter(round__term=term)
        .exclude(state=InspectionState.CANCELLED)
        .values("unit")
        .distinct()
        .count()
    )
    return Coverage(inspected=inspected, total=Unit.objects.count())


# How long past due an item must be before its unit is a candidate for a look-back.
LONG_OVERDUE_DAYS = 90


@dataclass(frozen=True)
class LookBackCandidate:
    """A unit the leading group may send a look-back (回头看) to, and why."""

    unit: Unit
    inspection: Inspection
    grade: str
    long_overdue_items: int


def look_back_candidates(
    term: Term, *, today: datetime.date | None = None
) -> list[LookBackCandidate]:
    """Units of a term graded 一般 or 差, or with items long overdue."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=LONG_OVERDUE_DAYS)
    overdue = Count(
        "items",
        filter=Q(items__due_on__lt=cutoff)
        & ~Q(items__state__in=[ItemState.CLOSED, ItemState.LONG_TERM]),
    )
    inspections = (
        Inspection.objects.filter(round__term=term)
        .exclude(state=InspectionState.CANCELLED)
        .annotate(long_overdue=overdue)
        .filter(Q(grade__in=[Grade.AVERAGE, Grade.POOR]) | Q(long_overdue__gt=0))
        .select_related("unit")
        .order_by("unit__name")
    )
    return [
        LookBackCandidate(
            unit=inspection.unit,
            inspection=inspection,
            grade=inspection.grade,
            long_overdue_items=inspection.long_overdue,
        )
        for inspection in inspections
    ]


def inspection_and_item_deadlines(
    inspection: Inspection, items: list[RectificationItem]
) -> list[tuple[Deadline, RectificationItem | None]]:
    """The inspection's deadlines and its items', in two queries however many items there are."""
    own = [(deadline, None) for deadline in deadlines_of(inspection)]
    by_pk = {item.pk: item for item in items}
    theirs = [
        (deadline, by_pk[deadline.object_id])
        for deadline in Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(RectificationItem),
            object_id__in=list(by_pk),
        ).select_related("policy")
    ]
    return sorted(own + theirs, key=lambda pair: (pair[0].due_at, pair[0].pk))


__all__ = [
    "audit_entries_visible_to",
    "batches_visible_to",
    "deadlines_visible_to",
    "evidence_get_for_user",
    "evidence_visible_to",
    "findings_visible_to",
    "get_or_not_found",
    "inspection_get_for_user",
    "inspections_in_full_visible_to",
    "inspections_visible_to",
    "item_get_for_user",
    "items_visible_to",
    "lead_get_for_user",
    "leads_visible_to",
    "round_get_for_user",
    "rounds_visible_to",
    "teams_visible_to",
    "units_visible_to",
]
