"""The engine's tests stand on their own machine (tests/workflows/machine), never on the domain's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.workflows.machine.deadlines import (
    ANSWER,
    PROGRESS,
    RESOLUTION,
    REVIEW,
    TASK,
    URGENT_ANSWER,
)
from tests.workflows.machine.models import Case
from tests.workflows.machine.rules import ENGINE_RULES
from workflows.models import DeadlinePolicy, DurationUnit

User = get_user_model()


@pytest.fixture(autouse=True)
def engine_rules(monkeypatch):
    """The engine's permissions as the machine grants them, for this test only."""
    for name, predicate in ENGINE_RULES.items():
        monkeypatch.setitem(rules.permissions.permissions, name, predicate)


@dataclass
class People:
    """One person of each kind the machine knows."""

    owner: User  # files the case, adds its tasks, withdraws it
    other_owner: User  # files cases of their own
    desk: User  # answers cases
    clerk: User  # accepts, sends back, closes; edits policies, extends deadlines
    other_clerk: User
    reader: User  # reads deadlines and policies, changes nothing
    outsider: User  # signed in, in no group, owns nothing


def person(username: str, *groups: str, email: str | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org" if email is None else email,
        password="pass",
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def people(db) -> People:
    return People(
        owner=person("owner"),
        other_owner=person("other_owner"),
        desk=person("desk", "desk"),
        clerk=person("clerk", "clerks"),
        other_clerk=person("other_clerk", "clerks"),
        reader=person("reader", "readers"),
        outsider=person("outsider"),
    )


# key: name, duration, unit, reminders, repeats every (months)
POLICIES = {
    ANSWER: ("答复来函", 1, DurationUnit.MONTHS, [20], None),
    URGENT_ANSWER: ("答复急件", 15, DurationUnit.WORKING_DAYS, [], None),
    RESOLUTION: ("办结", 2, DurationUnit.MONTHS, [20], None),
    TASK: ("办理事项", None, DurationUnit.CALENDAR_DAYS, [20], None),
    PROGRESS: ("报告进展", 6, DurationUnit.MONTHS, [20], 6),
    REVIEW: ("复核", 60, DurationUnit.CALENDAR_DAYS, [20], None),
}


@pytest.fixture
def policies(db) -> dict[str, DeadlinePolicy]:
    """The machine's policies, with the engine's defaults for colours and overdue reminders."""
    return {
        key: DeadlinePolicy.objects.create(
            key=key,
            name=name,
            duration=duration,
            unit=unit,
            reminder_days=reminders,
            repeats_every_months=repeats,
        )
        for key, (name, duration, unit, reminders, repeats) in POLICIES.items()
    }


@pytest.fixture
def case(people, policies) -> Case:
    """A draft case of the owner's, answered by 市科学技术局 (the policies in place)."""
    return Case.objects.create(title="关于报送材料的来函", owner="owner", desk="市科学技术局")


@pytest.fixture
def other_case(people, policies) -> Case:
    return Case.objects.create(title="关于核实情况的来函", owner="other_owner", desk="市数据局")
