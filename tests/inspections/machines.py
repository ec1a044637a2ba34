"""A table-driven harness for a machine's transitions: one Case per step, the same checks on all."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.db import models

from tests.helpers import fresh, put
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import InvalidInput, PermissionDenied, StaleObject, WrongState

# What a person may leave in a required reason: nothing, only spaces, or no value at all.
BLANKS = (("", "empty"), ("   ", "spaces"), (None, "none"))


@dataclass(frozen=True)
class Case:
    """One transition of the machine and what taking it must record."""

    name: str
    service: Callable[..., Any]
    sources: tuple[str, ...]
    target: str
    allowed: tuple[str, ...]
    inputs: dict
    recorded: dict = field(default_factory=dict)

    @property
    def note(self) -> str:
        return self.inputs.get("reason", self.inputs.get("note", ""))

    @property
    def denied(self) -> tuple[str, ...]:
        return tuple(role for role in ROLES if role not in self.allowed)

    @property
    def date_field(self) -> str | None:
        """The column the event date (`on`) goes into, if the step takes one."""
        if "on" not in self.inputs:
            return None
        return next(name for name in self.recorded if name.endswith("_on"))

    def __str__(self) -> str:
        return self.name


def _nothing_beside(obj: models.Model) -> dict:
    return {}


@dataclass(frozen=True)
class Machine:
    """One machine's table, and what the checks need to take its steps in the `world`."""

    model: type[models.Model]
    # The keyword the machine's services take the row by: round_=, team=, inspection=.
    subject: str
    states: type[models.TextChoices]
    cases: tuple[Case, ...]
    # The world's row in a state, with every condition of the steps leaving it satisfied.
    prepare: Callable[[Any, str], models.Model]
    # The date the module's frozen clock reads in Shanghai.
    today: datetime.date
    # pytest.params of (case, change, field name): bad inputs beyond those every machine has.
    bad_inputs: tuple = ()
    # What else of the row a refused step must leave as it was, such as a team's seats.
    beside: Callable[[models.Model], dict] = _nothing_beside

    def take(
        self, case: Case, obj: models.Model, actor, *, leaving_out: str = "", **changes
    ) -> models.Model:
        """Take `case`'s step on `obj` as `actor`, with its inputs but the one `leaving_out`,
        and any `changes` to them."""
        inputs = {name: value for name, value in case.inputs.items() if name != leaving_out}
        return case.service(**{self.subject: obj}, actor=actor, **{**inputs, **changes})

    def snapshot(self, obj: models.Model) -> dict:
        """Every column of the stored row, what else it holds, and how many audit rows it has."""
        stored = fresh(obj)
        values = {
            column.attname: getattr(stored, column.attname) for column in self.model._meta.fields
        }
        return {**values, **self.beside(stored), "audit_entries": audit_trail(stored).count()}

    # What each check runs over ---------------------------------------------------------------

    def each_case(self) -> list:
        return [pytest.param(case, id=str(case)) for case in self.cases]

    def dated_cases(self) -> list:
        return [pytest.param(case, id=str(case)) for case in self.cases if case.date_field]

    def allowed_roles(self) -> list:
        return [
            pytest.param(case, role, source, id=f"{case}-{role}-{source}")
            for case in self.cases
            for role in case.allowed
            for source in case.sources
        ]

    def wrong_states(self) -> list:
        return [
            pytest.param(case, state, id=f"{case}-from-{state}")
            for case in self.cases
            for state in self.states
            if state not in case.sources
        ]

    def denied_roles(self) -> list:
        return [
            pytest.param(case, role, id=f"{case}-{role}")
            for case in self.cases
            for role in case.denied
        ]

    def bad_input(self) -> list:
        tomorrow = self.today + datetime.timedelta(days=1)
        params = [
            pytest.param(case, {"on": tomorrow}, "on", id=f"{case}-future-date")
            for case in self.cases
            if case.date_field
        ]
        params += [
            pytest.param(case, {"reason": blank}, "reason", id=f"{case}-reason-{label}")
            for blank, label in BLANKS
            for case in self.cases
            if "reason" in case.inputs
        ]
        return [*params, *self.bad_inputs]


def over(argnames: str, params: Callable[[Machine], list]):
    """Run the check once for each of `params(machine)`, the machine the test class names."""

    def mark(check):
        check.over = (argnames, params)
        return check

    return mark


