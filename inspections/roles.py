"""What a user is, in the terms the permission table uses: read once per user object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    @property
    def oversees(self) -> bool:
        """Leading group and office see every round."""
        return self.leading_group or self.office


NOBODY = Roles()


def roles_of(user: Any) -> Roles:
    """The user's roles, cached on the user object for the rest of the request or task."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_inspection_roles", None)
    if cached is not None:
        return cached
    from django.db.models import CharField, IntegerField, Value

    from inspections.models import (
        LeadingGroupMember,
        OfficeMember,
        ReceivingOrganDesk,
        TeamMember,
        UnitLiaison,
    )

    # Every membership in one query (one UNION ALL, not one query per kind of membership):
    # rows of (kind, id, team role, round id).
    def memberships(model, kind: str, key: str | None = None, role=None, round_id=None):
        nothing = Value(None, output_field=IntegerField())
        return (
            model.objects.filter(user=user)
            .order_by()
            .values_list(
                Value(kind, output_field=CharField()),
                key or nothing,
                role or Value("", output_field=CharField()),
                round_id or nothing,
            )
        )

    rows = list(
        memberships(TeamMember, "team", "team_id", "role", "team__round_id").union(
            memberships(LeadingGroupMember, "leading_group"),
            memberships(OfficeMember, "office"),
            memberships(UnitLiaison, "unit", "unit_id"),
            memberships(ReceivingOrganDesk, "organ", "organ_id"),
            all=True,
        )
    )
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
    )
    user._inspection_roles = roles
    return roles


def forget_roles(user: Any) -> None:
    """Drop the cached roles after the user's memberships change."""
    user.__dict__.pop("_inspection_roles", None)
