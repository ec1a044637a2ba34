"""The step entries are the one source: each agrees with its machine, its rules and its policies."""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import re
from html import unescape

import pytest
import rules
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from inspections.deadlines import DEADLINE_KINDS
from inspections.models import Inspection, InspectionState
from inspections.steps import STEPS
from tests import factories as f
from workflows import registry
from workflows.models import DeadlinePolicy

ALL_STEPS = [step for steps in STEPS.values() for step in steps]


def _id(step) -> str:
    return str(step)


@pytest.mark.parametrize("model", list(STEPS), ids=lambda model: model.__name__)
def test_every_transition_of_the_model_has_its_step_and_the_engine_has_them_all(model):
    registry.check_against_machine(model, STEPS[model])

    assert registry.steps_of(model) == list(STEPS[model])
    assert {s.name for s in STEPS[model] if s.is_transition} == set(registry.machine_edges(model))


def test_a_step_that_says_other_states_than_the_machine_is_refused():
    steps = [
        dataclasses.replace(step, sources=(InspectionState.PLANNED,))
        if step.name == "station"
        else step
        for step in STEPS[Inspection]
    ]

    with pytest.raises(ImproperlyConfigured, match=r"Inspection\.station: the step says"):
        registry.check_against_machine(Inspection, steps)


def test_a_transition_without_its_step_is_refused():
    steps = [step for step in STEPS[Inspection] if step.name != "withdraw"]

    with pytest.raises(ImproperlyConfigured, match=r"Inspection\.withdraw has no step"):
        registry.check_against_machine(Inspection, steps)


def test_a_step_the_machine_does_not_have_is_refused():
    station = next(step for step in STEPS[Inspection] if step.name == "station")
    steps = [*STEPS[Inspection], dataclasses.replace(station, name="teleport")]

    with pytest.raises(ImproperlyConfigured, match=r"Inspection\.teleport is not a transition"):
        registry.check_against_machine(Inspection, steps)


@pytest.mark.parametrize("step", ALL_STEPS, ids=_id)
def test_every_step_names_a_rule_and_a_label(step):
    assert rules.perm_exists(step.permission)
    assert str(step.label)
    assert step.sources


@pytest.mark.django_db
@pytest.mark.parametrize("step", [s for s in ALL_STEPS if s.deadlines], ids=_id)
def test_every_deadline_a_step_touches_is_a_known_kind_with_a_policy(step):
    effects = step.deadlines
    kinds = {*effects.meets, *effects.reopens, *effects.cancels}
    kinds |= {opening.kind for opening in effects.opens}

    assert kinds <= set(DEADLINE_KINDS)
    for opening in effects.opens:
        if isinstance(opening.policy, str):
            assert DeadlinePolicy.objects.filter(key=opening.policy).exists()


@pytest.mark.parametrize("step", [s for s in ALL_STEPS if s.admin], ids=_id)
def test_the_admin_offers_only_steps_that_need_nothing_typed(step):
    assert step.offered
    assert not [name for name, field in step.form.base_fields.items() if field.required]


@pytest.mark.parametrize("step", ALL_STEPS, ids=_id)
def test_every_step_has_a_service_that_takes_its_record(step):
    assert step.service is not None
    assert {step.subject, "actor"} <= set(inspect.signature(step.service).parameters)


def _drawn_values(form) -> dict[str, str]:
    """What the browser would send back for each field of `form`, read from its HTML."""
    values = {}
    for name in form.fields:
        html = str(form[name])
        textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
        if textarea:
            values[name] = unescape(textarea.group(1)).lstrip("\n")
            continue
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', html)
        value = selected or re.search(r'value="([^"]*)"', html)
        values[name] = unescape(value.group(1)) if value else ""
        # A date input keeps only a valid ISO date: anything else it empties (HTML's value
        # sanitization), so "2026/11/20" would come back as nothing.
        if 'type="date"' in html and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", values[name]):
            values[name] = ""
    return values


EDIT_STEPS = [step for step in ALL_STEPS if step.initial is not None]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("step", EDIT_STEPS, ids=_id)
def test_an_edit_form_saved_unchanged_gives_back_what_it_showed(world, step, language):
    record = f.RectificationItemFactory(
        inspection=world.inspection,
        due_on=datetime.date(2026, 11, 20),
        measure="建立制度\n堵塞漏洞",
    )

    with translation.override(language):
        drawn = _drawn_values(step.bind(record))
        again = step.bind(record, data=drawn)

    assert again.is_valid(), again.errors
    assert {name: again.cleaned_data[name] for name in drawn} == step.initial(record)