class TransitionChecks:
    """What every transition of a machine must do; a module's Test class names the machine.

    The checks take each step as the first of its allowed roles unless they say otherwise.
    """

    machine: ClassVar[Machine]

    # Each check says what it runs over (`over`); only the subclass knows for which machine.
    def pytest_generate_tests(self, metafunc):
        argnames, params = metafunc.function.over
        metafunc.parametrize(argnames, params(self.machine))

    def actor(self, world, case: Case):
        return getattr(world, case.allowed[0])

    # Allowed ---------------------------------------------------------------------------------

    @over("case, role, source", Machine.allowed_roles)
    def test_an_allowed_role_takes_the_transition_and_it_is_recorded(
        self, world, case, role, source
    ):
        obj = self.machine.prepare(world, source)
        actor = getattr(world, role)

        result = self.machine.take(case, obj, actor)

        saved = fresh(obj)
        assert saved.state == case.target
        assert saved.version == obj.version + 1
        assert {name: getattr(saved, name) for name in case.recorded} == case.recorded
        assert (result.pk, result.state, result.version) == (saved.pk, saved.state, saved.version)
        (entry,) = audit_trail(saved)
        assert entry.actor == actor
        assert entry.action == case.name
        assert (entry.from_state, entry.to_state) == (source, case.target)
        assert entry.note == case.note

    @over("case", Machine.dated_cases)
    def test_the_event_date_defaults_to_today(self, world, case):
        obj = self.machine.prepare(world, case.sources[0])

        self.machine.take(case, obj, self.actor(world, case), leaving_out="on")

        assert getattr(fresh(obj), case.date_field) == self.machine.today

    # Wrong state -----------------------------------------------------------------------------

    @over("case, state", Machine.wrong_states)
    def test_a_transition_from_a_state_it_does_not_start_from_is_refused(self, world, case, state):
        obj = self.machine.prepare(world, state)
        before = self.machine.snapshot(obj)

        with pytest.raises(WrongState) as refused:
            self.machine.take(case, obj, self.actor(world, case))

        assert refused.value.code == "wrong_state"
        assert self.machine.snapshot(obj) == before
        if case.date_field:
            assert getattr(fresh(obj), case.date_field) is None

    # Permission ------------------------------------------------------------------------------

    @over("case, role", Machine.denied_roles)
    def test_a_role_the_permission_table_does_not_name_is_refused(self, world, case, role):
        obj = self.machine.prepare(world, case.sources[0])
        before = self.machine.snapshot(obj)

        with pytest.raises(PermissionDenied) as refused:
            self.machine.take(case, obj, getattr(world, role))

        assert refused.value.code == "permission_denied"
        assert self.machine.snapshot(obj) == before

    # Concurrency -----------------------------------------------------------------------------

    @over("case", Machine.each_case)
    def test_the_first_of_two_concurrent_transitions_wins_and_the_second_is_stale(
        self, world, case
    ):
        obj = self.machine.prepare(world, case.sources[0])
        first, second = fresh(obj), fresh(obj)
        actor = self.actor(world, case)

        self.machine.take(case, first, actor)
        after_first = self.machine.snapshot(first)
        with pytest.raises(StaleObject) as refused:
            self.machine.take(case, second, actor)

        assert refused.value.code == "stale"
        assert self.machine.snapshot(first) == after_first
        assert after_first["state"] == case.target
        assert after_first["version"] == second.version + 1
        assert after_first["audit_entries"] == 1

    @over("case", Machine.each_case)
    def test_a_transition_on_a_version_someone_has_changed_since_the_person_saw_it_is_stale(
        self, world, case
    ):
        obj = self.machine.prepare(world, case.sources[0])
        seen = obj.version
        # Someone else changes the row after the person saw it; the copy in hand is current.
        put(obj, version=seen + 1)
        before = self.machine.snapshot(obj)

        with pytest.raises(StaleObject) as refused:
            self.machine.take(case, obj, self.actor(world, case), expected_version=seen)

        assert refused.value.code == "stale"
        assert self.machine.snapshot(obj) == before

    @over("case", Machine.each_case)
    def test_a_transition_on_the_version_the_person_saw_goes_through(self, world, case):
        obj = self.machine.prepare(world, case.sources[0])

        self.machine.take(case, obj, self.actor(world, case), expected_version=obj.version)

        saved = fresh(obj)
        assert (saved.state, saved.version) == (case.target, obj.version + 1)

    # Bad input -------------------------------------------------------------------------------

    @over("case, change, field_name", Machine.bad_input)
    def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
        self, world, case, change, field_name
    ):
        obj = self.machine.prepare(world, case.sources[0])
        before = self.machine.snapshot(obj)

        with pytest.raises(InvalidInput) as refused:
            self.machine.take(case, obj, self.actor(world, case), **change)

        assert refused.value.code == "invalid"
        assert field_name in refused.value.fields
        assert self.machine.snapshot(obj) == before
