"""One declaration per step of a machine: who takes it, from which states, with which form,
which deadlines it opens or meets, and who is told.

The domain declares its steps here and registers them with `workflows.registry` in its
`AppConfig.ready()`; the engine (`workflows.transitions`) reads the registered step when it runs
one, and the faces (pages, API, admin) list and take steps from the same entries.
"""

from __future__ import annotations

import datetime
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models


def _the_record(instance: Any) -> list[Any]:
    return [instance]


def _no_due_date(_subject: Any) -> datetime.date | None:
    return None


@dataclass(frozen=True)
class Opens:
    """An obligation a step creates: its kind, policy, start, and who must meet it."""

    kind: str
    # A policy key, or a function of the record that picks one (on-site: 60 or 30 days).
    policy: str | Callable[[Any], str]
    starts: Callable[[Any], datetime.date]
    # The responsible party, as the domain's adapter names it (unit, team, receiving organ).
    responsible: str
    # The rows that carry the obligation; by default the one the step was taken on.
    subjects: Callable[[Any], Iterable[models.Model]] = _the_record
    # For obligations whose day is set case by case (the plan's items).
    due_on: Callable[[Any], datetime.date | None] = _no_due_date

    def policy_for(self, instance: Any) -> str:
        return self.policy if isinstance(self.policy, str) else self.policy(instance)


@dataclass(frozen=True)
class Deadlines:
    """What a step does to its record's deadlines, by kind."""

    opens: tuple[Opens, ...] = ()
    meets: tuple[str, ...] = ()
    reopens: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    # Only while this holds (a progress report meets a deadline only on a long-term item).
    when: Callable[[Any], bool] | None = None

    def __bool__(self) -> bool:
        return bool(self.opens or self.meets or self.reopens or self.cancels)

    def apply_to(self, instance: Any) -> bool:
        return bool(self) and (self.when is None or self.when(instance))


NO_DEADLINES = Deadlines()

# A letter writer: given the saved record and its step, it writes the step's letters to the
# outbox inside the step's transaction (so a rolled-back step writes none).
Tells = Callable[[Any, "Step"], None]


@dataclass(frozen=True)
class Step:
    """One thing a person may do to a record: a transition of its machine, or a write kept in
    the audit trail that leaves the state as it is.

    `permission` names a rule; `sources` are the states the step may start from (of the row
    named by `locks`, when the step is taken on a child of that row); `target` is the state a
    transition leads to, "" for a write. The engine checks the transitions' `sources` and
    `target` against the model's django-fsm declarations when the steps are registered.
    """

    model: type[models.Model]
    name: str
    label: Any  # lazy text, read in the reader's language
    permission: str
    sources: tuple[str, ...]
    target: str = ""
    # Each condition lists what stands in the way (workflows.guards.guard); run once per attempt.
    conditions: tuple[Callable[[Any], bool], ...] = ()
    deadlines: Deadlines = NO_DEADLINES
    tells: Tells | None = None
    # A step on a child (a plan item) that is serialised by its parent's lock (the
    # inspection's): the relation to that parent. "" locks the record itself.
    locks: str = ""

    # How people take it: the service (keyword `subject` for the record) and its form. A step
    # without a form is taken only by the services' own callers (imports, the admin inlines).
    service: Callable[..., Any] | None = None
    subject: str = ""
    form: type | None = None
    # The admin offers it as a bulk action (steps whose form asks for nothing but the date).
    admin: bool = False
    # A further check on the record beyond its state; the service checks it again under its lock.
    applies: Callable[[Any], bool] | None = None
    # What an unbound form starts with (a change form shows the record as it stands).
    initial: Callable[[Any], dict[str, Any]] | None = None
    # Its form takes a file: the pages post it as multipart; the JSON API does not offer it.
    multipart: bool = False
    # The kind of record it adds under this one (the API answers with the new record).
    creates: type[models.Model] | None = None
    # It deletes the record it is taken on (the API answers with no body).
    removes: bool = False

    @property
    def is_transition(self) -> bool:
        return bool(self.target)

    @property
    def offered(self) -> bool:
        """Whether people take it through a form (pages, API), not only programs."""
        return self.form is not None and self.service is not None

    @functools.cached_property
    def takes_version(self) -> bool:
        """Whether its service checks the version the person saw (a stale form is refused)."""
        return self.service is not None and (
            "expected_version" in inspect.signature(self.service).parameters
        )

    def state_holder(self, instance: Any) -> Any:
        """The row whose state `sources` speak of: the record, or its parent for a child step."""
        return getattr(instance, self.locks) if self.locks else instance

    def is_open(self, instance: Any) -> bool:
        """Whether the record's state lets this step start (conditions are checked when taken)."""
        if self.state_holder(instance).state not in self.sources:
            return False
        return self.applies is None or self.applies(instance)

    def is_allowed(self, instance: Any, user: Any) -> bool:
        """Whether `user` holds the step's permission on `instance`."""
        return user.has_perm(self.permission, instance)

    def bind(
        self,
        instance: Any,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The step's form for `instance`: bound to `data`, or unbound with its initial values."""
        if self.form is None:
            raise ValueError(f"{self.model.__name__}.{self.name} has no form")
        if data is None and self.initial is not None:
            kwargs.setdefault("initial", self.initial(instance))
        return self.form(data, files, record=instance, **kwargs)

    def __str__(self) -> str:
        return f"{self.model.__name__}.{self.name}"
