"""Taking one registered step the way every service must: lock, check, change, audit, follow."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from workflows.audit import audit_record
from workflows.deadlines import deadlines_follow
from workflows.errors import ConditionFailed, PermissionDenied, StaleObject, WrongState
from workflows.guards import problems_of
from workflows.models import StatefulModel
from workflows.registry import read_with_lock, step_of
from workflows.steps import Step

Model = TypeVar("Model", bound=StatefulModel)


def _lock(instance: StatefulModel) -> Any:
    """The row as it is now, locked until the transaction ends (its relations read, not locked).

    The relations are those the model registered (`read_with_lock`): what its rules,
    conditions and letters read, in one query instead of one more per relation.
    """
    model = type(instance)
    rows = model.objects.select_for_update(of=("self",))
    related = read_with_lock(model)
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=instance.pk)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's column values, to tell afterwards which ones a step changed."""
    return {
        field.attname: copy.deepcopy(value) if isinstance(value, dict | list) else value
        for field in instance._meta.concrete_fields
        if not field.primary_key
        for value in (field.value_from_object(instance),)
    }


def _save_changes(locked: StatefulModel, before: dict[str, Any]) -> None:
    """Bump the version and write only the columns the step changed.

    django-fsm's ConcurrentTransitionMixin still adds the state as loaded to the UPDATE's
    WHERE, so a save whose state changed underneath raises ConcurrentTransition → StaleObject.
    """
    locked.version += 1
    changed = [
        field.name
        for field in locked._meta.concrete_fields
        if not field.primary_key
        and (
            field.attname == "version"
            or getattr(field, "auto_now", False)
            or field.value_from_object(locked) != before[field.attname]
        )
    ]
    try:
        locked.save(update_fields=changed)
    except ConcurrentTransition as error:
        raise StaleObject() from error


def _recordable(arguments: dict) -> dict:
    """A transition's arguments as the audit row keeps them: dates as ISO text, rows by id.

    The date an event happened ("on") is often not the day it was recorded.
    """
    kept = {}
    for key, value in arguments.items():
        if isinstance(value, datetime.date):
            kept[key] = value.isoformat()
        elif isinstance(value, models.Model):
            kept[key] = value.pk
        elif isinstance(value, str | int | float | bool) or value is None:
            kept[key] = value
    return kept


def _follow(step: Step, instance: models.Model) -> None:
    """What the step declares beyond its own row, in its transaction: deadlines, then letters."""
    deadlines_follow(step, instance)
    if step.tells is not None:
        step.tells(instance, step)


def _check_version(locked: StatefulModel, instance: StatefulModel, expected: int | None) -> None:
    """Refuse a step on a row someone changed since the person saw it (StaleObject)."""
    if locked.version != (instance.version if expected is None else expected):
        raise StaleObject()


def _wrong_state(step: Step, locked: models.Model) -> WrongState:
    model = type(locked)
    if step.is_transition:
        return WrongState(
            _("“%(action)s” is not possible while the %(subject)s is “%(state)s”.")
            % {
                "action": step.label,
                "subject": model._meta.verbose_name,
                "state": locked.get_state_display(),
            }
        )
    return WrongState(
        _("This is not possible while the %(subject)s is “%(state)s”.")
        % {"subject": model._meta.verbose_name, "state": locked.get_state_display()}
    )


def _check_conditions(step: Step, locked: models.Model) -> None:
    """Run each of the step's conditions once and refuse with every problem they list."""
    problems = [p for condition in step.conditions for p in problems_of(condition, locked)]
    if problems:
        raise ConditionFailed(details=problems)


def perform_transition(
    *,
    instance: Model,
    name: str,
    actor: Any,
    expected_version: int | None,
    note: str = "",
    data: dict | None = None,
    arguments: dict | None = None,
) -> Model:
    """Take the registered transition `name` on `instance` for `actor`, atomically.

    `expected_version` is the version the person saw; if the database's row has moved on,
    someone else acted first and the caller gets StaleObject. None means the version of
    `instance` as the caller loaded it (a command or task acting on the row it just read).
    Checks, in order: version, permission, state, conditions (each run once). Then the
    transition body sets the fields, the changed columns are saved, the audit row written and
    the step's deadlines and letters follow, all in one transaction. Returns the saved row.
    """
    model = type(instance)
    step = step_of(model, name)
    if not step.is_transition:
        raise ValueError(f"{step} is not a transition")
    with transaction.atomic():
        locked = _lock(instance)
        _check_version(locked, instance, expected_version)
        # The step's sources are the machine's (checked at registration), so one check of
        # permission and state serves transitions and writes alike.
        source = _check_allowed(step, locked, actor)
        _check_conditions(step, locked)
        before = _snapshot(locked)
        getattr(locked, name)(**(arguments or {}))
        _save_changes(locked, before)
        audit_record(
            subject=locked,
            actor=actor,
            action=name,
            from_state=source,
            to_state=locked.state,
            note=note,
            data={**_recordable(arguments or {}), **(data or {})},
        )
        _follow(step, locked)
    return locked


def _check_allowed(step: Step, locked: StatefulModel, actor: Any) -> str:
    """Refuse a step the actor may not take, or one the locked row's state does not allow;
    returns that state."""
    if not step.is_allowed(locked, actor):
        raise PermissionDenied()
    if locked.state not in step.sources:
        raise _wrong_state(step, locked)
    return locked.state


def _write_step(model: type[models.Model], name: str) -> Step:
    step = step_of(model, name)
    if step.is_transition:
        raise ValueError(f"{step} is a transition: take it with perform_transition")
    return step


def perform_write(
    *,
    instance: Model,
    name: str,
    actor: Any,
    expected_version: int | None,
    change: Callable[[Model], Any],
    note: str = "",
    data: dict | None = None,
) -> Model:
    """Take the registered write `name` (a change that keeps the state) with a transition's
    guarantees: version, permission, state, audit row, deadlines and letters, in one
    transaction. `change` edits the locked row or its children. `expected_version` is as for
    `perform_transition`.
    """
    step = _write_step(type(instance), name)
    with transaction.atomic():
        locked = _lock(instance)
        _check_version(locked, instance, expected_version)
        state = _check_allowed(step, locked, actor)
        before = _snapshot(locked)
        change(locked)
        _save_changes(locked, before)
        audit_record(
            subject=locked,
            actor=actor,
            action=name,
            from_state=state,
            to_state=state,
            note=note,
            data=data,
        )
        _follow(step, locked)
    return locked


def perform_child_write(
    *,
    record: StatefulModel,
    name: str,
    actor: Any,
    change: Callable[[Any], models.Model],
    note: str = "",
    data: dict | None = None,
) -> models.Model:
    """Take the registered write `name` that adds, edits or removes a child row (a finding, a
    plan item) under the lock of its parent: `record` itself, or the row the step `locks`.

    The parent's lock serialises numbering and state checks; its version is left alone, so
    adding a finding does not make the inspection's open forms stale. `change` gets the locked
    parent and returns the row the audit entry is about.
    """
    step = _write_step(type(record), name)
    with transaction.atomic():
        parent = _lock(step.state_holder(record))
        _check_allowed(step, parent, actor)
        child = change(parent)
        audit_record(
            subject=child,
            actor=actor,
            action=name,
            to_state=getattr(child, "state", ""),
            note=note,
            data=data,
        )
        _follow(step, child)
    return child
