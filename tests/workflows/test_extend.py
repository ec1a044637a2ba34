"""Extending a deadline: by those the rules let, for a reason, to a later day, in the audit trail."""

from __future__ import annotations

import datetime

import pytest

from tests.deadline_checks import (
    D,
    at,
    deadline_snapshot,
    missed_deadline,
)
from workflows.audit import audit_trail
from workflows.calendar import end_of_day
from workflows.deadlines import deadline_close, deadline_extend
from workflows.errors import InvalidInput, PermissionDenied, WrongState
from workflows.models import Colour, Deadline, DeadlineStatus, OutboxMessage
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

REASON = "单位主要负责人调整,经领导小组同意延期"


@pytest.fixture
def overdue(case, time_machine) -> Deadline:
    """The answer, due on 26 October 2026, swept red on the 27th; it is now the 28th."""
    return missed_deadline(
        time_machine, subject=case, kind="answer", policy_key="answer", responsible="desk"
    )


def test_a_clerk_extends_a_red_deadline_and_it_turns_green(people, overdue):
    extended = deadline_extend(
        deadline=overdue, actor=people.clerk, due_on=D(2026, 12, 18), reason=f"  {REASON} "
    )

    stored = Deadline.objects.get(pk=overdue.pk)
    assert stored.due_on == extended.due_on == D(2026, 12, 18)
    assert stored.due_at == end_of_day(D(2026, 12, 18))
    assert (stored.status, stored.colour, stored.overdue_reminders) == (
        DeadlineStatus.OPEN,
        Colour.GREEN,
        0,
    )
    assert (stored.extensions, stored.extension_reason) == (1, REASON)
    # The next look is the first reminder before the new date: 20 days before 18 December.
    assert stored.next_action_at == at(2026, 11, 28)
    (entry,) = audit_trail(stored)
    assert (entry.action, entry.actor, entry.note) == ("extend", people.clerk, REASON)
    assert (entry.from_state, entry.to_state) == ("2026-10-26", "2026-12-18")


def test_the_reminders_of_an_extended_deadline_use_the_new_date(people, overdue, time_machine):
    deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 12, 18), reason=REASON)

    time_machine.move_to(at(2026, 11, 27, 23, 59), tick=False)
    assert sweep().messages == 0
    time_machine.move_to(at(2026, 11, 28), tick=False)
    reminder = sweep()
    time_machine.move_to(at(2026, 12, 8), tick=False)
    yellow = sweep()

    assert (reminder.messages, yellow.messages) == (1, 2)
    new_keys = set(
        OutboxMessage.objects.filter(deadline=overdue)
        .exclude(key__contains=":2026-10-26:")
        .values_list("key", flat=True)
    )
    assert new_keys == {
        f"deadline:{overdue.pk}:2026-12-18:0:reminder-20:responsible@example.org",
        f"deadline:{overdue.pk}:2026-12-18:0:yellow:responsible@example.org",
        f"deadline:{overdue.pk}:2026-12-18:0:yellow:supervisor@example.org",
    }
    stored = Deadline.objects.get(pk=overdue.pk)
    assert (stored.colour, stored.next_action_at) == (Colour.YELLOW, at(2026, 12, 19))


def test_an_extension_into_the_yellow_period_is_swept_yellow_at_once(people, overdue):
    deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 11, 2), reason=REASON)
    assert Deadline.objects.get(pk=overdue.pk).next_action_at == at(2026, 10, 28, 10)

    report = sweep()

    stored = Deadline.objects.get(pk=overdue.pk)
    assert (report.deadlines, report.messages) == (1, 2)
    assert (stored.colour, stored.status) == (Colour.YELLOW, DeadlineStatus.OPEN)


def test_an_extension_to_a_day_off_ends_on_the_next_working_day(people, overdue):
    # Saturday 28 November 2026.
    deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 11, 28), reason=REASON)

    assert Deadline.objects.get(pk=overdue.pk).due_on == D(2026, 11, 30)


@pytest.mark.parametrize("role", ["reader", "owner", "desk", "outsider"])
def test_only_those_the_rules_let_may_extend(people, overdue, role):
    before = deadline_snapshot(overdue)

    with pytest.raises(PermissionDenied) as refused:
        deadline_extend(
            deadline=overdue, actor=getattr(people, role), due_on=D(2026, 12, 18), reason=REASON
        )

    assert refused.value.code == "permission_denied"
    assert deadline_snapshot(overdue) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_extension_needs_a_reason(people, overdue, reason):
    before = deadline_snapshot(overdue)

    with pytest.raises(InvalidInput) as refused:
        deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 12, 18), reason=reason)

    assert list(refused.value.fields) == ["reason"]
    assert deadline_snapshot(overdue) == before


@pytest.mark.parametrize(
    "due_on",
    [
        D(2026, 10, 26),  # the same day
        D(2026, 10, 20),  # earlier
        D(2026, 10, 25),  # a Sunday, so Monday the 26th again
    ],
)
def test_the_new_date_must_be_later(people, overdue, due_on):
    before = deadline_snapshot(overdue)

    with pytest.raises(InvalidInput) as refused:
        deadline_extend(deadline=overdue, actor=people.clerk, due_on=due_on, reason=REASON)

    assert list(refused.value.fields) == ["due_on"]
    assert "2026-10-26" in refused.value.fields["due_on"][0]
    assert deadline_snapshot(overdue) == before


@pytest.mark.parametrize("due_on", ["2026-12-18", datetime.datetime(2026, 12, 18, 9, 0), None])
def test_the_new_date_must_be_a_date(people, overdue, due_on):
    before = deadline_snapshot(overdue)

    with pytest.raises(InvalidInput) as refused:
        deadline_extend(deadline=overdue, actor=people.clerk, due_on=due_on, reason=REASON)

    assert list(refused.value.fields) == ["due_on"]
    assert deadline_snapshot(overdue) == before


@pytest.mark.parametrize("status", [DeadlineStatus.MET, DeadlineStatus.CANCELLED])
def test_a_closed_deadline_cannot_be_extended(people, overdue, status):
    deadline_close(subject=overdue.subject, kinds=["answer"], status=status)
    before = deadline_snapshot(overdue)

    with pytest.raises(WrongState) as refused:
        deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 12, 18), reason=REASON)

    assert refused.value.code == "wrong_state"
    assert deadline_snapshot(overdue) == before


def test_a_second_extension_counts_and_keeps_the_last_reason(people, overdue):
    deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 11, 30), reason="第一次")
    deadline_extend(deadline=overdue, actor=people.clerk, due_on=D(2026, 12, 18), reason="第二次")

    stored = Deadline.objects.get(pk=overdue.pk)
    assert (stored.extensions, stored.extension_reason, stored.due_on) == (
        2,
        "第二次",
        D(2026, 12, 18),
    )
    assert [(e.from_state, e.to_state, e.note) for e in audit_trail(stored)] == [
        ("2026-10-26", "2026-11-30", "第一次"),
        ("2026-11-30", "2026-12-18", "第二次"),
    ]
