"""Writes on leads (问题线索): registered by the team leader, decided, handed over, reported back."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils.translation import gettext as _

from inspections.models import Inspection, Lead, ReceivingOrgan, Route, User
from inspections.services.inputs import choice, event_date, optional_text, required_text
from workflows.errors import InvalidInput
from workflows.transitions import perform_child_write, perform_transition


def lead_register(
    *, inspection: Inspection, actor: User, summary: str, persons_named: str = ""
) -> Lead:
    summary = required_text(summary, field="summary")
    persons_named = optional_text(persons_named, field="persons_named", max_length=300)

    def register(locked: Inspection) -> Lead:
        last = locked.leads.aggregate(last=Max("number"))["last"] or 0
        return Lead.objects.create(
            inspection=locked,
            number=last + 1,
            summary=summary,
            persons_named=persons_named,
            registered_by=actor,
        )

    return perform_child_write(
        record=inspection,
        actor=actor,
        name="register_lead",
        change=register,
    )


def lead_decide(
    *,
    lead: Lead,
    actor: User,
    route: str,
    receiving_organ: ReceivingOrgan | None,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Lead:
    """The leading group decides where the lead goes (分类处置)."""
    route = choice(route, choices=Route, field="route")
    # Handing the lead over needs its organ: a decision without one would leave it stuck.
    if receiving_organ is None:
        raise InvalidInput(
            fields={"receiving_organ": [_("Choose the organ that receives the lead.")]}
        )
    if receiving_organ.route != route:
        raise InvalidInput(
            fields={
                "receiving_organ": [
                    _("%(organ)s does not receive leads of this route.")
                    % {"organ": receiving_organ}
                ]
            }
        )
    return perform_transition(
        instance=lead,
        name="decide",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on), "route": route, "receiving_organ": receiving_organ},
    )


def lead_hand_over(
    *,
    lead: Lead,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Lead:
    return perform_transition(
        instance=lead,
        name="hand_over",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def lead_report_back(
    *,
    lead: Lead,
    actor: User,
    outcome: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Lead:
    """The receiving organ reports what it did with the lead (Art. 29: within 3 months)."""
    outcome = required_text(outcome, field="outcome")
    return perform_transition(
        instance=lead,
        name="report_back",
        actor=actor,
        expected_version=expected_version,
        arguments={"on": event_date(on), "outcome": outcome},
    )


def lead_close(
    *,
    lead: Lead,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Lead:
    return perform_transition(
        instance=lead,
        name="close",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )
