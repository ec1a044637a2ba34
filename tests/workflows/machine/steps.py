"""The machine's steps, as a domain declares them: permission, states, conditions, deadlines, letters."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from functools import partial

from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.workflows.machine.deadlines import (
    ANSWER,
    DESK,
    PROGRESS,
    RESOLUTION,
    TASK,
    URGENT_ANSWER,
)
from tests.workflows.machine.models import Case, CaseState, Task, TaskState
from workflows.guards import guard
from workflows.outbox import Letter, outbox_write
from workflows.registry import Recipient
from workflows.steps import Deadlines, Opens, Step

C = CaseState
T = TaskState

# Conditions ------------------------------------------------------------------------------------


@guard
def has_tasks(case: Case) -> Iterator[str]:
    if not case.tasks.exists():
        yield "The case asks for nothing yet: add a task."


@guard
def every_task_is_done(case: Case) -> Iterator[str]:
    for task in case.tasks.exclude(state=T.DONE):
        yield f"Task {task.number} is not done."


def has_a_title(case: Case) -> bool:
    """A plain boolean condition, not a guard: the engine words the refusal from its name."""
    return bool(case.title.strip())


# Deadlines ---------------------------------------------------------------------------------------


def answer_policy(case: Case) -> str:
    return URGENT_ANSWER if case.urgent else ANSWER


def filed_on(case: Case) -> datetime.date:
    return case.filed_on


def accepted_on(case: Case) -> datetime.date:
    return case.accepted_on


def today(_record) -> datetime.date:
    return timezone.localdate()


def open_tasks(case: Case) -> Iterable[Task]:
    """The tasks still to do when the case is accepted: each is due on its own day."""
    return case.tasks.filter(state=T.OPEN)


def own_due_date(task: Task) -> datetime.date | None:
    return task.due_on


# Letters ------------------------------------------------------------------------------------------


def tell_the_owner(case: Case, step: Step) -> None:
    """A letter to the owner, written in the step's transaction.

    An owner without an address is an error here, so the tests have a letter writer that
    fails for a reason of its own after the audit row is written.
    """
    owner = get_user_model().objects.get(username=case.owner)
    if not owner.email:
        raise ValueError(f"{owner} has no e-mail address to be told at")
    outbox_write(
        [
            Letter(
                key=f"case:{case.pk}:{step.name}:{case.version}",
                template="emails/case",
                recipient=Recipient(owner.email, str(owner)),
                context={"case": case.pk, "step": step.name},
            )
        ]
    )


# Steps --------------------------------------------------------------------------------------------

case_step = partial(Step, Case, subject="case")
task_step = partial(Step, Task, subject="task")

CASE_STEPS = (
    case_step(
        "file",
        label="File the case",
        permission="machine.file_case",
        sources=(C.DRAFT,),
        target=C.FILED,
        conditions=(has_tasks,),
        deadlines=Deadlines(
            opens=(
                Opens("answer", answer_policy, filed_on, DESK),
                Opens("resolution", RESOLUTION, filed_on, DESK),
            )
        ),
    ),
    case_step(
        "answer",
        label="Answer the case",
        permission="machine.answer_case",
        sources=(C.FILED,),
        target=C.ANSWERED,
        deadlines=Deadlines(meets=("answer",)),
        tells=tell_the_owner,
    ),
    case_step(
        "send_back",
        label="Send the answer back",
        permission="machine.send_back_case",
        sources=(C.ANSWERED,),
        target=C.FILED,
        deadlines=Deadlines(reopens=("answer",)),
    ),
    case_step(
        "accept",
        label="Accept the answer",
        permission="machine.accept_case",
        sources=(C.ANSWERED,),
        target=C.ACCEPTED,
        conditions=(has_a_title,),
        deadlines=Deadlines(
            opens=(
                Opens("task", TASK, accepted_on, DESK, subjects=open_tasks, due_on=own_due_date),
            )
        ),
    ),
    case_step(
        "close",
        label="Close the case",
        permission="machine.close_case",
        sources=(C.ACCEPTED,),
        target=C.CLOSED,
        conditions=(every_task_is_done,),
        deadlines=Deadlines(meets=("resolution",)),
    ),
    case_step(
        "withdraw",
        label="Withdraw the case",
        permission="machine.withdraw_case",
        sources=(C.FILED, C.ANSWERED),
        target=C.WITHDRAWN,
        deadlines=Deadlines(cancels=("answer", "resolution")),
    ),
    # Writes that keep the state.
    case_step(
        "retitle",
        label="Change the title",
        permission="machine.retitle_case",
        sources=(C.DRAFT, C.FILED, C.ANSWERED),
    ),
    case_step(
        "add_task",
        label="Add a task",
        permission="machine.add_task_case",
        sources=(C.DRAFT, C.FILED),
    ),
)

TASK_STEPS = (
    task_step(
        "finish",
        label="Finish the task",
        permission="machine.finish_task",
        sources=(T.OPEN, T.LONG_RUNNING),
        target=T.DONE,
        deadlines=Deadlines(meets=("task", "progress")),
    ),
    task_step(
        "reopen",
        label="Reopen the task",
        permission="machine.reopen_task",
        sources=(T.DONE,),
        target=T.OPEN,
        deadlines=Deadlines(reopens=("task",)),
    ),
    task_step(
        "prolong",
        label="Make the task long-running",
        permission="machine.prolong_task",
        sources=(T.OPEN,),
        target=T.LONG_RUNNING,
        deadlines=Deadlines(cancels=("task",), opens=(Opens("progress", PROGRESS, today, DESK),)),
    ),
    # Only a long-running task's report is due: it meets that one and opens the next.
    task_step(
        "report_progress",
        label="Report progress",
        permission="machine.report_progress_task",
        sources=(T.OPEN, T.LONG_RUNNING),
        deadlines=Deadlines(
            meets=("progress",),
            opens=(Opens("progress", PROGRESS, today, DESK),),
            when=lambda task: task.state == T.LONG_RUNNING,
        ),
    ),
)
