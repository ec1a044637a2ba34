"""State diagrams and transition tables built from django-fsm metadata and the registered steps,
so the docs follow the code.

Domain-agnostic: every function takes the model class; the domain decides which machines to draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import translation

from workflows.registry import step_of

ANY_STATE = "*"  # django-fsm: the transition starts from every state
ANY_OTHER_STATE = "+"  # django-fsm: every state except the target


@dataclass(frozen=True)
class Edge:
    """One arrow of a diagram: transition `name` takes the machine from `source` to `target`."""

    source: str
    target: str
    name: str


@dataclass(frozen=True)
class TransitionRow:
    """One transition method: the states it starts from, where it goes, who may take it."""

    name: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label: str


def _value(state) -> str:
    """TextChoices members and plain strings alike, as the stored value."""
    return str(getattr(state, "value", state))


def _field(model: type[models.Model], field_name: str):
    return model._meta.get_field(field_name)


def states_of(model: type[models.Model], field_name: str = "state") -> list[str]:
    """Every state of the machine: the field's choices in their declared order, then any other
    state a transition names (sorted), so nothing the code can reach is left off."""
    field = _field(model, field_name)
    declared = [_value(value) for value, _label in field.choices or ()]
    named = set()
    for transition in field.get_all_transitions(model):
        named.add(_value(transition.source))
        named.update(target for target in _targets(transition.target) if target is not None)
    named -= {ANY_STATE, ANY_OTHER_STATE}
    return declared + sorted(named - set(declared))


def state_labels(model: type[models.Model], field_name: str = "state") -> dict[str, str]:
    """State value → its person-readable label (in the active language)."""
    return {_value(value): str(label) for value, label in _field(model, field_name).choices or ()}


def initial_state(model: type[models.Model], field_name: str = "state") -> str | None:
    field = _field(model, field_name)
    if not field.has_default():
        return None
    default = field.get_default()
    return _value(default) if default not in (None, "") else None


def _targets(target) -> list[str | None]:
    """A transition's possible targets; RETURN_VALUE/GET_STATE targets list their allowed states,
    and None means the transition leaves the state as it is."""
    if target is None:
        return [None]
    allowed = getattr(target, "allowed_states", None)
    if allowed is not None:
        return [_value(state) for state in allowed]
    return [_value(target)]


def _order(states: Sequence[str]):
    position = {state: index for index, state in enumerate(states)}
    return lambda state: (position.get(state, len(position)), state)


def edges_of(model: type[models.Model], field_name: str = "state") -> list[Edge]:
    """Every (source, target, transition) of the machine, in the order of the states, then name."""
    field = _field(model, field_name)
    states = states_of(model, field_name)
    edges = set()
    for transition in field.get_all_transitions(model):
        source = _value(transition.source)
        for target in _targets(transition.target):
            if source == ANY_STATE:
                sources = states
            elif source == ANY_OTHER_STATE:
                sources = [state for state in states if state != target]
            else:
                sources = [source]
            for each in sources:
                edges.add(Edge(each, target or each, transition.name))
    order = _order(states)
    return sorted(edges, key=lambda e: (order(e.source), order(e.target), e.name))


def terminal_states(model: type[models.Model], field_name: str = "state") -> list[str]:
    """States no transition leaves."""
    leaving = {edge.source for edge in edges_of(model, field_name)}
    return [state for state in states_of(model, field_name) if state not in leaving]


def mermaid_state_diagram(model: type[models.Model], field_name: str = "state") -> str:
    """The machine as Mermaid `stateDiagram-v2` text: every state, the initial and final
    pseudo-states, each edge labelled with its transition's name."""
    lines = ["stateDiagram-v2"]
    lines += [f"    {state}" for state in states_of(model, field_name)]
    initial = initial_state(model, field_name)
    if initial is not None:
        lines.append(f"    [*] --> {initial}")
    lines += [
        f"    {edge.source} --> {edge.target} : {edge.name}" for edge in edges_of(model, field_name)
    ]
    lines += [f"    {state} --> [*]" for state in terminal_states(model, field_name)]
    return "\n".join(lines) + "\n"


def _permission_name(permission) -> str:
    if permission is None:
        return ""
    if callable(permission):
        return getattr(permission, "__qualname__", repr(permission))
    return str(permission)


def _who_and_label(model: type[models.Model], transition) -> tuple[str, str]:
    """The permission and label of a transition: from its registered step where there is one
    (the domain's machines), else from the django-fsm declaration itself."""
    try:
        step = step_of(model, transition.name)
    except LookupError:
        label = transition.custom.get("label", transition.name.replace("_", " "))
        return _permission_name(transition.permission), str(label)
    return step.permission, str(step.label)


def transition_rows(model: type[models.Model], field_name: str = "state") -> list[TransitionRow]:
    """One row per (transition, target), its sources grouped, in the order of the states."""
    field = _field(model, field_name)
    order = _order(states_of(model, field_name))
    grouped: dict[tuple[str, str], set[str]] = {}
    meta: dict[tuple[str, str], tuple[str, str]] = {}
    for edge in edges_of(model, field_name):
        grouped.setdefault((edge.name, edge.target), set()).add(edge.source)
    for transition in field.get_all_transitions(model):
        permission, label = _who_and_label(model, transition)
        for key in grouped:
            if key[0] == transition.name:
                meta.setdefault(key, (permission, label))
    rows = [
        TransitionRow(
            name=name,
            sources=tuple(sorted(sources, key=order)),
            target=target,
            permission=meta[(name, target)][0],
            label=meta[(name, target)][1],
        )
        for (name, target), sources in grouped.items()
    ]
    return sorted(rows, key=lambda row: (order(row.sources[0]), order(row.target), row.name))


def _cell(text: str) -> str:
    """Markdown table cells: a pipe would split the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_section(model: type[models.Model], field_name: str = "state") -> str:
    """One machine: heading, states, the Mermaid diagram and the table of transitions."""
    labels = state_labels(model, field_name)
    initial = initial_state(model, field_name)
    terminal = set(terminal_states(model, field_name))
    lines = [f"## {model.__name__} (`{model._meta.label}.{field_name}`)", ""]
    lines += ["| state | label | note |", "|---|---|---|"]
    for state in states_of(model, field_name):
        notes = [
            note
            for flag, note in ((state == initial, "initial"), (state in terminal, "final"))
            if flag
        ]
        lines.append(f"| `{state}` | {_cell(labels.get(state, ''))} | {', '.join(notes)} |")
    lines += ["", "```mermaid", mermaid_state_diagram(model, field_name).rstrip("\n"), "```", ""]
    lines += [
        "| transition | from | to | who may take it (permission) | label |",
        "|---|---|---|---|---|",
    ]
    for row in transition_rows(model, field_name):
        sources = ", ".join(f"`{source}`" for source in row.sources)
        permission = f"`{row.permission}`" if row.permission else "anyone"
        lines.append(
            f"| `{row.name}` | {sources} | `{row.target}` | {permission} | {_cell(row.label)} |"
        )
    return "\n".join(lines) + "\n"


def state_machines_document(
    machines: Iterable[type[models.Model]], *, title: str, preamble: str = ""
) -> str:
    """The whole Markdown page, in English (the source language) so regenerating it does not
    depend on the language that happens to be active."""
    with translation.override("en"):
        parts = [f"# {title}\n"]
        if preamble:
            parts.append(preamble.strip() + "\n")
        parts += [markdown_section(model) for model in machines]
    return "\n".join(parts)
