"""Which obligations each step of the work opens, meets, reopens or cancels: one table.

The engine (workflows) knows deadlines in general; this module tells it which ones the
inspection work has. A rule fires after the transition or write named `action` on `model`,
in the same transaction (DESIGN.md §4).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from inspections.models import (
    Inspection,
    InspectionKind,
    ItemState,
    Lead,
    RectificationItem,
)
from workflows.calendar import WorkingCalendar
from workflows.deadlines import deadline_close, deadline_open, deadline_reopen
from workflows.models import Deadline, DeadlineStatus

# Policy keys, created by inspections/migrations/0003_default_policies.py.
ON_SITE_REGULAR = "on_site_regular"
ON_SITE_SHORT = "on_site_short"
REPORT = "report"
PLAN = "plan"
RECTIFICATION_REPORT = "rectification_report"
ITEM = "item"
IMMEDIATE_ITEM = "immediate_item"
LONG_TERM_PROGRESS = "long_term_progress"
LEAD_REPORT_BACK = "lead_report_back"

# What each kind of deadline is called on the pages, in the calendar feeds and the ledger.
DEADLINE_KINDS = {
    "on_site": gettext_lazy("On-site period"),
    "report": gettext_lazy("Inspection report"),
    "plan": gettext_lazy("Rectification plan"),
    "rectification_report": gettext_lazy("Rectification report"),
    "item": gettext_lazy("Rectification item"),
    "long_term_progress": gettext_lazy("Long-term progress report"),
    "report_back": gettext_lazy("Report back on the lead"),
}


def deadline_kind_label(kind: str) -> str:
    """The person-readable name of a deadline's kind."""
    return str(DEADLINE_KINDS.get(kind, kind.replace("_", " ")))


# Responsible parties, as the recipients adapter (inspections/notifications/) reads them.
UNIT, TEAM, RECEIVING_ORGAN = "unit", "team", "receiving_organ"


def on_site_policy(inspection: Inspection) -> str:
    """60 days for a regular inspection; 30 for look-back, thematic and mobile ones."""
    if inspection.kind in (InspectionKind.REGULAR, InspectionKind.ELEVATED):
        return ON_SITE_REGULAR
    return ON_SITE_SHORT


def _today(_subject: Any) -> datetime.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Opens:
    """An obligation a step creates: its kind, policy, start, and who must meet it."""

    kind: str
    policy: str | Callable[[Any], str]
    starts: Callable[[Any], datetime.date]
    responsible: str
    # The rows that carry the obligation; by default the one the step was taken on.
    subjects: Callable[[Any], Iterable[models.Model]] = lambda instance: [instance]
    # For obligations whose day is set case by case (the plan's items).
    due_on: Callable[[Any], datetime.date | None] = lambda subject: None


@dataclass(frozen=True)
class Rule:
    model: type[models.Model]
    action: str
    opens: tuple[Opens, ...] = ()
    meets: tuple[str, ...] = ()
    reopens: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    applies: Callable[[Any], bool] = field(default=lambda instance: True)


def _plan_items(inspection: Inspection) -> Iterable[RectificationItem]:
    return inspection.items.filter(is_immediate=False).exclude(
        state__in=[ItemState.CLOSED, ItemState.LONG_TERM]
    )


def _immediate_items_without_deadline(inspection: Inspection) -> Iterable[RectificationItem]:
    """This notice's items: the inspection's open immediate items that have no deadline yet."""
    items = list(inspection.items.filter(is_immediate=True, state=ItemState.OPEN))
    with_deadline = set(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(RectificationItem),
            object_id__in=[item.pk for item in items],
            kind="item",
        ).values_list("object_id", flat=True)
    )
    return [item for item in items if item.pk not in with_deadline]


ALL_INSPECTION_KINDS = ("on_site", "report", "plan", "rectification_report")

