"""How the machine's tests take its steps: thin callers of the engine, as a domain's services are."""

from __future__ import annotations

from django.db.models import Max

from tests.workflows.machine.models import Case, Task
from workflows.transitions import perform_child_write, perform_transition, perform_write


def take(record, name: str, actor, *, note: str = "", expected_version=None, **arguments):
    """Take the transition `name` with these arguments (`on`, `reason`)."""
    return perform_transition(
        instance=record,
        name=name,
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments=arguments,
    )


def retitle(case: Case, actor, title: str, *, expected_version=None) -> Case:
    def change(locked: Case) -> None:
        locked.title = title

    return perform_write(
        instance=case, name="retitle", actor=actor, expected_version=expected_version, change=change
    )


def report_progress(task: Task, actor, progress: str) -> Task:
    def change(locked: Task) -> None:
        locked.progress = progress

    return perform_write(
        instance=task, name="report_progress", actor=actor, expected_version=None, change=change
    )


def _next_number(case: Case) -> int:
    return (case.tasks.aggregate(last=Max("number"))["last"] or 0) + 1


def add_task(case: Case, actor, title: str, due_on=None) -> Task:
    """One task, numbered after the last under the case's lock."""

    def add(locked: Case) -> Task:
        return Task.objects.create(
            case=locked, number=_next_number(locked), title=title, due_on=due_on
        )

    return perform_child_write(record=case, name="add_task", actor=actor, change=add)


def add_tasks(case: Case, actor, titles: list[str], due_on=None) -> list[Task]:
    """Several tasks in one write, numbered together: the audit entry is the case's."""
    added: list[Task] = []

    def add(locked: Case) -> Case:
        first = _next_number(locked)
        added.extend(
            Task.objects.bulk_create(
                Task(case=locked, number=first + i, title=title, due_on=due_on)
                for i, title in enumerate(titles)
            )
        )
        return locked

    perform_child_write(
        record=case, name="add_task", actor=actor, change=add, data={"tasks": len(titles)}
    )
    return added


def put(obj, state: str | None = None, **values):
    """Set columns directly, past the protected state field, as a fixture would; reload."""
    if state is not None:
        values["state"] = state
    type(obj).objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()
    return obj
