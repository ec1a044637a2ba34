"""Two people acting at the same moment: real threads, each with its own database connection."""

import datetime
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from tests.workflows.machine.models import Case, CaseState, Task, TaskState
from tests.workflows.machine.services import add_task, add_tasks, put, retitle, take
from workflows.audit import audit_trail
from workflows.deadlines import deadlines_of
from workflows.errors import StaleObject
from workflows.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Longer than SQLite's busy timeout (20 s), so a queued writer is never cut off by the test.
JOIN_TIMEOUT = 30
BARRIER_TIMEOUT = 10
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2025, 3, 3)
TUESDAY = datetime.date(2025, 3, 4)


@dataclass
class Outcome:
    result: Any = None
    error: Exception | None = None


def race(load: Callable[[], Any], *acts: Callable[[Any], Any]) -> list[Outcome]:
    """Each act runs in its own thread on the object that thread loaded; a barrier starts them."""
    barrier = threading.Barrier(len(acts))
    outcomes = [Outcome() for _ in acts]

    def contender(outcome: Outcome, act: Callable[[Any], Any]) -> None:
        try:
            loaded = load()
            barrier.wait(timeout=BARRIER_TIMEOUT)
            outcome.result = act(loaded)
        except Exception as error:
            outcome.error = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=contender, args=(outcome, act), daemon=True)
        for outcome, act in zip(outcomes, acts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a contender did not finish"
    return outcomes


def one_wins(outcomes: list[Outcome]) -> int:
    """The index of the single winner; the other must have been told the row is stale."""
    winners = [i for i, outcome in enumerate(outcomes) if outcome.error is None]
    losers = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], StaleObject), outcomes
    assert losers[0].code == "stale"
    return winners[0]


def all_win(outcomes: list[Outcome]) -> None:
    assert [outcome.error for outcome in outcomes] == [None] * len(outcomes), outcomes


def test_two_clerks_accepting_at_once_one_wins_and_the_other_is_stale(people, case):
    case = put(case, state=CaseState.ANSWERED)
    contenders = [(people.clerk, MONDAY), (people.other_clerk, TUESDAY)]

    outcomes = race(
        lambda: Case.objects.get(pk=case.pk),
        *[
            lambda loaded, actor=actor, on=on: take(loaded, "accept", actor, on=on)
            for actor, on in contenders
        ],
    )

    winner, winners_date = contenders[one_wins(outcomes)]
    case.refresh_from_db()
    assert (case.state, case.accepted_on) == (CaseState.ACCEPTED, winners_date)
    assert case.version == 2
    assert [(e.actor, e.action) for e in audit_trail(case)] == [(winner, "accept")]


def test_the_owner_and_a_clerk_finishing_one_task_at_once_one_wins(people, case):
    put(case, state=CaseState.ACCEPTED)
    task = Task.objects.create(case=case, number=1, title="报送材料")
    contenders = [(people.owner, MONDAY), (people.clerk, TUESDAY)]

    outcomes = race(
        lambda: Task.objects.get(pk=task.pk),
        *[
            lambda loaded, actor=actor, on=on: take(loaded, "finish", actor, on=on)
            for actor, on in contenders
        ],
    )

    winner, winners_date = contenders[one_wins(outcomes)]
    task.refresh_from_db()
    assert (task.state, task.finished_on, task.version) == (TaskState.DONE, winners_date, 2)
    assert [(e.actor, e.action) for e in audit_trail(task)] == [(winner, "finish")]


def test_sending_back_and_accepting_one_answer_at_once_leaves_only_the_winners_state(people, case):
    case = put(case, state=CaseState.ANSWERED)
    contenders = [
        (
            "send_back",
            CaseState.FILED,
            lambda loaded: take(loaded, "send_back", people.clerk, reason="答复需补充"),
        ),
        (
            "accept",
            CaseState.ACCEPTED,
            lambda loaded: take(loaded, "accept", people.other_clerk, on=MONDAY),
        ),
    ]

    outcomes = race(lambda: Case.objects.get(pk=case.pk), *[act for _, _, act in contenders])

    action, target, _ = contenders[one_wins(outcomes)]
    case.refresh_from_db()
    assert (case.state, case.version) == (target, 2)
    if action == "accept":
        assert (case.accepted_on, case.reason) == (MONDAY, "")
    else:
        assert (case.accepted_on, case.reason) == (None, "答复需补充")
    assert [e.action for e in audit_trail(case)] == [action]


def test_two_clerks_making_one_task_long_running_at_once_one_wins(people, case, time_machine):
    time_machine.move_to(datetime.datetime(2025, 3, 3, 10, tzinfo=SHANGHAI), tick=False)
    put(case, state=CaseState.ACCEPTED)
    task = Task.objects.create(case=case, number=1, title="报送材料")
    contenders = [(people.clerk, "跨年度推进"), (people.other_clerk, "需要协调")]

    outcomes = race(
        lambda: Task.objects.get(pk=task.pk),
        *[
            lambda loaded, actor=actor, reason=reason: take(loaded, "prolong", actor, reason=reason)
            for actor, reason in contenders
        ],
    )

    winner, reason = contenders[one_wins(outcomes)]
    task.refresh_from_db()
    assert (task.state, task.reason, task.version) == (TaskState.LONG_RUNNING, reason, 2)
    assert [(e.actor, e.action) for e in audit_trail(task)] == [(winner, "prolong")]
    # The loser opened nothing: one progress report is due, not two.
    assert deadlines_of(task).filter(kind="progress").count() == 1


@pytest.mark.parametrize(
    "adders", [("owner", "clerk"), ("clerk", "other_clerk")], ids=["owner-clerk", "two-clerks"]
)
def test_two_tasks_added_at_once_are_numbered_one_and_two(people, case, adders):
    actors = [getattr(people, name) for name in adders]

    outcomes = race(
        lambda: Case.objects.get(pk=case.pk),
        *[
            lambda loaded, actor=actor: add_task(loaded, actor, f"{actor}的事项")
            for actor in actors
        ],
    )

    all_win(outcomes)
    assert sorted(case.tasks.values_list("number", flat=True)) == [1, 2]
    assert sorted(outcome.result.number for outcome in outcomes) == [1, 2]
    assert AuditEntry.objects.filter(action="add_task").count() == 2


def test_a_task_added_while_the_case_is_retitled_leaves_both_standing(people, case):
    """A child write takes the parent's lock but not its version: the owner's form stays fresh."""
    outcomes = race(
        lambda: Case.objects.get(pk=case.pk),
        lambda loaded: add_task(loaded, people.clerk, "补充事项"),
        lambda loaded: retitle(loaded, people.owner, "关于补充材料的来函"),
    )

    all_win(outcomes)
    case.refresh_from_db()
    assert (case.title, case.version) == ("关于补充材料的来函", 2)
    assert list(case.tasks.values_list("number", flat=True)) == [1]


def test_two_batches_of_tasks_added_at_once_never_share_a_number(people, case):
    outcomes = race(
        lambda: Case.objects.get(pk=case.pk),
        *[
            lambda loaded, actor=actor: add_tasks(
                loaded, actor, [f"{actor}事项{i}" for i in (1, 2)]
            )
            for actor in (people.owner, people.clerk)
        ],
    )

    all_win(outcomes)
    assert sorted(case.tasks.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert AuditEntry.objects.filter(action="add_task").count() == 2
