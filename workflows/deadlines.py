"""Deadlines as rows: when each falls due, its colour, and when the sweep must next look at it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.audit import audit_record
from workflows.calendar import YEARS_AHEAD, WorkingCalendar, end_of_day, latest_due_date
from workflows.errors import InvalidInput, PermissionDenied, WrongState
from workflows.models import (
    LIVE_STATUSES,
    Colour,
    Deadline,
    DeadlinePolicy,
    DeadlineStatus,
    DurationUnit,
)
from workflows.registry import deadline_subjects
from workflows.steps import Step

DAY = datetime.timedelta(days=1)


def due_on_for(
    policy: DeadlinePolicy, starts_on: datetime.date, calendar: WorkingCalendar | None = None
) -> datetime.date:
    """The day an obligation starting on `starts_on` falls due under `policy`.

    A period that ends on a day off ends on the next working day instead, as periods do in
    Chinese law; a count of working days ends on one by construction.
    """
    calendar = calendar or WorkingCalendar.load()
    if policy.duration is None:
        raise ValueError(f"policy {policy.key} has no duration; the due date must be given")
    if policy.unit == DurationUnit.WORKING_DAYS:
        return calendar.add_working_days(starts_on, policy.duration)
    if policy.unit == DurationUnit.MONTHS:
        return calendar.next_working_day(calendar.add_months(starts_on, policy.duration))
    return calendar.next_working_day(calendar.add_calendar_days(starts_on, policy.duration))


@dataclass(frozen=True)
class Reminder:
    """What the sweep does for a deadline now: who is told, and the state it leaves."""

    name: str  # reminder-20, yellow, red, overdue-1, overdue-2, …
    audiences: tuple[str, ...]


def overdue_interval(policy: DeadlinePolicy, sent: int) -> datetime.timedelta:
    """The gap before the next overdue reminder: 1, 2, 4, 8 … days, capped."""
    days = policy.overdue_first_interval_days * (2**sent)
    return min(days, policy.overdue_max_interval_days) * DAY


def days_before(deadline: Deadline, days: int) -> datetime.datetime:
    """The start of the day `days` before the due day: "yellow from 10 days before" a deadline
    due on 22 June turns it yellow on 12 June, the day it has ten days left."""
    return deadline.due_at - (days + 1) * DAY


def colour_at(deadline: Deadline, policy: DeadlinePolicy, now: datetime.datetime) -> str:
    if now >= deadline.due_at:
        return Colour.RED
    if now >= days_before(deadline, policy.yellow_days):
        return Colour.YELLOW
    return Colour.GREEN


def next_action(
    deadline: Deadline, policy: DeadlinePolicy, now: datetime.datetime
) -> datetime.datetime:
    """When the sweep must next act on a live deadline, given what it has sent so far."""
    yellow_at = days_before(deadline, policy.yellow_days)
    if now >= deadline.due_at:
        # Overdue: back off from now, so a late sweep does not send a burst to catch up.
        return now + overdue_interval(policy, deadline.overdue_reminders)
    if now >= yellow_at:
        return deadline.due_at
    reminders = [
        days_before(deadline, days)
        for days in policy.reminder_days
        if days > policy.yellow_days and days_before(deadline, days) > now
    ]
    return min([*reminders, yellow_at])


def step_due(deadline: Deadline, policy: DeadlinePolicy, now: datetime.datetime) -> Reminder | None:
    """The step a deadline whose `next_action_at` has come must take, or None (nothing to say)."""
    colour = colour_at(deadline, policy, now)
    if colour == Colour.RED:
        if deadline.colour != Colour.RED:
            return Reminder("red", tuple(policy.red_audiences))
        return Reminder(f"overdue-{deadline.overdue_reminders + 1}", tuple(policy.red_audiences))
    if colour == Colour.YELLOW:
        if deadline.colour != Colour.YELLOW:
            return Reminder("yellow", tuple(policy.yellow_audiences))
        return None
    passed = [
        days
        for days in policy.reminder_days
        if days > policy.yellow_days and days_before(deadline, days) <= now
    ]
    if passed:
        return Reminder(f"reminder-{min(passed)}", ("responsible",))
    return None


def apply_step(
    deadline: Deadline, policy: DeadlinePolicy, step: Reminder | None, now: datetime.datetime
) -> None:
    """Move the row on after `step`: colour, status, counters and the next time to look."""
    colour = colour_at(deadline, policy, now)
    if step is not None and step.name.startswith("overdue-"):
        deadline.overdue_reminders += 1
    deadline.colour = colour
    if colour == Colour.RED:
        deadline.status = DeadlineStatus.MISSED
    deadline.next_action_at = next_action(deadline, policy, now)


def schedule(deadline: Deadline, policy: DeadlinePolicy, now: datetime.datetime) -> None:
    """Set the next action of a deadline just opened, reopened or extended.

    Its colour changes only when the sweep has told the people concerned, so one opened
    inside its yellow window, or already past due, is due for the sweep at once.
    """
    if now >= days_before(deadline, policy.yellow_days):
        deadline.next_action_at = now
    else:
        deadline.next_action_at = next_action(deadline, policy, now)


def _subject_filter(subject: models.Model) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(subject),
        "object_id": subject.pk,
    }


def deadline_open(
    *,
    subject: models.Model,
    kind: str,
    policy_key: str,
    starts_on: datetime.date,
    responsible: str,
    responsible_name: str = "",
    due_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Open the `kind` obligation of `subject` (the caller holds the transaction).

    A live deadline of the same kind is replaced (cancelled): an obligation has one due date.
    """
    now = now or timezone.now()
    calendar = calendar or WorkingCalendar.load()
    policy = DeadlinePolicy.objects.get(key=policy_key)
    if due_on is None:
        due_on = due_on_for(policy, starts_on, calendar)
    else:
        due_on = calendar.next_working_day(due_on)
    deadline_close(subject=subject, kinds=[kind], status=DeadlineStatus.CANCELLED, now=now)
    deadline = Deadline(
        **_subject_filter(subject),
        kind=kind,
        policy=policy,
        responsible=responsible,
        responsible_name=responsible_name,
        starts_on=starts_on,
        due_on=due_on,
        due_at=end_of_day(due_on),
    )
    schedule(deadline, policy, now)
    deadline.save()
    return deadline


