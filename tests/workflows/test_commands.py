"""The engine's commands: one sweep by hand for a given instant, and the list of live deadlines."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.workflows.machine.models import Case, Task
from workflows.deadlines import deadline_close, deadline_open
from workflows.models import Colour, Deadline, DeadlineStatus, OutboxMessage

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def answer(case, time_machine) -> Deadline:
    """The answer, due on Monday 26 October 2026 (red from 00:00 on the 27th, Beijing time)."""
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    deadline = deadline_open(
        subject=case,
        kind="answer",
        policy_key="answer",
        starts_on=D(2026, 9, 25),
        responsible="desk",
        responsible_name=case.desk,
    )
    # The real clock is somewhere else entirely: --now is what counts.
    time_machine.move_to(at(2026, 9, 26, 12), tick=False)
    return deadline


def row(deadline: Deadline) -> tuple:
    stored = Deadline.objects.get(pk=deadline.pk)
    return (stored.colour, stored.status, stored.next_action_at, stored.overdue_reminders)


# sweep_deadlines -------------------------------------------------------------------------------


def test_sweep_deadlines_runs_one_sweep_for_the_instant_given(answer):
    output = run("sweep_deadlines", "--now", "2026-10-27T09:00:00+08:00")

    assert row(answer) == (Colour.RED, DeadlineStatus.MISSED, at(2026, 10, 28, 9), 0)
    assert OutboxMessage.objects.filter(deadline=answer).count() == 3
    assert "1 deadlines acted on, 3 e-mails written, in 1 chunks" in output
    assert "2026-10-27 09:00" in output


def test_sweep_deadlines_reads_any_offset_and_z_for_utc(answer):
    # 16:00 UTC on the 26th is midnight in Beijing: the deadline has just fallen due.
    output = run("sweep_deadlines", "--now", "2026-10-26T16:00:00Z", "--format", "json")

    assert json.loads(output) == {
        "now": "2026-10-26T16:00:00+00:00",
        "deadlines": 1,
        "messages": 3,
        "chunks": 1,
    }
    assert row(answer)[0] == Colour.RED


def test_sweep_deadlines_one_second_before_is_one_second_too_early(answer):
    output = run("sweep_deadlines", "--now", "2026-10-26T15:59:59+00:00", "--format", "json")

    assert json.loads(output)["deadlines"] == 1  # the yellow step, not the red one
    assert row(answer)[0] == Colour.YELLOW


def test_sweep_deadlines_without_now_sweeps_the_present(answer, time_machine):
    time_machine.move_to(at(2026, 10, 7, 8), tick=False)

    output = run("sweep_deadlines", "--format", "json")

    assert json.loads(output) == {
        "now": "2026-10-07T00:00:00+00:00",
        "deadlines": 1,
        "messages": 1,
        "chunks": 1,
    }
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {
        f"deadline:{answer.pk}:2026-10-26:0:reminder-20:responsible@example.org"
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-10-27T09:00:00", "needs a UTC offset"),
        ("2026-10-27 09:00", "needs a UTC offset"),
        ("2026-10-27", "needs a UTC offset"),
        ("yesterday", "must be an ISO-8601 date and time"),
        ("2026-13-40T09:00:00+08:00", "must be an ISO-8601 date and time"),
        ("", "must be an ISO-8601 date and time"),
    ],
)
def test_sweep_deadlines_refuses_an_instant_it_cannot_place_and_writes_nothing(
    answer, value, message
):
    before = row(answer)

    with pytest.raises(CommandError) as refused:
        run("sweep_deadlines", "--now", value)

    assert message in str(refused.value)
    assert "2026-11-30T09:00:00+08:00" in str(refused.value)  # an example of what works
    assert row(answer) == before
    assert not OutboxMessage.objects.exists()


def test_sweep_deadlines_refuses_an_unknown_format(answer):
    with pytest.raises(CommandError, match="invalid choice"):
        run("sweep_deadlines", "--format", "xml")


# deadlines ---------------------------------------------------------------------------------------


@pytest.fixture
def three_colours(case, other_case, time_machine) -> dict[str, Deadline]:
    """Seen from 2 November 2026 at 09:00: two red, one yellow, one green, and one met."""
    time_machine.move_to(at(2026, 9, 1, 10), tick=False)
    third = Case.objects.create(title="关于复核结果的来函", owner="owner", desk="市审计局")

    def open_(subject, kind: str, due_on: D) -> Deadline:
        return deadline_open(
            subject=subject,
            kind=kind,
            policy_key="task",
            starts_on=D(2026, 9, 1),
            due_on=due_on,
            responsible="desk",
            responsible_name=subject.desk,
        )

    deadlines = {
        "red-long": open_(other_case, "answer", D(2026, 10, 26)),
        "red-just": open_(case, "resolution", D(2026, 10, 30)),
        "yellow": open_(case, "answer", D(2026, 11, 9)),
        "green": open_(third, "answer", D(2026, 12, 31)),
        "met": open_(third, "resolution", D(2026, 10, 9)),
    }
    deadline_close(subject=third, kinds=["resolution"], status=DeadlineStatus.MET)
    time_machine.move_to(at(2026, 11, 2, 9), tick=False)
    return deadlines


def test_deadlines_lists_exactly_the_red_ones_with_the_days_overdue(other_case, three_colours):
    output = run("deadlines", "--format", "json", "--colour", "red")

    listed = json.loads(output)
    assert [entry["id"] for entry in listed] == [
        three_colours["red-long"].pk,
        three_colours["red-just"].pk,
    ]
    assert listed[0] == {
        "id": three_colours["red-long"].pk,
        "kind": "answer",
        "subject": str(other_case),
        "subject_type": "machine.case",
        "subject_id": other_case.pk,
        "responsible": "desk",
        "responsible_name": "市数据局",
        "due_on": "2026-10-26",
        # Never swept, so stored green: the list colours it as of now.
        "status": "open",
        "colour": "red",
        "days_left": -7,
    }
    assert listed[1]["days_left"] == -3


def test_deadlines_lists_every_live_deadline_most_urgent_first(three_colours):
    listed = json.loads(run("deadlines", "--format", "json"))

    assert [(entry["colour"], entry["days_left"]) for entry in listed] == [
        ("red", -7),
        ("red", -3),
        ("yellow", 7),
        ("green", 59),
    ]
    assert three_colours["met"].pk not in {entry["id"] for entry in listed}


@pytest.mark.parametrize(("colour", "expected"), [("yellow", ["yellow"]), ("green", ["green"])])
def test_deadlines_filters_by_colour(three_colours, colour, expected):
    listed = json.loads(run("deadlines", "--format", "json", "--colour", colour))

    assert [entry["id"] for entry in listed] == [three_colours[name].pk for name in expected]


def test_deadlines_colours_as_of_the_instant_given(three_colours):
    listed = json.loads(
        run(
            "deadlines", "--format", "json", "--colour", "red", "--now", "2026-10-31T09:00:00+08:00"
        )
    )

    # Due on Friday 30 October: red since midnight, one day overdue.
    assert [(entry["id"], entry["days_left"]) for entry in listed] == [
        (three_colours["red-long"].pk, -5),
        (three_colours["red-just"].pk, -1),
    ]


def test_a_deadline_due_today_is_not_yet_red(three_colours):
    listed = json.loads(run("deadlines", "--format", "json", "--now", "2026-10-30T23:59:00+08:00"))

    due_today = next(entry for entry in listed if entry["id"] == three_colours["red-just"].pk)
    assert (due_today["colour"], due_today["days_left"]) == ("yellow", 0)


def test_deadlines_prints_a_table_in_text(case, other_case, three_colours):
    lines = run("deadlines", "--colour", "red").splitlines()

    assert lines[0].split() == [
        "colour",
        "days",
        "left",
        "due",
        "on",
        "status",
        "kind",
        "responsible",
        "subject",
    ]
    assert len(lines) == 3
    assert lines[1].split()[:6] == ["red", "-7", "2026-10-26", "open", "answer", "市数据局"]
    assert lines[1].endswith(str(other_case))
    assert lines[2].endswith(str(case))


def test_deadlines_says_so_when_there_are_none(case, time_machine):
    time_machine.move_to(at(2026, 11, 2, 9), tick=False)

    assert run("deadlines").strip() == "No live deadlines."
    assert run("deadlines", "--colour", "red").strip() == "No live deadlines of that colour."
    assert json.loads(run("deadlines", "--format", "json")) == []


def test_deadlines_refuses_an_unknown_colour(three_colours):
    with pytest.raises(CommandError, match="invalid choice"):
        run("deadlines", "--colour", "blue")


def test_deadlines_refuses_a_now_without_an_offset(three_colours):
    with pytest.raises(CommandError, match="needs a UTC offset"):
        run("deadlines", "--now", "2026-10-31T09:00:00")


def test_deadlines_fetches_the_subjects_in_a_fixed_number_of_queries(case, time_machine):
    time_machine.move_to(at(2026, 9, 1, 10), tick=False)

    def queries_to_list(count: int) -> int:
        Deadline.objects.all().delete()
        for _ in range(count):
            deadline_open(
                subject=Case.objects.create(title="来函", owner="owner"),
                kind="answer",
                policy_key="answer",
                starts_on=D(2026, 9, 1),
                responsible="desk",
            )
        # A task is named after its case: the list must fetch that too, not once a line.
        task = Task.objects.create(case=case, number=count, title="报送材料")
        deadline_open(
            subject=task,
            kind="task",
            policy_key="task",
            starts_on=D(2026, 9, 1),
            due_on=D(2026, 10, 30),
            responsible="desk",
        )
        with CaptureQueriesContext(connection) as context:
            listed = json.loads(run("deadlines", "--format", "json"))
        assert len(listed) == count + 1
        assert {entry["subject"] for entry in listed} >= {str(task)}
        return len(context.captured_queries)

    assert queries_to_list(2) == queries_to_list(12)
