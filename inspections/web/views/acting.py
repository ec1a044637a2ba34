"""Taking actions from a page: the offers (button and form) a person gets, and one POST handler.

A page offers the catalogue's actions (`inspections.actions`) for each record it shows; those
that add a row (a finding, a lead, a plan item) it draws beside that list. Each form posts
back to the page with `do` = "<kind>:<id>:<action>" and the `version` the page was drawn
with; `act` finds the record among those the page allows, takes the action, and either
redirects with a message or returns an `Attempt` that the page draws again: the service's
message, its details, and each field's error next to the field. A stale form comes back
with the record as it stands now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from inspections.actions import action_named, actions_of, take
from inspections.models import Inspection, Lead, RectificationItem, Round, Team
from workflows.errors import ApplicationError, StaleObject
from workflows.steps import Step

KINDS: dict[str, type[models.Model]] = {
    "round": Round,
    "team": Team,
    "inspection": Inspection,
    "item": RectificationItem,
    "lead": Lead,
}
KIND_OF = {model: kind for kind, model in KINDS.items()}

# Looks a record up among those the page shows: (kind, pk) -> the record, or None.
Finder = Callable[[str, int], models.Model | None]
R = TypeVar("R")


@dataclass
class Attempt:
    """An action that did not go through, to draw again with what went wrong."""

    do: str
    form: forms.Form
    error: ApplicationError
    label: str
    # The record's state as it stands now, for a stale form ("" when it is gone).
    current_state: str = ""
    # Set when a form on the page shows it; else the page shows the message at its top.
    placed: bool = False

    @property
    def stale(self) -> bool:
        return isinstance(self.error, StaleObject)


@dataclass
class Offer:
    """One thing the person may do now: a button that opens its form."""

    do: str
    label: str
    form: forms.Form
    version: int
    multipart: bool = False
    # It adds a row (a finding, a lead, a plan item): drawn beside that list.
    adds_a_row: bool = False
    open: bool = False
    error: ApplicationError | None = None

    @property
    def key(self) -> str:
        return self.do.replace(":", "-")


@dataclass
class Offers:
    """A record's offers by action name, in catalogue order."""

    by_name: dict[str, Offer] = field(default_factory=dict)

    @property
    def actions(self) -> list[Offer]:
        """The offers the page draws together on the record."""
        return [offer for offer in self.by_name.values() if not offer.adds_a_row]

    @property
    def adds(self) -> dict[str, Offer]:
        """The offers the page draws beside the list each adds to (findings, leads, the plan)."""
        return {name: offer for name, offer in self.by_name.items() if offer.adds_a_row}

    def __bool__(self) -> bool:
        return bool(self.by_name)


class SharedChoices:
    """The options of a page's select fields, read once however many forms offer them.

    A desk of fifty undecided leads draws fifty decide forms, each with the same list of
    receiving organs: without this, fifty identical queries. Forms whose fields list the same
    rows (the same SQL) share one read.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple, list] = {}

    def apply(self, form: forms.Form) -> None:
        for select in form.fields.values():
            if not isinstance(select, forms.ModelChoiceField):
                continue
            try:
                sql = str(select.queryset.query)
            except EmptyResultSet:  # a queryset that cannot match has no options to read
                continue
            key = (type(select), str(select.empty_label), sql)
            if key not in self._seen:
                self._seen[key] = list(select.choices)
            select.choices = self._seen[key]


def _bind(action: Step, instance: models.Model, do: str, data=None, files=None, **kwargs):
    """The action's form for this record, with field ids unique on the page."""
    kwargs["auto_id"] = f"{do.replace(':', '-')}-%s"
    return action.bind(instance, data, files, **kwargs)