def deadline_close(
    *,
    subject: models.Model,
    kinds: Iterable[str],
    status: str = DeadlineStatus.MET,
    now: datetime.datetime | None = None,
) -> int:
    """Close the live deadlines of these kinds: met (done, even if late) or cancelled."""
    return Deadline.objects.filter(
        **_subject_filter(subject), kind__in=list(kinds), status__in=LIVE_STATUSES
    ).update(status=status, closed_at=now or timezone.now(), next_action_at=None)


def deadline_reopen(
    *, subject: models.Model, kinds: Iterable[str], now: datetime.datetime | None = None
) -> int:
    """Reopen the last met deadline of each kind (work sent back keeps its original due date)."""
    now = now or timezone.now()
    reopened = 0
    for kind in kinds:
        last = (
            Deadline.objects.filter(
                **_subject_filter(subject), kind=kind, status=DeadlineStatus.MET
            )
            .select_related("policy")
            .order_by("-closed_at", "-pk")
            .first()
        )
        if (
            last is None
            or Deadline.objects.filter(
                **_subject_filter(subject), kind=kind, status__in=LIVE_STATUSES
            ).exists()
        ):
            continue
        last.status = DeadlineStatus.OPEN
        last.closed_at = None
        last.overdue_reminders = 0
        last.reopens += 1
        last.colour = Colour.GREEN
        schedule(last, last.policy, now)
        last.save()
        reopened += 1
    return reopened


def deadlines_of(subject: models.Model) -> models.QuerySet[Deadline]:
    return Deadline.objects.filter(**_subject_filter(subject)).select_related("policy")


