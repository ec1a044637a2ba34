"""Who the people are: liaisons, team leaders, desks, the office, the leading group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

from inspections.deadlines import RECEIVING_ORGAN, TEAM, UNIT
from inspections.models import (
    Inspection,
    LeadingGroupMember,
    OfficeMember,
    ReceivingOrgan,
    ReceivingOrganDesk,
    TeamMember,
    TeamRole,
    Unit,
    UnitLiaison,
    User,
)
from inspections.notifications.common import mailbox, person
from workflows.registry import Recipient

# Who belongs to what: one query per body, whatever the number of deadlines ------------------


class Directory:
    """The people of the units, teams and organs a batch of letters concerns.

    Each body is read in one query on first use, for every id of the batch at once.
    """

    def __init__(
        self,
        *,
        unit_ids: Iterable[int] = (),
        team_ids: Iterable[int] = (),
        organ_ids: Iterable[int] = (),
    ):
        self.unit_ids = {pk for pk in unit_ids if pk}
        self.team_ids = {pk for pk in team_ids if pk}
        self.organ_ids = {pk for pk in organ_ids if pk}

    @staticmethod
    def _grouped(rows: Iterable[tuple[int, User]]) -> dict[int, list[Recipient]]:
        grouped: dict[int, list[Recipient]] = defaultdict(list)
        for key, user in rows:
            recipient = person(user)
            if recipient is not None:
                grouped[key].append(recipient)
        return grouped

    @cached_property
    def liaisons(self) -> dict[int, list[Recipient]]:
        rows = (
            UnitLiaison.objects.filter(unit_id__in=self.unit_ids)
            .select_related("user")
            .order_by("pk")
        )
        return self._grouped((row.unit_id, row.user) for row in rows)

    @cached_property
    def team_leaders(self) -> dict[int, list[Recipient]]:
        """The leader first, then the deputies."""
        rows = (
            TeamMember.objects.filter(
                team_id__in=self.team_ids, role__in=[TeamRole.LEADER, TeamRole.DEPUTY]
            )
            .select_related("user")
            .order_by("team_id", "-role", "pk")  # "leader" sorts after "deputy"
        )
        return self._grouped((row.team_id, row.user) for row in rows)

    @cached_property
    def desks(self) -> dict[int, list[Recipient]]:
        rows = (
            ReceivingOrganDesk.objects.filter(organ_id__in=self.organ_ids)
            .select_related("user")
            .order_by("pk")
        )
        return self._grouped((row.organ_id, row.user) for row in rows)

    @cached_property
    def office(self) -> list[Recipient]:
        rows = OfficeMember.objects.select_related("user").order_by("pk")
        return self._grouped((0, row.user) for row in rows).get(0, [])

    @cached_property
    def leading_group(self) -> list[Recipient]:
        rows = LeadingGroupMember.objects.select_related("user").order_by("pk")
        return self._grouped((0, row.user) for row in rows).get(0, [])

    # The bodies, by the roles the letters give them.

    def unit(self, unit: Unit) -> list[Recipient]:
        """Every liaison of the unit, and the unit's own address."""
        return [*self.liaisons.get(unit.pk, []), *mailbox(unit.email, unit.name)]

    def team(self, team_id: int | None) -> list[Recipient]:
        return list(self.team_leaders.get(team_id, [])) if team_id else []

    def organ(self, organ: ReceivingOrgan | None) -> list[Recipient]:
        if organ is None:
            return []
        return [*self.desks.get(organ.pk, []), *mailbox(organ.email, organ.name)]

    def audience(
        self,
        audience: str,
        responsible: str,
        inspection: Inspection,
        organ: ReceivingOrgan | None = None,
    ) -> list[Recipient]:
        """Who hears of an obligation of `responsible` in the role `audience`."""
        if audience == "office":
            return list(self.office)
        if responsible == "office":  # the office's own obligations answer to the leading group
            return list(self.leading_group if audience == "party_head" else self.office)
        if audience == "responsible":
            if responsible == UNIT:
                return self.unit(inspection.unit)
            if responsible == TEAM:
                return self.team(inspection.team_id)
            if responsible == RECEIVING_ORGAN:
                return self.organ(organ)
        elif audience == "supervisor":
            # The team supervises the unit's rectification; the office supervises the teams
            # and the organs.
            if responsible == UNIT:
                return self.team(inspection.team_id)
            return list(self.office)
        elif audience == "party_head":
            if responsible == UNIT:
                unit = inspection.unit
                return mailbox(unit.party_head_email, unit.party_head_name or unit.name)
            if responsible == TEAM:
                return list(self.leading_group)
            if responsible == RECEIVING_ORGAN and organ is not None:
                return mailbox(organ.email, organ.name)
        return []
