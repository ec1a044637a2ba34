"""The sweep at each instant: exactly the steps due, each once, and a cost that follows the rows due."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workflows.machine.models import Case
from tests.workflows.machine.services import add_task, take
from workflows.calendar import end_of_day
from workflows.deadlines import deadline_open, deadlines_of
from workflows.models import Colour, Deadline, DeadlinePolicy, DeadlineStatus, OutboxMessage
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)

RESPONSIBLE = ("responsible",)
YELLOW = ("responsible", "supervisor")
RED = ("responsible", "party_head", "office")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def keys(deadline: Deadline, step: str, audiences: tuple[str, ...]) -> set[str]:
    return {
        f"deadline:{deadline.pk}:{deadline.due_on}:{deadline.reopens}:{step}:{audience}@example.org"
        for audience in audiences
    }


def written(deadline: Deadline) -> set[str]:
    return set(OutboxMessage.objects.filter(deadline_id=deadline.pk).values_list("key", flat=True))


@pytest.fixture
def answer(case, time_machine) -> Deadline:
    """The case's answer, opened on 25 September 2026, due on Monday 26 October."""
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    return deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
        responsible_name=case.desk,
    )


# The ladder: reminder, yellow, red, then overdue reminders that back off ------------------------

# (instant of the sweep, step it sends or None, its audiences, colour, status, next look, overdue sent)
LADDER = [
    (at(2026, 10, 6) - SECOND, None, (), Colour.GREEN, "open", at(2026, 10, 6), 0),
    (at(2026, 10, 6), "reminder-20", RESPONSIBLE, Colour.GREEN, "open", at(2026, 10, 16), 0),
    (at(2026, 10, 12, 9), None, (), Colour.GREEN, "open", at(2026, 10, 16), 0),
    # Ten days left (due 26 October): yellow from the start of the 16th.
    (at(2026, 10, 16), "yellow", YELLOW, Colour.YELLOW, "open", at(2026, 10, 27), 0),
    (at(2026, 10, 27) - SECOND, None, (), Colour.YELLOW, "open", at(2026, 10, 27), 0),
    (at(2026, 10, 27), "red", RED, Colour.RED, "missed", at(2026, 10, 28), 0),
    (at(2026, 10, 27, 18), None, (), Colour.RED, "missed", at(2026, 10, 28), 0),
    (at(2026, 10, 28), "overdue-1", RED, Colour.RED, "missed", at(2026, 10, 30), 1),
    (at(2026, 10, 29), None, (), Colour.RED, "missed", at(2026, 10, 30), 1),
    (at(2026, 10, 30), "overdue-2", RED, Colour.RED, "missed", at(2026, 11, 3), 2),
    (at(2026, 11, 3), "overdue-3", RED, Colour.RED, "missed", at(2026, 11, 11), 3),
    (at(2026, 11, 10), None, (), Colour.RED, "missed", at(2026, 11, 11), 3),
    (at(2026, 11, 11), "overdue-4", RED, Colour.RED, "missed", at(2026, 11, 27), 4),
    (at(2026, 11, 27), "overdue-5", RED, Colour.RED, "missed", at(2026, 12, 29), 5),
    # The gap stops growing at the policy's longest one, 32 days.
    (at(2026, 12, 29), "overdue-6", RED, Colour.RED, "missed", at(2027, 1, 30), 6),
    (at(2027, 1, 29), None, (), Colour.RED, "missed", at(2027, 1, 30), 6),
    (at(2027, 1, 30), "overdue-7", RED, Colour.RED, "missed", at(2027, 3, 3), 7),
]


def test_each_sweep_sends_exactly_the_step_due_and_moves_the_deadline_on(answer, time_machine):
    assert answer.next_action_at == at(2026, 10, 6)
    seen: set[str] = set()
    for moment, step, audiences, colour, status, next_at, overdue in LADDER:
        time_machine.move_to(moment, tick=False)

        report = sweep()

        new = written(answer) - seen
        seen |= new
        expected = keys(answer, step, audiences) if step else set()
        assert new == expected, moment
        assert report.messages == len(expected), moment
        assert report.deadlines == (1 if step else 0), moment
        answer.refresh_from_db()
        assert (answer.colour, answer.status, answer.next_action_at, answer.overdue_reminders) == (
            colour,
            status,
            next_at,
            overdue,
        ), moment


