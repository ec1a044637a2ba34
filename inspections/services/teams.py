"""Writes on teams: creating them, their membership while proposed, and the Team machine."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from inspections.models import Round, Team, TeamMember, TeamRole, User
from inspections.roles import forget_roles
from inspections.services.inputs import choice, event_date
from workflows.audit import audit_record
from workflows.errors import InvalidInput, PermissionDenied
from workflows.transitions import perform_transition, perform_write


def team_create(*, round_: Round, actor: User, number: int) -> Team:
    """Propose a numbered team for a round (第N巡视组)."""
    if not actor.has_perm("inspections.change_team"):
        raise PermissionDenied()
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 100:
        raise InvalidInput(fields={"number": [_("Enter a whole number from 1 to 99.")]})
    with transaction.atomic():
        if Team.objects.filter(round=round_, number=number).exists():
            raise InvalidInput(
                fields={"number": [_("The round already has a team with this number.")]}
            )
        team = Team.objects.create(round=round_, number=number)
        audit_record(subject=team, actor=actor, action="create", to_state=team.state)
    return team


def team_member_add(
    *, team: Team, actor: User, user: User, role: str, expected_version: int | None = None
) -> Team:
    """Seat a person on a proposed team; the authorisation checks the whole team later."""
    role = choice(role, choices=TeamRole, field="role")

    def seat(locked: Team) -> None:
        try:
            with transaction.atomic():
                TeamMember.objects.create(team=locked, user=user, role=role)
        except IntegrityError as error:
            raise InvalidInput(
                fields={"user": [_("%(person)s already sits on this team.") % {"person": user}]}
            ) from error

    team = perform_write(
        instance=team,
        actor=actor,
        expected_version=expected_version,
        name="add_member",
        change=seat,
        data={"user": user.pk, "role": role},
    )
    forget_roles(user)
    return team


def team_member_remove(
    *, team: Team, actor: User, user: User, expected_version: int | None = None
) -> Team:
    """Take a person off a proposed team."""

    def unseat(locked: Team) -> None:
        if not TeamMember.objects.filter(team=locked, user=user).delete()[0]:
            raise InvalidInput(
                fields={"user": [_("%(person)s does not sit on this team.") % {"person": user}]}
            )

    team = perform_write(
        instance=team,
        actor=actor,
        expected_version=expected_version,
        name="remove_member",
        change=unseat,
        data={"user": user.pk},
    )
    forget_roles(user)
    return team


def team_authorize(
    *,
    team: Team,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Team:
    """The leading group authorises the team for this round (一次一授权)."""
    return perform_transition(
        instance=team,
        name="authorize",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )


def team_stand_down(
    *,
    team: Team,
    actor: User,
    on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Team:
    return perform_transition(
        instance=team,
        name="stand_down",
        actor=actor,
        expected_version=expected_version,
        note=note,
        arguments={"on": event_date(on)},
    )
