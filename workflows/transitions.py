"""Running one state-machine transition the way every service must: lock, check, change, audit."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, Transition

from workflows.audit import audit_record
from workflows.errors import ConditionFailed, PermissionDenied, StaleObject, WrongState
from workflows.guards import problems_of
from workflows.models import StatefulModel

Model = TypeVar("Model", bound=StatefulModel)

# Callables run inside the transaction after the audit row of every transition and every
# write, with (instance, name, source, target); for a write, name is its action. The domain registers them (deadlines,
# outbox) so the engine never imports the domain.
_after_transition_hooks: list[Callable[..., None]] = []


# Per model, the relations read with the row lock because the rules, conditions or hooks read
# them (an item's inspection): one query instead of one more per relation. Only the row itself
# is locked.
_read_with_lock: dict[type[models.Model], tuple[str, ...]] = {}


def register_after_transition(hook: Callable[..., None]) -> Callable[..., None]:
    """Run `hook` in the same transaction after every transition or write (deadlines, e-mail)."""
    _after_transition_hooks.append(hook)
    return hook


def register_read_with_lock(model: type[models.Model], *related: str) -> None:
    """Read `related` (select_related paths) in the locking query of every step on `model`."""
    _read_with_lock[model] = related


def _lock(instance: StatefulModel) -> Any:
    """The row as it is now, locked until the transaction ends (its relations read, not locked)."""
    model = type(instance)
    rows = model.objects.select_for_update(of=("self",))
    related = _read_with_lock.get(model)
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


def _run_hooks(**event: Any) -> None:
    for hook in _after_transition_hooks:
        hook(**event)


def transitions_of(model: type[models.Model], name: str) -> list[Transition]:
    """Every (source → target) edge of the transition method `name`."""
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{model.__name__}.{name} is not a transition")
    return list(meta.transitions.values())


def transition_label(model: type[models.Model], name: str) -> str:
    """The person-readable name of a transition, from its `custom={"label": ...}`."""
    return str(transitions_of(model, name)[0].custom.get("label", name.replace("_", " ")))


def may_take(instance: StatefulModel, name: str, user: Any) -> bool:
    """Whether `user` holds the transition's permission on `instance` (state not considered)."""
    return transitions_of(type(instance), name)[0].has_perm(instance, user)


def perform_transition(
    *,
    instance: Model,
    name: str,
    actor: Any,
    note: str = "",
    data: dict | None = None,
    arguments: dict | None = None,
) -> Model:
    """Take transition `name` on `instance` for `actor`, atomically, and return the saved row.

    `instance` is the row as the caller saw it: if its version is no longer the
    database's, someone else acted first and the caller gets StaleObject.
    """
    model = type(instance)
    edges = transitions_of(model, name)
    method = getattr(model, name)
    field = method._django_fsm.field
    with transaction.atomic():
        locked = _lock(instance)
        if locked.version != instance.version:
            raise StaleObject()
        if not edges[0].has_perm(locked, actor):
            raise PermissionDenied()
        source = field.value_from_object(locked)
        edge = method._django_fsm.get_transition(source)
        if edge is None:
            raise WrongState(
                _("“%(action)s” is not possible while the %(subject)s is “%(state)s”.")
                % {
                    "action": transition_label(model, name),
                    "subject": model._meta.verbose_name,
                    "state": getattr(locked, f"get_{field.name}_display")(),
                }
            )
        problems = [p for condition in edge.conditions for p in problems_of(condition, locked)]
        if problems:
            raise ConditionFailed(details=problems)
        before = _snapshot(locked)
        getattr(locked, name)(**(arguments or {}))
        _save_changes(locked, before)
        target = field.value_from_object(locked)
        audit_record(
            subject=locked,
            actor=actor,
            action=name,
            from_state=source,
            to_state=target,
            note=note,
            data={**_recordable(arguments or {}), **(data or {})},
        )
        _run_hooks(instance=locked, name=name, source=source, target=target)
    return locked


def _lock_and_check(
    instance: StatefulModel,
    *,
    actor: Any,
    permission: str,
    allowed_states: tuple[str, ...] | None,
    check_version: bool,
) -> tuple[Any, str]:
    """Inside the caller's transaction: the locked row and its state, once every check passed."""
    model = type(instance)
    locked = _lock(instance)
    if check_version and locked.version != instance.version:
        raise StaleObject()
    if not actor.has_perm(permission, locked):
        raise PermissionDenied()
    state = getattr(locked, "state", "")
    if allowed_states is not None and state not in allowed_states:
        raise WrongState(
            _("This is not possible while the %(subject)s is “%(state)s”.")
            % {"subject": model._meta.verbose_name, "state": locked.get_state_display()}
        )
    return locked, state


def perform_write(
    *,
    instance: Model,
    actor: Any,
    permission: str,
    action: str,
    change: Callable[[Model], Any],
    allowed_states: tuple[str, ...] | None = None,
    note: str = "",
    data: dict | None = None,
) -> Model:
    """Make a change that is not a transition with the same guarantees: lock, version, permission,
    state, audit row, all in one transaction. `change` edits the locked row or its children.
    """
    with transaction.atomic():
        locked, state = _lock_and_check(
            instance,
            actor=actor,
            permission=permission,
            allowed_states=allowed_states,
            check_version=True,
        )
        before = _snapshot(locked)
        change(locked)
        _save_changes(locked, before)
        audit_record(
            subject=locked,
            actor=actor,
            action=action,
            from_state=state,
            to_state=state,
            note=note,
            data=data,
        )
        _run_hooks(instance=locked, name=action, source=state, target=state)
    return locked


def perform_child_write(
    *,
    parent: StatefulModel,
    actor: Any,
    permission: str,
    action: str,
    change: Callable[[Any], models.Model],
    allowed_states: tuple[str, ...] | None = None,
    note: str = "",
    data: dict | None = None,
) -> models.Model:
    """Create or edit a child row (a finding, a plan item) under the parent's row lock.

    The parent's lock serialises numbering and state checks; its version is left alone,
    so adding a finding does not make the inspection's open forms stale. `change` returns
    the child, which gets the audit row.
    """
    with transaction.atomic():
        locked, state = _lock_and_check(
            parent,
            actor=actor,
            permission=permission,
            allowed_states=allowed_states,
            check_version=False,
        )
        child = change(locked)
        audit_record(
            subject=child,
            actor=actor,
            action=action,
            to_state=getattr(child, "state", ""),
            note=note,
            data=data,
        )
        _run_hooks(instance=child, name=action, source=state, target=state)
    return child