RULES: tuple[Rule, ...] = (
    # On site: the period runs from the day the team arrives.
    Rule(
        Inspection,
        "station",
        opens=(Opens("on_site", on_site_policy, lambda i: i.stationed_on, TEAM),),
    ),
    Rule(
        Inspection,
        "withdraw",
        meets=("on_site",),
        opens=(Opens("report", REPORT, lambda i: i.withdrawn_on, TEAM),),
    ),
    Rule(Inspection, "submit_report", meets=("report",)),
    Rule(Inspection, "return_report", reopens=("report",)),
    # Feedback starts the unit's two clocks: the plan (1 month) and the report (2 months).
    Rule(
        Inspection,
        "give_feedback",
        opens=(
            Opens("plan", PLAN, lambda i: i.feedback_on, UNIT),
            Opens("rectification_report", RECTIFICATION_REPORT, lambda i: i.feedback_on, UNIT),
        ),
    ),
    Rule(Inspection, "submit_plan", meets=("plan",)),
    Rule(Inspection, "return_plan", reopens=("plan",)),
    # Each item of the approved plan is due on the day the plan sets for it.
    Rule(
        Inspection,
        "approve_plan",
        opens=(
            Opens(
                "item",
                ITEM,
                lambda i: i.plan_approved_on,
                UNIT,
                subjects=_plan_items,
                due_on=lambda item: item.due_on,
            ),
        ),
    ),
    Rule(Inspection, "submit_rectification_report", meets=("rectification_report",)),
    Rule(Inspection, "return_rectification_report", reopens=("rectification_report",)),
    Rule(Inspection, "cancel", cancels=ALL_INSPECTION_KINDS),
    # Immediate rectification (立行立改): items open at once with the team's short deadlines.
    Rule(
        Inspection,
        "issue_immediate_notice",
        opens=(
            Opens(
                "item",
                IMMEDIATE_ITEM,
                _today,
                UNIT,
                subjects=_immediate_items_without_deadline,
                due_on=lambda item: item.due_on,
            ),
        ),
    ),
    Rule(RectificationItem, "submit", meets=("item", "long_term_progress")),
    Rule(RectificationItem, "return_item", reopens=("item",)),
    # A long-term item reports progress every six months instead of having one due date.
    Rule(
        RectificationItem,
        "mark_long_term",
        cancels=("item",),
        opens=(Opens("long_term_progress", LONG_TERM_PROGRESS, _today, UNIT),),
    ),
    Rule(
        RectificationItem,
        "report_progress",
        meets=("long_term_progress",),
        opens=(Opens("long_term_progress", LONG_TERM_PROGRESS, _today, UNIT),),
        applies=lambda item: item.state == ItemState.LONG_TERM,
    ),
    # Receiving organs report back within three months of the hand-over (Art. 29).
    Rule(
        Lead,
        "hand_over",
        opens=(
            Opens(
                "report_back", LEAD_REPORT_BACK, lambda lead: lead.handed_over_on, RECEIVING_ORGAN
            ),
        ),
    ),
    Rule(Lead, "report_back", meets=("report_back",)),
)

_BY_EVENT: dict[tuple[type, str], list[Rule]] = {}
for _rule in RULES:
    _BY_EVENT.setdefault((_rule.model, _rule.action), []).append(_rule)


def responsible_name(subject: models.Model, responsible: str) -> str:
    inspection = getattr(subject, "inspection", subject)
    if responsible == TEAM:
        return str(inspection.team) if inspection.team_id else ""
    if responsible == RECEIVING_ORGAN:
        return str(getattr(subject, "receiving_organ", "") or "")
    return str(inspection.unit)


def apply_deadline_rules(*, instance: models.Model, name: str, **_event: Any) -> None:
    """The after-transition hook: open, meet, reopen and cancel what the table says."""
    rules = _BY_EVENT.get((type(instance), name), ())
    if not rules:
        return
    now = timezone.now()
    # Loaded once per step, not once per item of an approved plan, and only by a step that
    # opens a deadline (submitting an item only meets one).
    calendar: WorkingCalendar | None = None
    for rule in rules:
        if not rule.applies(instance):
            continue
        if rule.meets:
            deadline_close(subject=instance, kinds=rule.meets, status=DeadlineStatus.MET, now=now)
        if rule.cancels:
            deadline_close(
                subject=instance, kinds=rule.cancels, status=DeadlineStatus.CANCELLED, now=now
            )
        if rule.reopens:
            deadline_reopen(subject=instance, kinds=rule.reopens, now=now)
        for opening in rule.opens:
            policy = opening.policy if isinstance(opening.policy, str) else opening.policy(instance)
            # The party is the same for every subject the step opens (the items share a unit).
            party = responsible_name(instance, opening.responsible)
            for subject in opening.subjects(instance):
                if calendar is None:
                    calendar = WorkingCalendar.load()
                deadline_open(
                    subject=subject,
                    kind=opening.kind,
                    policy_key=policy,
                    starts_on=opening.starts(instance),
                    due_on=opening.due_on(subject),
                    responsible=opening.responsible,
                    responsible_name=party,
                    now=now,
                    calendar=calendar,
                )
