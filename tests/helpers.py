"""Small set-up and assertion helpers shared by the test modules."""

from __future__ import annotations

import datetime

import pytest

from tests import factories as f
from workflows.audit import audit_trail
from workflows.deadlines import deadline_open


def put(obj, state: str | None = None, **values):
    """Set columns directly, past the protected state field, as a fixture would; reload."""
    if state is not None:
        values["state"] = state
    type(obj).objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()
    return obj


def fresh(obj):
    """The row as the database has it now."""
    return type(obj).objects.get(pk=obj.pk)


def assert_last_audit(obj, *, actor, action, from_state, to_state, note="", data=None):
    entry = audit_trail(obj).last()
    assert entry is not None
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.note) == (
        actor,
        action,
        from_state,
        to_state,
        note,
    )
    if data is not None:
        assert entry.data == data


def refuse(error_type, call):
    """The error `call` raises, which must be an `error_type`."""
    with pytest.raises(error_type) as caught:
        call()
    return caught.value


def numbered_problems(world, number: int) -> None:
    """Finding and item `number` of world.inspection, the item with its deadline (due 12-01)."""
    f.FindingFactory(inspection=world.inspection, number=number, recorded_by=world.team_member)
    item = f.RectificationItemFactory(inspection=world.inspection, number=number)
    deadline_open(
        subject=item,
        kind="item",
        policy_key="item",
        starts_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
        responsible="unit",
    )
