"""What a user is, in the terms the permission table uses: read once per user object."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection

from inspections.models import TeamRole


@dataclass(frozen=True)
class Roles:
    """The memberships that decide what a user may see and do."""

    leading_group: bool = False
    office: bool = False
    led_team_ids: frozenset[int] = frozenset()  # teams where the user is leader or deputy
    team_ids: frozenset[int] = frozenset()  # every team the user sits on
    round_ids: frozenset[int] = frozenset()  # rounds of those teams
    unit_ids: frozenset[int] = frozenset()  # units the user is liaison of
    organ_ids: frozenset[int] = frozenset()  # receiving organs whose desk the user works
    superuser: bool = False

    @property
    def oversees(self) -> bool:
        """Leading group and office see every round; so does a superuser, whom Django's
        permission check lets do everything, so the lists agree with what they may do."""
        return self.leading_group or self.office or self.superuser


NOBODY = Roles()


@functools.cache
def _memberships_sql() -> str:
    """Every membership of one user in one statement, as rows of (kind, id, team role, round).

    Written once as SQL: a person's first request, or every liaison's first step, pays for
    this query, and Django compiling a five-branch UNION cost more than running it.
    """
    from inspections.models import (
        LeadingGroupMember,
        OfficeMember,
        ReceivingOrganDesk,
        Team,
        TeamMember,
        UnitLiaison,
    )

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)

    def flag(kind: str, model) -> str:
        return (
            f"SELECT '{kind}', NULL, '', NULL FROM {table(model)}"
            f" WHERE {column(model, 'user')} = %s"
        )

    def keyed(kind: str, model, key: str) -> str:
        return (
            f"SELECT '{kind}', {column(model, key)}, '', NULL FROM {table(model)}"
            f" WHERE {column(model, 'user')} = %s"
        )

    seat = (
        f"SELECT 'team', m.{column(TeamMember, 'team')}, m.{column(TeamMember, 'role')},"
        f" t.{column(Team, 'round')} FROM {table(TeamMember)} m"
        f" JOIN {table(Team)} t ON t.{column(Team, 'id')} = m.{column(TeamMember, 'team')}"
        f" WHERE m.{column(TeamMember, 'user')} = %s"
    )
    return " UNION ALL ".join(
        [
            seat,
            flag("leading_group", LeadingGroupMember),
            flag("office", OfficeMember),
            keyed("unit", UnitLiaison, "unit"),
            keyed("organ", ReceivingOrganDesk, "organ"),
        ]
    )


def roles_of(user: Any) -> Roles:
    """The user's roles, cached on the user object for the rest of the request or task."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_inspection_roles", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(), [user.pk] * 5)
        rows = cursor.fetchall()
    seats = [(team, role, round_id) for kind, team, role, round_id in rows if kind == "team"]
    kinds = {kind for kind, _, _, _ in rows}
    roles = Roles(
        leading_group="leading_group" in kinds,
        office="office" in kinds,
        led_team_ids=frozenset(
            team for team, role, _ in seats if role in (TeamRole.LEADER, TeamRole.DEPUTY)
        ),
        team_ids=frozenset(team for team, _, _ in seats),
        round_ids=frozenset(round_id for _, _, round_id in seats),
        unit_ids=frozenset(pk for kind, pk, _, _ in rows if kind == "unit"),
        organ_ids=frozenset(pk for kind, pk, _, _ in rows if kind == "organ"),
        superuser=user.is_superuser,
    )
    user._inspection_roles = roles
    return roles


def forget_roles(user: Any) -> None:
    """Drop the cached roles after the user's memberships change."""
    user.__dict__.pop("_inspection_roles", None)
