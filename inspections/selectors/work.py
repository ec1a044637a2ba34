"""Reads for "My work": what the signed-in person must do next, from their roles.

Who may take a step is asked of the rules module, never decided here; every section is read
in a fixed number of queries and cut to `LIMIT` rows, with the count of the rest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from inspections.deadlines import deadline_kind_label
from inspections.models import (
    Inspection,
    InspectionState,
    ItemState,
    Lead,
    LeadState,
    RectificationItem,
    RoundState,
    TeamState,
)
from inspections.roles import Roles, roles_of
from inspections.selectors import inspections_visible_to, leads_visible_to
from inspections.selectors.ledger import (
    COLOUR_RANK,
    Standing,
    standing_of,
    with_live_deadline,
)
from workflows.deadlines import live_deadlines
from workflows.diagrams import transition_rows
from workflows.models import LIVE_STATUSES, Deadline

LIMIT = 50

# How the pages name each kind of deadline (the same msgids as the inspection page's).
FINISHED = (InspectionState.CLOSED, InspectionState.CANCELLED)


@dataclass(frozen=True)
class NextStep:
    """A forward transition of the machine from a state: its label and the permission it needs."""

    name: str
    label: str
    permission: str


def _forward_steps(model) -> dict[str, list[NextStep]]:
    """Per state, the transitions that move the work on: returning or cancelling is not a next
    step, it is a way back."""
    steps: dict[str, list[NextStep]] = {}
    for row in transition_rows(model):
        if row.name.startswith(("return", "cancel")):
            continue
        for source in row.sources:
            steps.setdefault(source, []).append(
                NextStep(name=row.name, label=row.label, permission=row.permission)
            )
    return steps


# A step the office could take on paper but not yet in fact: notices go out only once the round
# is mobilised and the team authorised (the notify transition's condition), so planned
# inspections of a draft round are not the office's work yet.
READY = {
    InspectionState.PLANNED: Q(round__state=RoundState.MOBILIZED, team__state=TeamState.AUTHORIZED)
}


@dataclass(frozen=True)
class InspectionWork:
    """An inspection in progress, the steps this person may take on it and the others'."""

    inspection: Inspection
    yours: list[str]
    others: list[str]
    standing: Standing | None
    deadline_kind: str = ""

    @property
    def deadline_label(self) -> str:
        return deadline_kind_label(self.deadline_kind) if self.deadline_kind else ""


@dataclass(frozen=True)
class ItemWork:
    item: RectificationItem
    standing: Standing | None


@dataclass(frozen=True)
class LeadWork:
    """A lead as a work list shows it: never its summary or the persons it names."""

    pk: int
    number: int
    unit: str
    state_label: str
    standing: Standing | None


@dataclass(frozen=True)
class OverdueWork:
    """An overdue obligation: what kind, on what, whose, and how long past due."""

    kind: str
    subject_kind: str  # "inspection", "item" or "lead": which page to link
    subject_pk: int
    inspection_pk: int
    unit: str
    number: int | None
    responsible: str
    standing: Standing

    @property
    def kind_label(self) -> str:
        return deadline_kind_label(self.kind)


@dataclass
class Section:
    """Rows of one kind of work, the first `LIMIT`, and how many more there are."""

    rows: list = field(default_factory=list)
    more: int = 0

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass
class MyWork:
    roles: Roles
    waiting: Section  # inspections where this person may take the next step
    following: Section  # their team's or unit's inspections where others act next
    items: Section  # a liaison's open items
    to_verify: Section  # items a team leader must verify
    leads_to_decide: Section  # the leading group's
    leads_to_report: Section  # a receiving organ's
    overdue: Section  # the office's

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.waiting,
                self.following,
                self.items,
                self.to_verify,
                self.leads_to_decide,
                self.leads_to_report,
                self.overdue,
            )
        )


def _cut(rows: list, limit: int = LIMIT) -> Section:
    return Section(rows=rows[:limit], more=max(0, len(rows) - limit))


def _urgency(standing: Standing | None) -> tuple:
    """Red, then yellow, then green, each by days left; work without a deadline last."""
    if standing is None:
        return (len(COLOUR_RANK), 0)
    return (COLOUR_RANK[standing.colour], standing.days_left)


def _inspections_at_work(user: Any, roles: Roles) -> QuerySet[Inspection]:
    """Inspections in progress where this person acts or follows (one query when listed)."""
    steps = _forward_steps(Inspection)
    # Leadership's and the office's steps do not depend on the inspection: ask once per state.
    overseen = Q(pk__in=[])
    if roles.oversees:
        for state, state_steps in steps.items():
            if any(user.has_perm(step.permission, None) for step in state_steps):
                overseen |= Q(state=state) & READY.get(state, Q())
    # A unit learns of its inspection from the written notice, not from a plan in the making.
    own = Q(team_id__in=roles.team_ids) | (
        Q(unit_id__in=roles.unit_ids) & ~Q(state=InspectionState.PLANNED)
    )
    return (
        inspections_visible_to(user)
        .filter(overseen | own)
        .exclude(state__in=FINISHED)
        .order_by("round_id", "unit__name")
    )


def _inspection_sections(user: Any, roles: Roles, now: datetime.datetime):
    steps = _forward_steps(Inspection)
    inspections = list(_inspections_at_work(user, roles))
    deadlines = live_deadlines(Inspection, [i.pk for i in inspections])
    waiting, following = [], []
    for inspection in inspections:
        state_steps = steps.get(inspection.state, [])
        yours = [s.label for s in state_steps if user.has_perm(s.permission, inspection)]
        others = [s.label for s in state_steps if s.label not in yours]
        live = deadlines.get(inspection.pk, [])
        row = InspectionWork(
            inspection=inspection,
            yours=yours,
            others=others,
            standing=standing_of(live[0], now) if live else None,
            deadline_kind=live[0].kind if live else "",
        )
        (waiting if yours else following).append(row)
    waiting.sort(key=lambda row: _urgency(row.standing))
    following.sort(key=lambda row: _urgency(row.standing))
    return _cut(waiting), _cut(following)