def test_each_message_records_its_step_and_audience_and_renders_the_adapters_context(
    answer, time_machine
):
    time_machine.move_to(at(2026, 10, 17), tick=False)
    sweep()

    messages = OutboxMessage.objects.filter(deadline=answer).order_by("recipient_email")
    assert [(m.recipient_email, m.template, m.status) for m in messages] == [
        ("responsible@example.org", "emails/deadline", "pending"),
        ("supervisor@example.org", "emails/deadline", "pending"),
    ]
    assert messages[0].context == {"step": "yellow", "audience": "responsible"}
    from workflows.emails import _deadline_context

    assert _deadline_context(messages[0]) == {"kind": "answer", "language": "zh-hans"}


def test_a_sweep_that_was_down_sends_one_reminder_not_every_one_it_missed(answer, time_machine):
    # Nothing ran between opening and the middle of the yellow period.
    time_machine.move_to(at(2026, 10, 20, 9), tick=False)

    sweep()

    assert written(answer) == keys(answer, "yellow", YELLOW)
    answer.refresh_from_db()
    assert (answer.colour, answer.next_action_at) == (Colour.YELLOW, at(2026, 10, 27))


def test_a_second_sweep_at_the_same_instant_writes_nothing(answer, time_machine):
    time_machine.move_to(at(2026, 10, 27), tick=False)
    first = sweep()
    rows = OutboxMessage.objects.count()

    second = sweep()

    assert (first.deadlines, first.messages) == (1, 3)
    assert (second.deadlines, second.messages, second.chunks) == (0, 0, 0)
    assert OutboxMessage.objects.count() == rows


def test_the_same_step_written_again_is_harmless(answer, time_machine):
    time_machine.move_to(at(2026, 10, 27), tick=False)
    sweep()
    # As if the row's move on had been lost: the unique keys keep the letters single.
    Deadline.objects.filter(pk=answer.pk).update(
        colour=Colour.YELLOW, status=DeadlineStatus.OPEN, next_action_at=at(2026, 10, 27)
    )

    again = sweep()

    assert (again.deadlines, again.messages) == (1, 3)
    assert written(answer) == keys(answer, "red", RED)
    assert OutboxMessage.objects.filter(deadline=answer).count() == len(RED)


def test_the_sweep_works_in_bounded_chunks(case, time_machine):
    time_machine.move_to(at(2026, 9, 1, 10), tick=False)
    opened = [
        deadline_open(
            subject=case,
            kind=f"kind-{n}",
            policy_key="urgent_answer",  # no green reminders: the first step is yellow
            starts_on=D(2026, 9, 1),
            responsible="desk",
        )
        for n in range(5)
    ]
    yellow_at = opened[0].due_at - 10 * DAY
    time_machine.move_to(yellow_at, tick=False)

    bounded = sweep(chunk_size=2, max_chunks=2)
    rest = sweep(chunk_size=2)

    assert (bounded.deadlines, bounded.chunks, bounded.messages) == (4, 2, 8)
    assert (rest.deadlines, rest.chunks, rest.messages) == (1, 1, 2)
    assert set(Deadline.objects.values_list("colour", flat=True)) == {Colour.YELLOW}


# Deadlines opened late, and deadlines met late ---------------------------------------------------


def filed(case, people, on: datetime.date) -> Case:
    """The case with one task, filed by its owner on `on`."""
    add_task(case, people.owner, "报送材料")
    return take(case, "file", people.owner, on=on)