def live_deadlines(
    model: type[models.Model], ids: Iterable[int], *, kinds: Iterable[str] | None = None
) -> dict[int, list[Deadline]]:
    """The live (open or missed) deadlines of these rows of `model`, each row's earliest first,
    with their policies, in one query however many rows; `kinds` narrows them."""
    ids = list(ids)
    found: dict[int, list[Deadline]] = {}
    if not ids:
        return found
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=ids,
        status__in=LIVE_STATUSES,
    )
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    for deadline in rows.select_related("policy").order_by("due_at", "pk"):
        found.setdefault(deadline.object_id, []).append(deadline)
    return found


def live_deadlines_of_each(model: type[models.Model]) -> models.QuerySet[Deadline]:
    """For a subquery on rows of `model`: the row's live deadlines, earliest first
    (`Subquery(live_deadlines_of_each(Model).values("due_at")[:1])`)."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        status__in=LIVE_STATUSES,
    ).order_by("due_at", "pk")


def refuse_if_too_far_ahead(due_on: datetime.date, *, field: str) -> None:
    """Refuse, at `field`, a due date beyond the plausible range (work that lasts longer is
    marked long-term and reports periodically instead)."""
    if due_on > latest_due_date(timezone.localdate()):
        raise InvalidInput(
            fields={
                field: [
                    _("The due date cannot be more than %(years)d years ahead.")
                    % {"years": YEARS_AHEAD}
                ]
            }
        )


def deadline_extend(
    *,
    deadline: Deadline,
    actor,
    due_on: datetime.date,
    reason: str,
    now: datetime.datetime | None = None,
) -> Deadline:
    """Move a live deadline to a later day, for a reason, with its own audit row."""
    if not actor.has_perm("workflows.extend_deadline", deadline):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": [_("Give the reason for the extension.")]})
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        raise InvalidInput(fields={"due_on": [_("Enter a valid date.")]})
    refuse_if_too_far_ahead(due_on, field="due_on")
    now = now or timezone.now()
    calendar = WorkingCalendar.load()
    with transaction.atomic():
        locked = Deadline.objects.select_for_update().select_related("policy").get(pk=deadline.pk)
        if not actor.has_perm("workflows.extend_deadline", locked):
            raise PermissionDenied()
        if locked.status not in LIVE_STATUSES:
            raise WrongState(_("Only an open or overdue deadline can be extended."))
        new_due_on = calendar.next_working_day(due_on)
        if new_due_on <= locked.due_on:
            raise InvalidInput(
                fields={
                    "due_on": [
                        _("The new due date must be after %(date)s.") % {"date": locked.due_on}
                    ]
                }
            )
        old_due_on = locked.due_on
        locked.due_on = new_due_on
        locked.due_at = end_of_day(new_due_on)
        locked.status = DeadlineStatus.OPEN
        locked.colour = Colour.GREEN
        locked.overdue_reminders = 0
        locked.extensions += 1
        locked.extension_reason = reason
        schedule(locked, locked.policy, now)
        locked.save()
        audit_record(
            subject=locked,
            actor=actor,
            action="extend",
            from_state=str(old_due_on),
            to_state=str(new_due_on),
            note=reason,
        )
    return locked


def deadlines_follow(step: Step, instance: models.Model) -> None:
    """Open, meet, reopen and cancel what `step` declares for the record it was just taken on.

    Runs in the step's transaction. The record's registered deadline adapter names the
    responsible party kept on each row opened.
    """
    effects = step.deadlines
    if not effects.apply_to(instance):
        return
    now = timezone.now()
    if effects.meets:
        deadline_close(subject=instance, kinds=effects.meets, status=DeadlineStatus.MET, now=now)
    if effects.cancels:
        deadline_close(
            subject=instance, kinds=effects.cancels, status=DeadlineStatus.CANCELLED, now=now
        )
    if effects.reopens:
        deadline_reopen(subject=instance, kinds=effects.reopens, now=now)
    # Loaded once per step, not once per item of an approved plan, and only by a step that
    # opens a deadline (submitting an item only meets one).
    calendar: WorkingCalendar | None = None
    for opening in effects.opens:
        policy = opening.policy_for(instance)
        # The party is the same for every subject the step opens (the items share a unit).
        party = deadline_subjects(type(instance)).responsible_name(instance, opening.responsible)
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
