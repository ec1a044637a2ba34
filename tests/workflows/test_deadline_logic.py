"""What a step does to deadlines (opens, meets, reopens, cancels), and the colour and schedule rules."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.workflows.machine.models import CaseState, Task, TaskState
from tests.workflows.machine.services import add_task, put, report_progress, take
from workflows.calendar import end_of_day
from workflows.deadlines import (
    colour_at,
    deadline_open,
    deadlines_of,
    next_action,
    overdue_interval,
    schedule,
    step_due,
)
from workflows.models import Colour, Deadline, DeadlinePolicy, DeadlineStatus

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
DAY = datetime.timedelta(days=1)
MOMENT = datetime.timedelta(microseconds=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def live(subject, kind: str) -> Deadline:
    return deadlines_of(subject).get(kind=kind, status__in=[DeadlineStatus.OPEN])


def filed(case, people, on: datetime.date):
    """The case with one task, filed on `on` by its owner."""
    add_task(case, people.owner, "报送材料")
    return take(case, "file", people.owner, on=on)


# What a step declares, done in its transaction -------------------------------------------------


@pytest.mark.parametrize(
    ("urgent", "policy", "filed_on", "due_on"),
    [
        # A month after 25 September is Sunday 25 October: the period ends on Monday the 26th.
        (False, "answer", D(2026, 9, 25), D(2026, 10, 26)),
        # 15 working days across the National Day week and its make-up Saturday (10 October).
        (True, "urgent_answer", D(2026, 9, 28), D(2026, 10, 23)),
    ],
)
def test_a_step_opens_the_deadline_under_the_policy_its_record_picks(
    people, case, time_machine, urgent, policy, filed_on, due_on
):
    put(case, urgent=urgent)
    time_machine.move_to(at(2026, 9, 28, 15), tick=False)

    filed(case, people, filed_on)

    deadline = live(case, "answer")
    assert deadline.policy.key == policy
    assert (deadline.starts_on, deadline.due_on) == (filed_on, due_on)
    assert deadline.due_at == end_of_day(due_on)
    assert (deadline.responsible, deadline.responsible_name) == ("desk", "市科学技术局")
    assert (deadline.colour, deadline.overdue_reminders) == (Colour.GREEN, 0)


def test_a_step_opens_each_kind_it_declares_from_the_events_date(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)

    filed(case, people, D(2026, 9, 25))

    answer = live(case, "answer")
    resolution = live(case, "resolution")
    assert (answer.policy.key, answer.due_on) == ("answer", D(2026, 10, 26))
    assert (resolution.policy.key, resolution.due_on) == ("resolution", D(2026, 11, 25))
    assert (answer.responsible, answer.responsible_name) == ("desk", "市科学技术局")
    assert resolution.responsible == "desk"


def test_a_step_recorded_for_an_earlier_day_runs_from_that_day(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 28, 10), tick=False)

    filed(case, people, D(2026, 9, 25))

    assert live(case, "answer").due_on == D(2026, 10, 26)


def test_a_step_meets_its_deadline_and_leaves_the_others_running(people, case, time_machine):
    time_machine.move_to(at(2026, 8, 3, 9), tick=False)
    case = filed(case, people, D(2026, 8, 3))
    time_machine.move_to(at(2026, 9, 28, 17), tick=False)

    take(case, "answer", people.desk, on=D(2026, 9, 28))

    answer = deadlines_of(case).get(kind="answer")
    assert (answer.status, answer.next_action_at) == (DeadlineStatus.MET, None)
    assert answer.closed_at == at(2026, 9, 28, 17)
    resolution = live(case, "resolution")
    # Two months from 3 August is 3 October, in the National Day week: due on the 8th.
    assert (resolution.policy.key, resolution.starts_on, resolution.due_on) == (
        "resolution",
        D(2026, 8, 3),
        D(2026, 10, 8),
    )


def test_work_sent_back_reopens_its_deadline_with_the_original_due_date(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    case = filed(case, people, D(2026, 9, 25))
    time_machine.move_to(at(2026, 10, 9, 10), tick=False)
    case = take(case, "answer", people.desk, on=D(2026, 10, 9))
    assert deadlines_of(case).get(kind="answer").status == DeadlineStatus.MET

    take(case, "send_back", people.clerk, reason="答复不完整")

    answer = live(case, "answer")
    assert (answer.due_on, answer.closed_at, answer.colour) == (D(2026, 10, 26), None, Colour.GREEN)
    assert answer.reopens == 1
    # 9 October is inside the reminder window and before yellow: the next look is at yellow,
    # the start of 16 October (ten days before the due day).
    assert answer.next_action_at == at(2026, 10, 16)


def test_a_step_opens_one_deadline_per_subject_each_on_its_own_day(people, case, time_machine):
    holiday = Task.objects.create(case=case, number=1, title="甲", due_on=D(2026, 10, 3))
    weekday = Task.objects.create(case=case, number=2, title="乙", due_on=D(2026, 11, 20))
    done = Task.objects.create(
        case=case, number=3, title="丙", due_on=D(2026, 11, 20), state=TaskState.DONE
    )
    case = put(case, state=CaseState.ANSWERED)
    time_machine.move_to(at(2026, 9, 30, 10), tick=False)

    take(case, "accept", people.clerk, on=D(2026, 9, 30))

    # 3 October falls in the National Day holiday: the task is due on the first working day after.
    assert live(holiday, "task").due_on == D(2026, 10, 8)
    assert live(weekday, "task").due_on == D(2026, 11, 20)
    assert live(weekday, "task").policy.key == "task"
    assert live(weekday, "task").starts_on == D(2026, 9, 30)
    assert live(weekday, "task").responsible_name == "市科学技术局"
    assert not deadlines_of(done).exists()
    assert not deadlines_of(case).exists()


def test_a_step_cancels_one_kind_and_opens_another(people, case, time_machine):
    task = Task.objects.create(case=case, number=1, title="甲", due_on=D(2026, 4, 30))
    case = put(case, state=CaseState.ANSWERED)
    time_machine.move_to(at(2026, 3, 2, 10), tick=False)
    take(case, "accept", people.clerk, on=D(2026, 3, 2))
    assert live(task, "task").due_on == D(2026, 4, 30)

    take(task, "prolong", people.clerk, reason="需要跨年度推进")

    assert deadlines_of(task).get(kind="task").status == DeadlineStatus.CANCELLED
    progress = live(task, "progress")
    assert (progress.policy.key, progress.starts_on, progress.due_on) == (
        "progress",
        D(2026, 3, 2),
        D(2026, 9, 2),
    )


def test_withdrawing_cancels_every_kind_the_step_names(people, case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    case = filed(case, people, D(2026, 9, 25))

    take(case, "withdraw", people.owner, reason="已自行解决")

    assert {(d.kind, d.status) for d in deadlines_of(case)} == {
        ("answer", DeadlineStatus.CANCELLED),
        ("resolution", DeadlineStatus.CANCELLED),
    }
    assert not deadlines_of(case).exclude(next_action_at=None).exists()


@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        # Only a long-running task's report is due: it meets that and opens the next.
        (
            TaskState.LONG_RUNNING,
            {("progress", DeadlineStatus.MET, D(2026, 9, 2)), ("progress", "open", D(2026, 12, 1))},
        ),
        (TaskState.OPEN, {("progress", DeadlineStatus.OPEN, D(2026, 9, 2))}),
    ],
)
def test_a_write_follows_its_deadlines_only_while_its_condition_holds(
    people, case, time_machine, state, kinds
):
    task = Task.objects.create(case=case, number=1, title="甲")
    time_machine.move_to(at(2026, 3, 2, 10), tick=False)
    deadline_open(
        subject=task,
        kind="progress",
        policy_key="progress",
        starts_on=D(2026, 3, 2),
        responsible="desk",
    )
    put(task, state=state)
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)

    report_progress(task, people.owner, "已完成三分之一")

    assert {(d.kind, d.status, d.due_on) for d in deadlines_of(task)} == kinds


def test_a_calendar_period_ending_on_a_day_off_ends_on_the_next_working_day(case, time_machine):
    time_machine.move_to(at(2026, 9, 1, 10), tick=False)

    # 1 September + 60 days is Saturday 31 October: due on Monday 2 November.
    review = deadline_open(
        subject=case,
        kind="review",
        policy_key="review",
        starts_on=D(2026, 9, 1),
        responsible="desk",
    )

    assert review.due_on == D(2026, 11, 2)


def test_opening_a_kind_again_replaces_the_live_deadline(case, time_machine):
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    first = deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
    )

    second = deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 28),
        responsible="desk",
    )

    first.refresh_from_db()
    assert first.status == DeadlineStatus.CANCELLED
    assert first.next_action_at is None
    assert live(case, "answer") == second
    assert second.due_on == D(2026, 10, 28)


# Colours: green, yellow from ten days before due, red from the end of the due day ----------


@pytest.fixture
def answer(case, time_machine) -> Deadline:
    """The answer, due on Monday 26 October 2026, so due at 00:00 on the 27th in Beijing."""
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    return deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
    )


def test_a_deadline_falls_due_at_the_end_of_its_day_in_beijing(answer):
    assert answer.due_at == at(2026, 10, 27)
    assert answer.due_at == datetime.datetime(2026, 10, 26, 16, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("moment", "colour"),
    [
        (at(2026, 9, 25, 10), Colour.GREEN),
        (at(2026, 10, 16) - MOMENT, Colour.GREEN),
        (at(2026, 10, 16), Colour.YELLOW),  # ten days left: yellow from 10 days before due
        (at(2026, 10, 16, 12), Colour.YELLOW),
        (at(2026, 10, 26, 23, 59), Colour.YELLOW),
        (at(2026, 10, 27) - MOMENT, Colour.YELLOW),
        (at(2026, 10, 27), Colour.RED),
        (at(2027, 3, 1), Colour.RED),
    ],
)
def test_the_colour_at_each_instant(answer, moment, colour):
    assert colour_at(answer, answer.policy, moment) == colour


def test_a_new_deadline_is_first_looked_at_for_its_first_reminder(answer):
    assert answer.next_action_at == at(2026, 10, 6)  # 20 days before the due day
    assert (answer.colour, answer.status) == (Colour.GREEN, DeadlineStatus.OPEN)


def test_the_yellow_period_follows_the_policy(answer):
    DeadlinePolicy.objects.filter(key="answer").update(yellow_days=3)
    policy = DeadlinePolicy.objects.get(key="answer")

    assert colour_at(answer, policy, at(2026, 10, 20)) == Colour.GREEN
    assert colour_at(answer, policy, at(2026, 10, 24)) == Colour.YELLOW


@pytest.mark.parametrize(
    ("opened", "next_at"),
    [
        (at(2026, 9, 25, 10), at(2026, 10, 6)),  # before the reminder: the reminder
        (at(2026, 10, 10, 10), at(2026, 10, 16)),  # the reminder has passed: yellow
        (at(2026, 10, 20, 10), at(2026, 10, 20, 10)),  # inside yellow: the sweep, at once
        (at(2026, 11, 2, 10), at(2026, 11, 2, 10)),  # already overdue: the sweep, at once
    ],
)
def test_schedule_sets_the_first_look_by_where_the_deadline_stands(answer, opened, next_at):
    schedule(answer, answer.policy, opened)

    assert answer.next_action_at == next_at


def test_the_steps_on_the_way_to_overdue(answer):
    policy = answer.policy

    assert step_due(answer, policy, at(2026, 10, 6) - MOMENT) is None
    reminder = step_due(answer, policy, at(2026, 10, 6))
    assert (reminder.name, reminder.audiences) == ("reminder-20", ("responsible",))
    yellow = step_due(answer, policy, at(2026, 10, 16))
    assert (yellow.name, yellow.audiences) == ("yellow", ("responsible", "supervisor"))
    red = step_due(answer, policy, at(2026, 10, 27))
    assert (red.name, red.audiences) == ("red", ("responsible", "party_head", "office"))
    answer.colour = Colour.RED
    answer.overdue_reminders = 3
    assert step_due(answer, policy, at(2026, 11, 20)).name == "overdue-4"


def test_overdue_reminders_back_off_and_the_gap_is_capped(answer):
    gaps = [overdue_interval(answer.policy, sent).days for sent in range(8)]

    assert gaps == [1, 2, 4, 8, 16, 32, 32, 32]


def test_overdue_back_off_runs_from_the_sweep_not_from_the_due_date(answer):
    answer.colour = Colour.RED
    answer.overdue_reminders = 2
    late_sweep = at(2026, 12, 1, 9, 30)

    assert next_action(answer, answer.policy, late_sweep) == late_sweep + 4 * DAY
