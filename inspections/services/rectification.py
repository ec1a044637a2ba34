"""Writes on rectification: the unit's plan items, immediate-rectification notices, item transitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext as _

from inspections.models import (
    Finding,
    Inspection,
    ItemState,
    RectificationItem,
    User,
)
from inspections.services.inputs import due_date, event_date, optional_text, required_text
from workflows.errors import InvalidInput, NotFound, StaleObject, WrongState
from workflows.transitions import perform_child_write, perform_transition, perform_write


def _next_number(inspection: Inspection) -> int:
    return (inspection.items.aggregate(last=Max("number"))["last"] or 0) + 1


def plan_item_add(
    *,
    inspection: Inspection,
    actor: User,
    finding: Finding,
    measure: str,
    responsible_person: str,
    due_on: datetime.date | None,
) -> RectificationItem:
    """Add an item to the unit's plan: which finding, the measure, who answers for it, by when."""
    if finding.inspection_id != inspection.pk:
        raise InvalidInput(fields={"finding": [_("The finding belongs to another inspection.")]})
    measure = required_text(measure, field="measure")
    responsible_person = required_text(
        responsible_person, field="responsible_person", max_length=100
    )
    due_on = due_date(due_on, after=inspection.feedback_on, field="due_on")

    def add(locked: Inspection) -> RectificationItem:
        return RectificationItem.objects.create(
            inspection=locked,
            finding=finding,
            number=_next_number(locked),
            problem=finding.title,
            measure=measure,
            responsible_person=responsible_person,
            due_on=due_on,
        )

    return perform_child_write(
        record=inspection,
        actor=actor,
        name="add_plan_item",
        change=add,
    )


def plan_item_update(
    *,
    item: RectificationItem,
    actor: User,
    measure: str,
    responsible_person: str,
    due_on: datetime.date | None,
    expected_version: int | None = None,
) -> RectificationItem:
    """Change an item of a plan not yet submitted (or returned).

    `expected_version` is the item's version the person saw (default: `item`'s own).
    """
    measure = required_text(measure, field="measure")
    responsible_person = required_text(
        responsible_person, field="responsible_person", max_length=100
    )
    due_on = due_date(due_on, after=item.inspection.feedback_on, field="due_on")

    def edit(locked: Inspection) -> RectificationItem:
        current = _planned_item(locked, item)
        if current.version != (item.version if expected_version is None else expected_version):
            raise StaleObject()
        current.measure, current.responsible_person, current.due_on = (
            measure,
            responsible_person,
            due_on,
        )
        current.version += 1
        current.save(update_fields=["measure", "responsible_person", "due_on", "version"])
        return current

    return perform_child_write(
        record=item,
        actor=actor,
        name="update_plan_item",
        change=edit,
    )


def plan_item_remove(*, item: RectificationItem, actor: User) -> Inspection:
    """Drop an item from a plan not yet submitted."""

    def remove(locked: Inspection) -> Inspection:
        _planned_item(locked, item).delete()
        return locked

    return perform_child_write(
        record=item,
        actor=actor,
        name="remove_plan_item",
        change=remove,
        data={"item": item.pk, "number": item.number},
    )


def _planned_item(inspection: Inspection, item: RectificationItem) -> RectificationItem:
    current = RectificationItem.objects.filter(pk=item.pk, inspection=inspection).first()
    if current is None:
        raise NotFound()
    if current.is_immediate or current.state != ItemState.OPEN:
        raise WrongState(_("Only open items of the plan can be changed."))
    return current


@dataclass(frozen=True)
class ImmediateItem:
    """One problem named in an immediate-rectification notice, with its short deadline."""

    problem: str
    measure: str
    due_on: datetime.date


def inspection_issue_immediate_notice(
    *, inspection: Inspection, actor: User, items: list[ImmediateItem], note: str = ""
) -> list[RectificationItem]:
    """While stationed, the team orders problems fixed at once (立行立改): items open now."""
    if not items:
        raise InvalidInput(fields={"items": [_("Name at least one problem.")]})
    today = event_date(None)
    checked = [
        ImmediateItem(
            problem=required_text(entry.problem, field=f"items.{i}.problem", max_length=300),
            measure=optional_text(entry.measure, field=f"items.{i}.measure"),
            due_on=due_date(entry.due_on, after=today, field=f"items.{i}.due_on"),
        )
        for i, entry in enumerate(items)
    ]

    numbers: list[int] = []

    def issue(locked: Inspection) -> Inspection:
        first = _next_number(locked)
        numbers.extend(range(first, first + len(checked)))
        RectificationItem.objects.bulk_create(
            RectificationItem(
                inspection=locked,
                number=first + i,
                problem=entry.problem,
                measure=entry.measure,
                due_on=entry.due_on,
                is_immediate=True,
            )
            for i, entry in enumerate(checked)
        )
        return locked

    perform_child_write(
        record=inspection,
        actor=actor,
        name="issue_immediate_notice",
        change=issue,
        note=note,
        data={"items": len(checked)},
    )
    return list(
        RectificationItem.objects.filter(inspection=inspection, number__in=numbers).order_by(
            "number"
        )
    )


def item_start(
    *, item: RectificationItem, actor: User, note: str = "", expected_version: int | None = None
) -> RectificationItem:
    return perform_transition(
        expected_version=expected_version, instance=item, name="start", actor=actor, note=note
    )


def item_submit(
    *,
    item: RectificationItem,
    actor: User,
    progress: str,
    evidence: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> RectificationItem:
    """The unit says the item is done and shows its evidence."""
    progress = required_text(progress, field="progress")
    evidence = required_text(evidence, field="evidence")
    return perform_transition(
        instance=item,
        name="submit",
        actor=actor,
        expected_version=expected_version,
        arguments={"on": event_date(on), "progress": progress, "evidence": evidence},
    )


def item_return(
    *, item: RectificationItem, actor: User, reason: str, expected_version: int | None = None
) -> RectificationItem:
    reason = required_text(reason, field="reason")
    return perform_transition(
        instance=item,
        name="return_item",
        actor=actor,
        expected_version=expected_version,
        note=reason,
        arguments={"reason": reason},
    )


def item_verify(
    *,
    item: RectificationItem,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> RectificationItem:
    return perform_transition(
        instance=item,
        name="verify",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def item_close(
    *,
    item: RectificationItem,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> RectificationItem:
    """The office signs the item off (销号)."""
    return perform_transition(
        instance=item,
        name="close",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def item_mark_long_term(
    *, item: RectificationItem, actor: User, reason: str, expected_version: int | None = None
) -> RectificationItem:
    reason = required_text(reason, field="reason")
    return perform_transition(
        instance=item,
        name="mark_long_term",
        actor=actor,
        expected_version=expected_version,
        note=reason,
    )


def item_report_progress(
    *, item: RectificationItem, actor: User, progress: str, expected_version: int | None = None
) -> RectificationItem:
    """The unit's periodic progress on an item still being worked (long-term ones above all)."""
    progress = required_text(progress, field="progress")

    def report(locked: RectificationItem) -> None:
        locked.progress = progress

    return perform_write(
        instance=item,
        actor=actor,
        expected_version=expected_version,
        name="report_progress",
        change=report,
    )
