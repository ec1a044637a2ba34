"""Writes on inspections: planning them, the Inspection machine, and what the office records."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import (
    Batch,
    Grade,
    Inspection,
    InspectionKind,
    InspectionState,
    Round,
    RoundState,
    Team,
    TeamState,
    Unit,
    User,
)
from inspections.services.inputs import (
    choice,
    count,
    due_date,
    event_date,
    required_text,
)
from workflows.audit import audit_record
from workflows.errors import InvalidInput, PermissionDenied, WrongState
from workflows.transitions import perform_transition, perform_write

S = InspectionState


def inspection_plan(
    *,
    round_: Round,
    actor: User,
    unit: Unit,
    kind: str,
    batch: Batch | None = None,
    team: Team | None = None,
) -> Inspection:
    """Put a unit on a round (planned), with its kind and, if known, its batch and team."""
    if not actor.has_perm("inspections.plan_inspection"):
        raise PermissionDenied()
    kind = choice(kind, choices=InspectionKind, field="kind")
    if round_.state not in (RoundState.DRAFT, RoundState.APPROVED, RoundState.MOBILIZED):
        raise WrongState(_("Units can no longer be added to this round."))
    if batch is not None and batch.round_id != round_.pk:
        raise InvalidInput(fields={"batch": [_("The batch belongs to another round.")]})
    with transaction.atomic():
        team = _team_that_fits(team, round_)
        if Inspection.objects.filter(round=round_, unit=unit).exists():
            raise InvalidInput(
                fields={"unit": [_("%(unit)s is already on this round.") % {"unit": unit}]}
            )
        inspection = Inspection.objects.create(
            round=round_, unit=unit, kind=kind, batch=batch, team=team
        )
        audit_record(subject=inspection, actor=actor, action="plan", to_state=inspection.state)
    return inspection


def _team_that_fits(team: Team | None, round_: Round) -> Team | None:
    """The team, locked and re-read, if it may still take a unit of this round."""
    if team is None:
        return None
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.round_id != round_.pk:
        raise InvalidInput(fields={"team": [_("The team belongs to another round.")]})
    # Authorisation checks recusal against the team's units, so units join before it.
    if team.state != TeamState.PROPOSED:
        raise InvalidInput(
            fields={
                "team": [_("%(team)s is already authorised; its tasks are fixed.") % {"team": team}]
            }
        )
    return team


def inspection_assign_team(
    *, inspection: Inspection, actor: User, team: Team, expected_version: int | None = None
) -> Inspection:
    """Give a planned inspection to a proposed team of the same round."""

    def assign(locked: Inspection) -> None:
        locked.team = _team_that_fits(team, locked.round)

    return perform_write(
        instance=inspection,
        actor=actor,
        expected_version=expected_version,
        name="assign_team",
        change=assign,
        data={"team": team.pk},
    )


def _dated(name: str):
    """A service for a transition whose only argument is the date of the event."""

    def service(
        *,
        inspection: Inspection,
        actor: User,
        on: datetime.date | None = None,
        note: str = "",
        expected_version: int | None = None,
    ) -> Inspection:
        return perform_transition(
            instance=inspection,
            name=name,
            actor=actor,
            expected_version=expected_version,
            note=note,
            arguments={"on": event_date(on)},
        )

    service.__name__ = f"inspection_{name}"
    service.__doc__ = f"Take the inspection's `{name}` transition on the given date (today)."
    return service


def _returned(name: str, *, max_length: int | None = None):
    """A service for a transition that sends work back (or cancels it) with a reason."""

    def service(
        *, inspection: Inspection, actor: User, reason: str, expected_version: int | None = None
    ) -> Inspection:
        reason = required_text(reason, field="reason", max_length=max_length)
        return perform_transition(
            instance=inspection,
            name=name,
            actor=actor,
            expected_version=expected_version,
            note=reason,
            arguments={"reason": reason},
        )

    service.__name__ = f"inspection_{name}"
    service.__doc__ = f"Take the inspection's `{name}` transition, with the reason."
    return service


inspection_station = _dated("station")
inspection_withdraw = _dated("withdraw")
inspection_submit_report = _dated("submit_report")
inspection_hear_report = _dated("hear_report")
inspection_approve_plan = _dated("approve_plan")
inspection_accept_rectification_report = _dated("accept_rectification_report")
inspection_close = _dated("close")
inspection_return_report = _returned("return_report")
inspection_return_plan = _returned("return_plan")
inspection_return_rectification_report = _returned("return_rectification_report")
inspection_cancel = _returned(
    "cancel", max_length=Inspection._meta.get_field("cancelled_reason").max_length
)


def inspection_notify(
    *,
    inspection: Inspection,
    actor: User,
    on: datetime.date | None = None,
    stationing_on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """Send the unit the written notice; it names the day the team arrives (default: in 3 days)."""
    on = event_date(on)
    if stationing_on is None:
        stationing_on = on + datetime.timedelta(days=3)
    stationing_on = due_date(stationing_on, after=on, field="stationing_on")
    return perform_transition(
        instance=inspection,
        name="notify",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": on, "stationing_on": stationing_on},
    )


def inspection_give_feedback(
    *,
    inspection: Inspection,
    actor: User,
    consent_reference: str,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """Give feedback to the unit, only after the committee consented (Art. 26)."""
    consent_reference = required_text(consent_reference, field="consent_reference", max_length=200)
    return perform_transition(
        instance=inspection,
        name="give_feedback",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on), "consent_reference": consent_reference},
    )


def inspection_submit_plan(
    *,
    inspection: Inspection,
    actor: User,
    signed_by: str,
    signed_on: datetime.date | None = None,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """The unit submits its plan (the three lists), signed off by its head (签字背书)."""
    signed_by = required_text(signed_by, field="signed_by", max_length=100)
    return perform_transition(
        instance=inspection,
        name="submit_plan",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={
            "on": event_date(on),
            "signed_by": signed_by,
            "signed_on": event_date(signed_on, field="signed_on"),
        },
    )


def inspection_submit_rectification_report(
    *,
    inspection: Inspection,
    actor: User,
    report: str,
    principal_report: str,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """The unit reports its rectification: its report and its principal leader's (Art. 27)."""
    report = required_text(report, field="report")
    principal_report = required_text(principal_report, field="principal_report")
    return perform_transition(
        instance=inspection,
        name="submit_rectification_report",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on), "report": report, "principal_report": principal_report},
    )


