"""The world fixture builds, and every role is recognised."""

from inspections.roles import roles_of


def test_world_roles(world):
    assert roles_of(world.leading_group).leading_group
    assert roles_of(world.office).office
    assert world.team.pk in roles_of(world.team_leader).led_team_ids
    assert world.team.pk not in roles_of(world.team_member).led_team_ids
    assert world.unit.pk in roles_of(world.unit_liaison).unit_ids
    assert world.organ.pk in roles_of(world.organ_desk).organ_ids
    assert roles_of(world.outsider) == roles_of(None)
