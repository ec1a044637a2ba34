"""A small world every test can stand in: one round, two teams, two units, one of each role."""

from dataclasses import dataclass

import pytest

from inspections import models as m
from tests import factories as f


@dataclass
class World:
    """One person per role of the permission table (docs/design.md), around one inspection."""

    round: m.Round
    batch: m.Batch
    team: m.Team
    other_team: m.Team
    unit: m.Unit
    other_unit: m.Unit
    inspection: m.Inspection
    other_inspection: m.Inspection
    organ: m.ReceivingOrgan
    leading_group: m.User  # LG
    office: m.User  # OF
    team_leader: m.User  # TL (the leader)
    team_deputy: m.User  # TL (a deputy)
    team_member: m.User  # TM
    other_team_member: m.User  # OT
    unit_liaison: m.User  # UL
    other_unit_liaison: m.User  # OU
    organ_desk: m.User  # RO
    outsider: m.User  # a signed-in user with no role

    def refresh(self) -> None:
        for obj in (self.round, self.team, self.other_team, self.inspection, self.other_inspection):
            obj.refresh_from_db()


@pytest.fixture
def world(db) -> World:
    """A draft round with two proposed, fully staffed teams, each given one planned inspection."""
    round_ = f.RoundFactory(number=6)
    batch = f.BatchFactory(round=round_, number=1)
    team = f.TeamFactory(round=round_, number=1)
    other_team = f.TeamFactory(round=round_, number=2)
    unit = f.UnitFactory(name="市科学技术局")
    other_unit = f.UnitFactory(name="市数据局")
    leader = f.UserFactory(username="leader", display_name="组长甲")
    deputy = f.UserFactory(username="deputy", display_name="副组长乙")
    member = f.UserFactory(username="member", display_name="组员丙")
    other_leader = f.UserFactory(username="other_leader", display_name="组长丁")
    other_deputy = f.UserFactory(username="other_deputy", display_name="副组长戊")
    f.TeamMemberFactory(team=team, user=leader, role=m.TeamRole.LEADER)
    f.TeamMemberFactory(team=team, user=deputy, role=m.TeamRole.DEPUTY)
    f.TeamMemberFactory(team=team, user=member, role=m.TeamRole.MEMBER)
    f.TeamMemberFactory(team=other_team, user=other_leader, role=m.TeamRole.LEADER)
    f.TeamMemberFactory(team=other_team, user=other_deputy, role=m.TeamRole.DEPUTY)
    inspection = f.InspectionFactory(round=round_, batch=batch, unit=unit, team=team)
    other_inspection = f.InspectionFactory(
        round=round_, batch=batch, unit=other_unit, team=other_team
    )
    organ = f.ReceivingOrganFactory(name="市纪委监委", route=m.Route.DISCIPLINE)
    return World(
        round=round_,
        batch=batch,
        team=team,
        other_team=other_team,
        unit=unit,
        other_unit=other_unit,
        inspection=inspection,
        other_inspection=other_inspection,
        organ=organ,
        leading_group=f.LeadingGroupMemberFactory(
            user__username="lg", user__display_name="领导小组成员"
        ).user,
        office=f.OfficeMemberFactory(user__username="office", user__display_name="巡视办干部").user,
        team_leader=leader,
        team_deputy=deputy,
        team_member=member,
        other_team_member=other_leader,
        unit_liaison=f.UnitLiaisonFactory(
            unit=unit, user__username="liaison", user__display_name="联络员"
        ).user,
        other_unit_liaison=f.UnitLiaisonFactory(
            unit=other_unit, user__username="other_liaison", user__display_name="他单位联络员"
        ).user,
        organ_desk=f.ReceivingOrganDeskFactory(
            organ=organ, user__username="desk", user__display_name="纪委监委承办人"
        ).user,
        outsider=f.UserFactory(username="outsider", display_name="无关人员"),
    )
