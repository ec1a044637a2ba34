"""What a person can do to a record, for the faces: the steps offered through a form.

The web pages draw one button and form per step, and the API lists and takes them by name;
both go through `take`, so the two front doors cannot drift apart. The steps themselves are
declared once each in `inspections.steps`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.steps import STEPS
from workflows.errors import InvalidInput
from workflows.steps import Step

# Model → the steps people take through a form, in the order the pages show them.
CATALOGUE: dict[type[models.Model], list[Step]] = {
    model: offered
    for model, steps in STEPS.items()
    if (offered := [step for step in steps if step.offered])
}


def actions_of(model: type[models.Model]) -> list[Step]:
    """Every step of a kind of record that people take, in the order the pages show them."""
    return CATALOGUE.get(model, [])


def action_named(model: type[models.Model], name: str) -> Step | None:
    """The step `name` of `model` offered to people, or None when there is no such step."""
    return next((action for action in actions_of(model) if action.name == name), None)


def actions_for(instance: models.Model, user: Any) -> list[Step]:
    """What `user` may do to `instance` now: its state allows it and they hold the permission."""
    return [
        action
        for action in actions_of(type(instance))
        if action.is_open(instance) and action.is_allowed(instance, user)
    ]


def take(
    action: Step,
    *,
    instance: models.Model,
    actor: Any,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    version: int | None = None,
    strict: bool = False,
) -> Any:
    """Validate `data` (and `files`) with the action's form and run its service on `instance`.

    The form is bound to `instance`, so a choice among the record's own rows refuses any
    other id as "not a valid choice". `version` is the one the person saw (a stale form is
    refused by the service). `strict` refuses fields the form does not know, as the API
    does; a browser form carries its CSRF token and button name beside the fields, so the
    pages are not strict. Returns what the service returns (the record, or the one it added).
    Raises InvalidInput with every field's errors, or the service's own error.
    """
    if strict:
        unknown = sorted((set(data) | set(files or ())) - set(action.form.base_fields))
        if unknown:
            raise InvalidInput(fields={name: [str(_("Unknown field."))] for name in unknown})
    form = action.bind(instance, data, files)
    if not form.is_valid():
        raise InvalidInput(fields=_form_errors(form))
    arguments = {action.subject: instance, "actor": actor, **form.cleaned_data}
    if version is not None and action.takes_version:
        arguments["expected_version"] = version
    return action.service(**arguments)


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


def field_specs(action: Step, instance: models.Model | None = None) -> list[dict[str, Any]]:
    """The fields an action needs, described for the API (name, type, required, label, choices).

    Given the record, a choice of rows (an `id` field) lists the ids the record allows,
    e.g. the inspection's own findings for a plan item, so a script need not guess them.
    """
    fields = action.bind(instance).fields if instance is not None else action.form.base_fields
    return [_field_spec(name, field, listed=instance is not None) for name, field in fields.items()]


_FIELD_TYPES: Iterable[tuple[type[forms.Field], str]] = (
    (forms.DateField, "date"),
    (forms.IntegerField, "integer"),
    (forms.ModelChoiceField, "id"),
    (forms.ChoiceField, "choice"),
    (forms.CharField, "string"),
)


def _field_spec(name: str, field: forms.Field, *, listed: bool = False) -> dict[str, Any]:
    kind = next(kind for cls, kind in _FIELD_TYPES if isinstance(field, cls))
    spec: dict[str, Any] = {
        "name": name,
        "type": kind,
        "required": field.required,
        "label": str(field.label),
    }
    if getattr(field, "max_length", None):
        spec["max_length"] = field.max_length
    if kind == "choice":
        spec["choices"] = [{"value": value, "label": str(label)} for value, label in field.choices]
    if kind == "id" and listed:
        spec["choices"] = [{"value": row.pk, "label": str(row)} for row in field.queryset]
    if field.help_text:
        spec["help_text"] = str(field.help_text)
    return spec