def offers_for(
    instance: models.Model,
    user: Any,
    attempt: Attempt | None = None,
    *,
    choices: SharedChoices | None = None,
) -> Offers:
    """What `user` may do to `instance` now; the one just tried comes back open, as it was.

    A page that offers actions on many records passes one `choices` for all of them.
    """
    kind = KIND_OF[type(instance)]
    offers = Offers()
    for action in actions_of(type(instance)):
        if not (action.is_open(instance) and action.is_allowed(instance, user)):
            continue
        do = f"{kind}:{instance.pk}:{action.name}"
        offer = Offer(
            do=do,
            label=action.label,
            form=_bind(action, instance, do),
            version=instance.version,
            multipart=action.multipart,
            adds_a_row=action.creates is not None,
        )
        if choices is not None:
            choices.apply(offer.form)
        if attempt is not None and attempt.do == do:
            offer.form, offer.error, offer.open = attempt.form, attempt.error, True
            attempt.placed = True
        offers.by_name[action.name] = offer
    return offers


def _parse(do: str) -> tuple[str, int, str]:
    kind, _sep, rest = do.partition(":")
    pk, _sep, name = rest.partition(":")
    if kind not in KINDS or not pk.isdigit() or not name:
        raise Http404
    return kind, int(pk), name


def _version(value: str | None) -> int:
    """The version the form was drawn with; a missing or garbled one can only be stale."""
    try:
        return int(value or "")
    except ValueError:
        return -1


def _attach_errors(form: forms.Form, error: ApplicationError) -> None:
    """Put the service's per-field messages next to their fields (the form's own come first)."""
    form.is_valid()
    for name, texts in error.fields.items():
        if name in form.fields and not form.errors.get(name):
            for text in texts:
                form.add_error(name, text)


def _stale_form(action: Step, instance: models.Model, do: str, data) -> forms.Form:
    """A fresh form that keeps what the person typed, to look at again against the new state."""
    initial = {name: data.get(name) for name in data if name not in ("do", "version")}
    return _bind(action, instance, do, initial=initial)


def act(request: HttpRequest, find: Finder) -> HttpResponse | Attempt:
    """Take the posted action on a record the page shows; redirect, or say what went wrong."""
    do = request.POST.get("do", "")
    kind, pk, name = _parse(do)
    instance = find(kind, pk)
    action = action_named(KINDS[kind], name)
    if instance is None or action is None:
        raise Http404
    version = _version(request.POST.get("version"))
    try:
        take(
            action,
            instance=instance,
            actor=request.user,
            data=request.POST,
            files=request.FILES,
            version=version,
        )
    except StaleObject as error:
        fresh = find(kind, pk)  # as it stands now (None if it is gone or out of sight)
        form = _stale_form(action, fresh or instance, do, request.POST)
        return Attempt(
            do=do,
            form=form,
            error=error,
            label=action.label,
            current_state=fresh.get_state_display() if fresh is not None else "",
        )
    except ApplicationError as error:
        form = _bind(action, instance, do, request.POST, request.FILES)
        _attach_errors(form, error)
        return Attempt(do=do, form=form, error=error, label=action.label)
    messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(f"{request.get_full_path()}#{kind}-{pk}")


@dataclass
class Acted(Generic[R]):
    """A page's record, after the action a POST asked for; or where that action redirects."""

    record: R
    attempt: Attempt | None = None
    response: HttpResponse | None = None


def act_on_page(
    request: HttpRequest, load: Callable[[], R], finder: Callable[[R], Finder]
) -> Acted[R]:
    """The record a page shows; on a POST, the posted action taken on it (or its rows) first.

    After a refused or stale attempt the record is read again, so the page shows it as it
    stands now.
    """
    record = load()
    if request.method != "POST":
        return Acted(record)
    outcome = act(request, finder(record))
    if isinstance(outcome, HttpResponse):
        return Acted(record, response=outcome)
    return Acted(load(), attempt=outcome)


def render_page(
    request: HttpRequest, template: str, context: dict, attempt: Attempt | None
) -> HttpResponse:
    """Draw the page; after a refused or stale attempt, with a status that says so.

    htmx swaps only 2xx responses, so its requests get 200 and the page replaces `#main`.
    """
    status = 200
    if attempt is not None and not request.htmx:
        status = 409 if attempt.stale else 422
    return render(request, template, {**context, "attempt": attempt}, status=status)
