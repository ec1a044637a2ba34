"""Step conditions that can say why they refuse: every problem at once, not just "no"."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

Problems = Callable[[Any], Iterable[str]]


def guard(problems: Problems) -> Callable[[Any], bool]:
    """Wrap a function listing what is wrong into a condition a step names in `conditions=`.

    Called, the condition answers whether the step may go ahead; the engine asks its
    `.problems` instead (once per attempt), so a refusal lists every problem at once.
    """

    @functools.wraps(problems)
    def condition(instance: Any) -> bool:
        return not list(problems(instance))

    condition.problems = lambda instance: [str(p) for p in problems(instance)]  # type: ignore[attr-defined]
    return condition


def problems_of(condition: Callable[[Any], bool], instance: Any) -> list[str]:
    """The reasons a condition refuses, or a generic one for a plain boolean condition."""
    explain = getattr(condition, "problems", None)
    if explain is not None:
        return explain(instance)
    return [] if condition(instance) else [condition.__name__.replace("_", " ")]