def inspection_record_onsite_work(
    *,
    inspection: Inspection,
    actor: User,
    talks: int,
    letters_calls_visits: int,
    documents_reviewed: int,
    questionnaires: int,
    expected_version: int | None = None,
) -> Inspection:
    """The team's running counts of its on-site work, for the round's statistics."""
    counts = {
        "talks": count(talks, field="talks"),
        "letters_calls_visits": count(letters_calls_visits, field="letters_calls_visits"),
        "documents_reviewed": count(documents_reviewed, field="documents_reviewed"),
        "questionnaires": count(questionnaires, field="questionnaires"),
    }

    def record(locked: Inspection) -> None:
        for name, value in counts.items():
            setattr(locked, name, value)

    return perform_write(
        instance=inspection,
        actor=actor,
        expected_version=expected_version,
        name="record_onsite_work",
        change=record,
        data=counts,
    )


def inspection_grade(
    *,
    inspection: Inspection,
    actor: User,
    grade: str,
    note: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """The office grades the unit's rectification (好/较好/一般/差)."""
    grade = choice(grade, choices=Grade, field="grade")

    def set_grade(locked: Inspection) -> None:
        locked.grade = grade

    return perform_write(
        instance=inspection,
        actor=actor,
        expected_version=expected_version,
        name="grade",
        change=set_grade,
        note=note,
        data={"grade": grade},
    )


def inspection_record_disclosure(
    *,
    inspection: Inspection,
    actor: User,
    reference: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Inspection:
    """Record that the rectification was made public (Art. 32), and where."""
    reference = required_text(reference, field="reference", max_length=300)
    on = event_date(on)

    def disclose(locked: Inspection) -> None:
        locked.disclosed_on = on
        locked.disclosure_reference = reference

    return perform_write(
        instance=inspection,
        actor=actor,
        expected_version=expected_version,
        name="record_disclosure",
        change=disclose,
        data={"on": on.isoformat(), "reference": reference},
    )
