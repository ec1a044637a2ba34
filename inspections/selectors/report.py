"""Reads for the round report: per team and unit, the counts the leading group hears, in fixed queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from inspections.models import (
    Finding,
    FindingCategory,
    Inspection,
    InspectionState,
    ItemState,
    Lead,
    RectificationItem,
    Round,
    Route,
    Team,
    TeamMember,
    TeamRole,
)
from inspections.selectors import Coverage, round_get_for_user, term_coverage
from workflows.errors import NotFound

# A lead not yet decided has no route; the report counts it on its own line.
UNDECIDED = "undecided"
ROUTE_KEYS = (UNDECIDED, *Route.values)
# States in which an item is still the unit's to do: overdue only counts these.
WORK_IN_HAND = (ItemState.OPEN, ItemState.IN_PROGRESS)


@dataclass
class ItemCounts:
    open: int = 0  # every item not yet signed off (long-term ones included)
    closed: int = 0
    overdue: int = 0  # open or in progress, past its due date

    def add(self, other: ItemCounts) -> None:
        self.open += other.open
        self.closed += other.closed
        self.overdue += other.overdue


@dataclass
class UnitRow:
    """One inspection of the round, as the report prints it: counts only, never lead contents."""

    inspection: Inspection
    findings: dict[str, int]  # by FindingCategory value, every category listed
    items: ItemCounts
    leads: dict[str, int]  # by route, UNDECIDED first

    @property
    def findings_total(self) -> int:
        return sum(self.findings.values())

    @property
    def leads_total(self) -> int:
        return sum(self.leads.values())


@dataclass
class TeamSection:
    """A team and the units it inspects; `team` is None for inspections without a team yet."""

    team: Team | None
    leaders: list[str] = field(default_factory=list)
    deputies: list[str] = field(default_factory=list)
    members: int = 0
    units: list[UnitRow] = field(default_factory=list)

    def totals(self) -> UnitRow | None:
        if not self.units:
            return None
        return _sum_rows(self.units)


@dataclass
class RoundReport:
    round: Round
    today: datetime.date
    sections: list[TeamSection]
    states: dict[str, int]  # inspections by state, non-zero only, in the machine's order
    totals: UnitRow | None
    coverage: Coverage
    inspections: int

    @property
    def state_rows(self) -> list[tuple[str, int]]:
        return [(InspectionState(state).label, n) for state, n in self.states.items()]

    @property
    def category_labels(self) -> list[str]:
        return list(FindingCategory.labels)

    @property
    def route_labels(self) -> list[str]:
        return [pgettext_lazy("lead route", "Undecided"), *Route.labels]


def _sum_rows(rows: list[UnitRow]) -> UnitRow:
    findings: Counter = Counter()
    leads: Counter = Counter()
    items = ItemCounts()
    for row in rows:
        findings.update(row.findings)
        leads.update(row.leads)
        items.add(row.items)
    return UnitRow(
        inspection=None,  # type: ignore[arg-type]
        findings={key: findings[key] for key in FindingCategory.values},
        items=items,
        leads={key: leads[key] for key in ROUTE_KEYS},
    )


def round_report(*, user: Any, pk: Any, today: datetime.date | None = None) -> RoundReport:
    """The report of round `pk` for `user`: NotFound unless they may see it and read the report.

    A fixed number of queries (about a dozen) whatever the number of teams, units, findings,
    items or leads.
    """
    round_ = round_get_for_user(user=user, pk=pk)
    if not user.has_perm("inspections.view_round_report", round_):
        raise NotFound()
    today = today or timezone.localdate()
    inspections = list(
        Inspection.objects.filter(round=round_)
        .select_related("unit", "batch", "team")
        .order_by("team__number", "batch__number", "unit__name")
    )
    findings: dict[int, Counter] = {}
    for inspection_id, category, n in (
        Finding.objects.filter(inspection__round=round_)
        .values_list("inspection_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        findings.setdefault(inspection_id, Counter())[category] = n
    items = {
        row["inspection_id"]: ItemCounts(row["open"], row["closed"], row["overdue"])
        for row in RectificationItem.objects.filter(inspection__round=round_)
        .values("inspection_id")
        .annotate(
            open=Count("pk", filter=~Q(state=ItemState.CLOSED)),
            closed=Count("pk", filter=Q(state=ItemState.CLOSED)),
            overdue=Count("pk", filter=Q(state__in=WORK_IN_HAND, due_on__lt=today)),
        )
        .order_by()
    }
    leads: dict[int, Counter] = {}
    for inspection_id, route, n in (
        Lead.objects.filter(inspection__round=round_)
        .values_list("inspection_id", "route")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        leads.setdefault(inspection_id, Counter())[route or UNDECIDED] = n

    sections: dict[int | None, TeamSection] = {
        team.pk: TeamSection(team=team) for team in Team.objects.filter(round=round_)
    }
    for seat in TeamMember.objects.filter(team__round=round_).select_related("user"):
        section = sections[seat.team_id]
        section.members += 1
        if seat.role == TeamRole.LEADER:
            section.leaders.append(str(seat.user))
        elif seat.role == TeamRole.DEPUTY:
            section.deputies.append(str(seat.user))

    states: Counter = Counter()
    rows: list[UnitRow] = []
    for inspection in inspections:
        states[inspection.state] += 1
        found = findings.get(inspection.pk, Counter())
        routed = leads.get(inspection.pk, Counter())
        row = UnitRow(
            inspection=inspection,
            findings={key: found[key] for key in FindingCategory.values},
            items=items.get(inspection.pk, ItemCounts()),
            leads={key: routed[key] for key in ROUTE_KEYS},
        )
        rows.append(row)
        section = sections.get(inspection.team_id)
        if section is None:
            section = sections[None] = TeamSection(team=None)
        section.units.append(row)
    ordered = sorted(
        sections.values(), key=lambda s: (s.team is None, s.team.number if s.team else 0)
    )
    return RoundReport(
        round=round_,
        today=today,
        sections=ordered,
        states={s: states[s] for s in InspectionState.values if states[s]},
        totals=_sum_rows(rows) if rows else None,
        coverage=term_coverage(round_.term),
        inspections=len(rows),
    )
