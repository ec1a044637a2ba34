"""Writes on terms, rounds and batches: creating them and the Round machine's transitions."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import Round, Term, User
from inspections.services.inputs import event_date, optional_text, required_text
from workflows.audit import audit_record
from workflows.errors import InvalidInput, PermissionDenied
from workflows.transitions import perform_transition


def round_create(
    *, actor: User, body: str, term_number: int, number: int, title: str = ""
) -> Round:
    """Open a new round (draft) in a term, creating the term on first use."""
    if not actor.has_perm("inspections.add_round"):
        raise PermissionDenied()
    body = required_text(body, field="body", max_length=50)
    for field, value in (("term_number", term_number), ("number", number)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 1000:
            raise InvalidInput(fields={field: [_("Enter a whole number from 1 to 999.")]})
    title = optional_text(title, field="title", max_length=200)
    with transaction.atomic():
        term, _created = Term.objects.get_or_create(body=body, number=term_number)
        if Round.objects.filter(term=term, number=number).exists():
            raise InvalidInput(
                fields={"number": [_("%(term)s already has this round.") % {"term": term}]}
            )
        round_ = Round.objects.create(term=term, number=number, title=title)
        audit_record(subject=round_, actor=actor, action="create", to_state=round_.state)
    return round_


def round_approve(
    *,
    round_: Round,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Round:
    return perform_transition(
        instance=round_,
        name="approve",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def round_mobilize(
    *,
    round_: Round,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Round:
    """Record the mobilisation meeting; its date starts the on-site work."""
    return perform_transition(
        instance=round_,
        name="mobilize",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def round_conclude(
    *,
    round_: Round,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Round:
    return perform_transition(
        instance=round_,
        name="conclude",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def round_archive(
    *,
    round_: Round,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Round:
    return perform_transition(
        instance=round_,
        name="archive",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def round_cancel(
    *, round_: Round, actor: User, reason: str, expected_version: int | None = None
) -> Round:
    reason = required_text(reason, field="reason", max_length=300)
    return perform_transition(
        expected_version=expected_version, instance=round_, name="cancel", actor=actor, note=reason
    )
