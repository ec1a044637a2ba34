"""Taking actions from a page: the offers (button and form) a person gets, and one POST handler.

A page offers the catalogue's actions (`inspections.actions`) and its own writes
(`inspections.forms.WRITES`) for each record it shows. Each form posts back to the page with
`do` = "<kind>:<id>:<action>" and the `version` the page was drawn with; `act` finds the
record among those the page allows, takes the action, and either redirects with a message or
returns an `Attempt` that the page draws again: the service's message, its details, and each
field's error next to the field. A stale form comes back with the record as it stands now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from inspections.actions import Action, action_named, actions_of, take
from inspections.forms import Write, write_named, writes_of
from inspections.models import Inspection, Lead, RectificationItem
from workflows.errors import ApplicationError, StaleObject

KINDS: dict[str, type[models.Model]] = {
    "inspection": Inspection,
    "item": RectificationItem,
    "lead": Lead,
}
KIND_OF = {model: kind for kind, model in KINDS.items()}

Doable = Action | Write
# Looks a record up among those the page shows: (kind, pk) -> the record, or None.
Finder = Callable[[str, int], models.Model | None]


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
    open: bool = False
    error: ApplicationError | None = None

    @property
    def key(self) -> str:
        return self.do.replace(":", "-")


@dataclass
class Offers:
    """A record's offers: the transitions and writes of the catalogue, and the page's writes."""

    actions: list[Offer] = field(default_factory=list)
    writes: dict[str, Offer] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.actions or self.writes)


def _doables(model: type[models.Model]) -> list[Doable]:
    return [*actions_of(model), *writes_of(model)]


def _doable_named(model: type[models.Model], name: str) -> Doable | None:
    return action_named(model, name) or write_named(model, name)


def _bind(doable: Doable, instance: models.Model, do: str, data=None, files=None, **kwargs):
    """The doable's form for this record, with field ids unique on the page."""
    kwargs["auto_id"] = f"{do.replace(':', '-')}-%s"
    if isinstance(doable, Write):
        return doable.bind(instance, data, files, **kwargs)
    return doable.form(data, files, **kwargs)


def offers_for(instance: models.Model, user: Any, attempt: Attempt | None = None) -> Offers:
    """What `user` may do to `instance` now; the one just tried comes back open, as it was."""
    kind = KIND_OF[type(instance)]
    offers = Offers()
    for doable in _doables(type(instance)):
        if not (doable.is_open(instance) and doable.is_allowed(instance, user)):
            continue
        do = f"{kind}:{instance.pk}:{doable.name}"
        offer = Offer(
            do=do,
            label=doable.label,
            form=_bind(doable, instance, do),
            version=instance.version,
            multipart=getattr(doable, "multipart", False),
        )
        if attempt is not None and attempt.do == do:
            offer.form, offer.error, offer.open = attempt.form, attempt.error, True
            attempt.placed = True
        if isinstance(doable, Write):
            offers.writes[doable.name] = offer
        else:
            offers.actions.append(offer)
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


def _stale_form(doable: Doable, instance: models.Model, do: str, data) -> forms.Form:
    """A fresh form that keeps what the person typed, to look at again against the new state."""
    initial = {name: data.get(name) for name in data if name not in ("do", "version")}
    return _bind(doable, instance, do, initial=initial)


def act(request: HttpRequest, find: Finder) -> HttpResponse | Attempt:
    """Take the posted action on a record the page shows; redirect, or say what went wrong."""
    do = request.POST.get("do", "")
    kind, pk, name = _parse(do)
    instance = find(kind, pk)
    doable = _doable_named(KINDS[kind], name)
    if instance is None or doable is None:
        raise Http404
    version = _version(request.POST.get("version"))
    try:
        if isinstance(doable, Write):
            doable.take(
                instance=instance,
                actor=request.user,
                data=request.POST,
                files=request.FILES,
                version=version,
            )
        else:
            take(doable, instance=instance, actor=request.user, data=request.POST, version=version)
    except StaleObject as error:
        fresh = find(kind, pk)  # as it stands now (None if it is gone or out of sight)
        form = _stale_form(doable, fresh or instance, do, request.POST)
        return Attempt(
            do=do,
            form=form,
            error=error,
            label=doable.label,
            current_state=fresh.get_state_display() if fresh is not None else "",
        )
    except ApplicationError as error:
        form = _bind(doable, instance, do, request.POST, request.FILES)
        _attach_errors(form, error)
        return Attempt(do=do, form=form, error=error, label=doable.label)
    messages.success(request, _("Done: %(action)s.") % {"action": doable.label})
    return redirect(f"{request.get_full_path()}#{kind}-{pk}")


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
