"""What the domain tells the engine about each of its models, filled once in `AppConfig.ready()`.

For each model: its steps (`workflows.steps.Step`), the adapter that names who is told about its
deadlines and what they read, and the relations read with its row lock. The engine never
imports the domain; it looks everything up here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from workflows.models import Deadline
from workflows.steps import Step


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    language: str = "zh-hans"


class DeadlineSubjects(Protocol):
    """What the domain tells the engine about the deadlines of one of its models."""

    def recipients_by_audience(
        self, wanted: Mapping[str, Sequence[Deadline]]
    ) -> dict[str, dict[int, list[Recipient]]]:
        """For each audience (responsible, supervisor, party_head, office), each of its
        deadlines' recipients."""

    def context(
        self, deadlines: Sequence[Deadline], language: str, *, now: datetime.datetime
    ) -> dict[int, dict]:
        """Each deadline's e-mail context (JSON-safe) in the recipient's language, as of `now`."""

    def responsible_name(self, subject: Any, responsible: str) -> str:
        """The name of the party that must meet a deadline of `subject` (kept on the row)."""


@dataclass(frozen=True)
class Registration:
    steps: dict[str, Step]
    deadlines: DeadlineSubjects | None
    read_with_lock: tuple[str, ...]


_registered: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    *,
    steps: Iterable[Step] = (),
    deadlines: DeadlineSubjects | None = None,
    read_with_lock: tuple[str, ...] = (),
) -> None:
    """Tell the engine about `model`: its steps, its deadlines' adapter, and the relations its
    rules, conditions and letters read (fetched in the query that locks the row).

    Refuses steps that disagree with the model's django-fsm transitions, so the two cannot drift.
    """
    by_name: dict[str, Step] = {}
    for step in steps:
        if step.model is not model:
            raise ImproperlyConfigured(f"{step} is registered for {model.__name__}")
        if step.name in by_name:
            raise ImproperlyConfigured(f"{step} is declared twice")
        by_name[step.name] = step
    check_against_machine(model, by_name.values())
    _registered[model] = Registration(by_name, deadlines, tuple(read_with_lock))


def machine_edges(model: type[models.Model]) -> dict[str, tuple[set[str], str]]:
    """Each django-fsm transition of `model`: the states it starts from and the one it leads to."""
    edges: dict[str, tuple[set[str], str]] = {}
    for fsm_field in model._meta.fields:
        if not hasattr(fsm_field, "get_all_transitions"):
            continue
        for transition in fsm_field.get_all_transitions(model):
            sources, _target = edges.setdefault(transition.name, (set(), str(transition.target)))
            sources.add(str(transition.source))
    return edges


def check_against_machine(model: type[models.Model], steps: Iterable[Step]) -> None:
    """Every transition of the model has one step, with the same sources and target, and no
    step claims a transition the model does not have."""
    edges = machine_edges(model)
    declared = {step.name: step for step in steps if step.is_transition}
    problems = [
        f"{model.__name__}.{name} has no step" for name in sorted(set(edges) - set(declared))
    ]
    for name, step in sorted(declared.items()):
        if name not in edges:
            problems.append(f"{step} is not a transition of the model")
            continue
        sources, target = edges[name]
        if set(step.sources) != sources or step.target != target:
            problems.append(
                f"{step}: the step says {sorted(step.sources)} → {step.target}, "
                f"the model {sorted(sources)} → {target}"
            )
    if problems:
        raise ImproperlyConfigured("; ".join(problems))


def registration(model: type[models.Model]) -> Registration:
    try:
        return _registered[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the engine") from None


def step_of(model: type[models.Model], name: str) -> Step:
    """The registered step `name` of `model`; LookupError when there is none."""
    try:
        return registration(model).steps[name]
    except KeyError:
        raise LookupError(f"{model.__name__}.{name} is not a step") from None


def steps_of(model: type[models.Model]) -> list[Step]:
    """Every step of `model`, in the order they were declared (the order the pages show)."""
    found = _registered.get(model)
    return list(found.steps.values()) if found else []


def read_with_lock(model: type[models.Model]) -> tuple[str, ...]:
    found = _registered.get(model)
    return found.read_with_lock if found else ()


def deadline_subjects(model: type[models.Model]) -> DeadlineSubjects:
    adapter = registration(model).deadlines
    if adapter is None:
        raise LookupError(f"{model.__name__} has no deadlines adapter")
    return adapter


def subjects_for(deadline: Deadline) -> DeadlineSubjects:
    """The adapter of a deadline's subject; get_for_id reads Django's content-type cache."""
    return deadline_subjects(ContentType.objects.get_for_id(deadline.content_type_id).model_class())