def test_a_deadline_opened_long_past_due_turns_red_once_without_a_burst(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    # Filing recorded months after it happened, as a history taken over is.
    filed(case, people, D(2026, 1, 5))
    answer = deadlines_of(case).get(kind="answer")
    resolution = deadlines_of(case).get(kind="resolution")
    assert (answer.due_on, resolution.due_on) == (D(2026, 2, 5), D(2026, 3, 5))
    assert answer.next_action_at == resolution.next_action_at == at(2026, 9, 25, 10)

    first = sweep()

    assert (first.deadlines, first.messages) == (2, 6)
    for deadline in (answer, resolution):
        assert written(deadline) == keys(deadline, "red", RED)
        deadline.refresh_from_db()
        assert (deadline.colour, deadline.status, deadline.overdue_reminders) == (
            Colour.RED,
            DeadlineStatus.MISSED,
            0,
        )
        assert deadline.next_action_at == at(2026, 9, 26, 10)

    time_machine.move_to(at(2026, 9, 26, 10), tick=False)
    second = sweep()

    assert (second.deadlines, second.messages) == (2, 6)
    assert written(answer) == keys(answer, "red", RED) | keys(answer, "overdue-1", RED)


def test_a_deadline_met_late_stops_its_reminders(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    case = filed(case, people, D(2026, 9, 25))
    answer = deadlines_of(case).get(kind="answer")
    for moment in (at(2026, 10, 7), at(2026, 10, 17), at(2026, 10, 27), at(2026, 10, 28)):
        time_machine.move_to(moment, tick=False)
        sweep()
    before = written(answer)
    assert {key.split(":")[4] for key in before} == {"reminder-20", "yellow", "red", "overdue-1"}

    time_machine.move_to(at(2026, 10, 29, 11), tick=False)
    take(case, "answer", people.desk, on=D(2026, 10, 29))

    answer.refresh_from_db()
    assert (answer.status, answer.next_action_at) == (DeadlineStatus.MET, None)
    assert answer.closed_at == at(2026, 10, 29, 11)
    # The next overdue reminder was due on the 30th: it never comes.
    time_machine.move_to(at(2026, 11, 30), tick=False)
    sweep()
    assert written(answer) == before
    # The resolution runs on: its own red came.
    resolution = deadlines_of(case).get(kind="resolution")
    assert keys(resolution, "red", RED) <= written(resolution)


# Cost ------------------------------------------------------------------------------------------


def stored(case, kind: str, next_action_at: datetime.datetime, policy: DeadlinePolicy) -> Deadline:
    due_on = D(2026, 12, 31)
    return Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        kind=kind,
        policy=policy,
        responsible="desk",
        starts_on=D(2026, 9, 1),
        due_on=due_on,
        due_at=end_of_day(due_on),
        next_action_at=next_action_at,
    )


def test_the_sweeps_queries_do_not_grow_with_the_deadlines_stored(case, time_machine):
    now = at(2026, 12, 23, 9)  # inside the yellow period of a deadline due on 31 December
    time_machine.move_to(now, tick=False)
    policy = DeadlinePolicy.objects.get(key="answer")

    def queries_of_a_sweep(not_due: int) -> int:
        Deadline.objects.all().delete()
        for n in range(not_due):
            stored(case, f"later-{n}", now + DAY, policy)
        for n in range(3):
            stored(case, f"due-{n}", now - SECOND, policy)
        with CaptureQueriesContext(connection) as context:
            report = sweep()
        assert (report.deadlines, report.messages) == (3, 6)
        assert Deadline.objects.filter(colour=Colour.YELLOW).count() == 3
        assert Deadline.objects.filter(colour=Colour.GREEN).count() == not_due
        return len(context.captured_queries)

    few = queries_of_a_sweep(5)
    many = queries_of_a_sweep(200)

    assert few == many
    assert many <= 12


def test_a_sweep_with_nothing_due_is_one_look_at_the_index(
    case, time_machine, django_assert_max_num_queries
):
    now = at(2026, 12, 23, 9)
    time_machine.move_to(now, tick=False)
    policy = DeadlinePolicy.objects.get(key="answer")
    for n in range(200):
        stored(case, f"later-{n}", now + DAY, policy)

    # The policies, then one chunk's select inside its transaction.
    with django_assert_max_num_queries(4):
        report = sweep()

    assert (report.deadlines, report.chunks) == (0, 0)


def test_work_sent_back_after_its_due_date_is_chased_again(answer, time_machine):
    """A reopened overdue deadline's letters are new ones, not repeats the outbox would drop."""
    from workflows.deadlines import deadline_close, deadline_reopen

    time_machine.move_to(at(2026, 10, 27), tick=False)
    sweep()
    before = written(answer)
    time_machine.move_to(at(2026, 10, 27, 12), tick=False)
    deadline_close(subject=answer.subject, kinds=["answer"])
    time_machine.move_to(at(2026, 11, 2, 10), tick=False)
    assert deadline_reopen(subject=answer.subject, kinds=["answer"]) == 1

    sweep()

    answer.refresh_from_db()
    assert answer.reopens == 1
    assert written(answer) - before == keys(answer, "red", RED)
    assert answer.colour == Colour.RED