def _item_standing(item: RectificationItem, today: datetime.date) -> Standing | None:
    if not item.colour:
        return None
    return Standing(
        colour=item.colour,
        due_on=item.live_due_on,
        days_left=(item.live_due_on - today).days,
    )


def _items(queryset: QuerySet[RectificationItem], now: datetime.datetime) -> Section:
    items = list(
        with_live_deadline(
            queryset.select_related("inspection__unit", "inspection__round"), now
        ).order_by(F("live_due_at").asc(nulls_last=True), "inspection__unit__name", "number")[
            : LIMIT + 1
        ]
    )
    today = timezone.localdate(now)
    rows = [ItemWork(item=item, standing=_item_standing(item, today)) for item in items]
    rows.sort(key=lambda row: _urgency(row.standing))
    section = _cut(rows)
    section.more = max(0, queryset.count() - LIMIT)
    return section


def _leads(queryset: QuerySet[Lead], now: datetime.datetime) -> Section:
    leads = list(queryset.order_by("inspection__unit__name", "number")[: LIMIT + 1])
    deadlines = live_deadlines(Lead, [lead.pk for lead in leads])
    rows = [
        LeadWork(
            pk=lead.pk,
            number=lead.number,
            unit=lead.inspection.unit.name,
            state_label=lead.get_state_display(),
            standing=standing_of(deadlines[lead.pk][0], now) if lead.pk in deadlines else None,
        )
        for lead in leads
    ]
    rows.sort(key=lambda row: _urgency(row.standing))
    section = _cut(rows)
    section.more = max(0, queryset.count() - LIMIT)
    return section


def overdue_rows(
    deadlines: QuerySet[Deadline], now: datetime.datetime, *, limit: int = LIMIT
) -> Section:
    """The overdue ones of these deadlines, most overdue first, with what each is on; the
    subjects are read in one query per kind, whatever the number of rows."""
    overdue = deadlines.filter(status__in=LIVE_STATUSES, due_at__lte=now)
    rows_read = list(overdue.select_related("policy").order_by("due_at", "pk")[:limit])
    by_type: dict[int, list[int]] = {}
    for deadline in rows_read:
        by_type.setdefault(deadline.content_type_id, []).append(deadline.object_id)
    kinds = {
        ContentType.objects.get_for_model(Inspection).pk: (
            "inspection",
            Inspection.objects.select_related("unit"),
        ),
        ContentType.objects.get_for_model(RectificationItem).pk: (
            "item",
            RectificationItem.objects.select_related("inspection__unit"),
        ),
        ContentType.objects.get_for_model(Lead).pk: (
            "lead",
            Lead.objects.select_related("inspection__unit"),
        ),
    }
    subjects = {}
    for type_id, ids in by_type.items():
        if type_id in kinds:
            name, queryset = kinds[type_id]
            for pk, obj in queryset.in_bulk(ids).items():
                subjects[(type_id, pk)] = (name, obj)
    rows = []
    for deadline in rows_read:
        found = subjects.get((deadline.content_type_id, deadline.object_id))
        if found is None:
            continue  # a subject of another app: not the inspection work's list
        name, obj = found
        inspection = obj if name == "inspection" else obj.inspection
        rows.append(
            OverdueWork(
                kind=deadline.kind,
                subject_kind=name,
                subject_pk=obj.pk,
                inspection_pk=inspection.pk,
                unit=inspection.unit.name,
                number=None if name == "inspection" else obj.number,
                responsible=deadline.responsible_name,
                standing=standing_of(deadline, now),
            )
        )
    # Counted every time, so the number of queries does not depend on how much is overdue.
    return Section(rows=rows, more=max(0, overdue.count() - len(rows_read)))


def my_work(user: Any, *, now: datetime.datetime | None = None) -> MyWork:
    """Everything the person must do next or follow, section by section, from their roles."""
    now = now or timezone.now()
    roles = roles_of(user)
    waiting, following = _inspection_sections(user, roles, now)
    empty = Section()
    # Verified and signed-off items need nothing more from the unit.
    open_item_states = [
        ItemState.OPEN,
        ItemState.IN_PROGRESS,
        ItemState.LONG_TERM,
        ItemState.SUBMITTED,
    ]
    return MyWork(
        roles=roles,
        waiting=waiting,
        following=following,
        items=_items(
            RectificationItem.objects.filter(
                inspection__unit_id__in=roles.unit_ids, state__in=open_item_states
            ),
            now,
        )
        if roles.unit_ids
        else empty,
        to_verify=_items(
            RectificationItem.objects.filter(
                inspection__team_id__in=roles.led_team_ids, state=ItemState.SUBMITTED
            ),
            now,
        )
        if roles.led_team_ids
        else empty,
        leads_to_decide=_leads(leads_visible_to(user).filter(state=LeadState.REGISTERED), now)
        if roles.leading_group
        else empty,
        leads_to_report=_leads(
            leads_visible_to(user).filter(
                receiving_organ_id__in=roles.organ_ids, state=LeadState.HANDED_OVER
            ),
            now,
        )
        if roles.organ_ids
        else empty,
        overdue=overdue_rows(Deadline.objects.all(), now) if roles.office else empty,
    )
