"""The Team machine (一次一授权) and the membership services that shape a team while proposed."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from inspections import models as m
from inspections.roles import roles_of
from inspections.services import teams as services
from inspections.states import InspectionState, TeamState, inspection_states_from
from tests import factories as f
from tests.helpers import assert_last_audit, fresh, put, refuse
from tests.inspections.machines import Case, Machine, TransitionChecks
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import (
    ConditionFailed,
    InvalidInput,
    PermissionDenied,
    StaleObject,
    WrongState,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 4, 11)
YESTERDAY = TODAY - datetime.timedelta(days=1)
T = TeamState

# Who may take each transition, where it starts, where it ends, and what it records.
CASES = (
    Case(
        "authorize",
        services.team_authorize,
        (T.PROPOSED,),
        T.AUTHORIZED,
        ("leading_group",),
        {"on": YESTERDAY, "note": "领导小组会议"},
        {"authorized_on": YESTERDAY},
    ),
    Case(
        "stand_down",
        services.team_stand_down,
        (T.AUTHORIZED,),
        T.STOOD_DOWN,
        ("office",),
        {"on": YESTERDAY, "note": "任务完成"},
        {"stood_down_on": YESTERDAY},
    ),
)
BY_NAME = {case.name: case for case in CASES}

BEFORE_REPORT = ["planned", "notified", "stationed", "withdrawn"]
REPORTED_OR_LATER = [*inspection_states_from(InspectionState.REPORTED), "cancelled"]


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 11, 10, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def english():
    """Details are asserted by their words; pin the language so translations do not move them."""
    with translation.override("en"):
        yield


def footprint(team):
    """What a refused action must leave untouched: state, version, seats and the audit trail."""
    row = fresh(team)
    seats = sorted(team.members.values_list("user_id", "role"))
    return row.state, row.version, seats, audit_trail(team).count()


def prepare(world, state: str) -> m.Team:
    """The world's first team in `state`, with the conditions of the steps leaving it satisfied."""
    if state == T.PROPOSED:
        return world.team
    put(world.inspection, "reported")
    return put(world.team, state)


def seated(team) -> dict:
    """Who sits on the team in what role, which a refused step must leave as it was."""
    return {"seats": sorted(team.members.values_list("user_id", "role"))}


TEAM = Machine(
    model=m.Team,
    subject="team",
    states=T,
    cases=CASES,
    prepare=prepare,
    today=TODAY,
    beside=seated,
)


def ready_for(world, name: str) -> m.Team:
    """The world's first team in the state where `name` is allowed and its conditions hold."""
    return prepare(world, BY_NAME[name].sources[0])


def seat(team, name: str, role=m.TeamRole.MEMBER) -> m.User:
    user = f.UserFactory(display_name=name)
    f.TeamMemberFactory(team=team, user=user, role=role)
    return user


def authorize(world, team=None):
    team = team or world.team
    return lambda: services.team_authorize(team=team, actor=world.leading_group)


class TestEveryTeamTransition(TransitionChecks):
    """Each row of the table above: allowed, from a wrong state, refused, stale, bad input."""

    machine = TEAM


# authorize: exactly one leader, at least one deputy ------------------------------------


def test_authorize_refuses_a_team_without_a_leader(world):
    world.team.members.filter(role=m.TeamRole.LEADER).delete()
    before = footprint(world.team)

    error = refuse(ConditionFailed, authorize(world))

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert "exactly one leader" in error.details[0]
    assert "第一巡视组 has 0" in error.details[0]
    assert footprint(world.team) == before


def test_authorize_refuses_a_team_with_two_leaders(world):
    seat(world.team, "组长己", m.TeamRole.LEADER)
    before = footprint(world.team)

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 1
    assert "exactly one leader" in error.details[0]
    assert "has 2" in error.details[0]
    assert footprint(world.team) == before


def test_authorize_refuses_a_team_without_a_deputy(world):
    world.team.members.filter(role=m.TeamRole.DEPUTY).delete()
    before = footprint(world.team)

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 1
    assert "at least one deputy" in error.details[0]
    assert "第一巡视组" in error.details[0]
    assert footprint(world.team) == before


def test_authorize_accepts_a_team_with_two_deputies(world):
    seat(world.team, "副组长庚", m.TeamRole.DEPUTY)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


def test_authorize_lists_a_missing_leader_and_a_missing_deputy_together(world):
    world.team.members.exclude(role=m.TeamRole.MEMBER).delete()

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 2
    assert any("exactly one leader" in d for d in error.details)
    assert any("at least one deputy" in d for d in error.details)


# authorize: nobody on two teams of one batch -------------------------------------------


def test_authorize_names_a_person_who_also_sits_on_another_team_of_the_batch(world):
    f.TeamMemberFactory(team=world.other_team, user=world.team_member)
    before = footprint(world.team)

    error = refuse(ConditionFailed, authorize(world))

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert "组员丙" in error.details[0]
    assert "第二巡视组" in error.details[0]
    assert footprint(world.team) == before


def test_authorize_names_each_person_and_each_other_team_of_the_batch(world):
    third = f.TeamFactory(round=world.round, number=3)
    f.InspectionFactory(round=world.round, batch=world.batch, team=third)
    f.TeamMemberFactory(team=world.other_team, user=world.team_member)
    f.TeamMemberFactory(team=third, user=world.team_deputy)

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 2
    assert any("组员丙" in d and "第二巡视组" in d for d in error.details)
    assert any("副组长乙" in d and "第三巡视组" in d for d in error.details)


def test_authorize_accepts_a_person_on_another_team_that_inspects_in_another_batch(world):
    second_batch = f.BatchFactory(round=world.round, number=2)
    m.Inspection.objects.filter(pk=world.other_inspection.pk).update(batch=second_batch)
    f.TeamMemberFactory(team=world.other_team, user=world.team_member)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


def test_authorize_accepts_a_person_whose_other_team_of_the_batch_has_stood_down(world):
    put(world.other_team, "stood_down")
    f.TeamMemberFactory(team=world.other_team, user=world.team_member)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


def test_authorize_accepts_a_person_on_a_team_of_another_round(world):
    later = f.RoundFactory(term=world.round.term, number=7)
    later_team = f.TeamFactory(round=later, number=1)
    f.InspectionFactory(round=later, batch=f.BatchFactory(round=later, number=1), team=later_team)
    f.TeamMemberFactory(team=later_team, user=world.team_member)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


def test_authorize_refuses_a_person_on_two_teams_whose_inspections_have_no_batch(world):
    m.Inspection.objects.filter(round=world.round).update(batch=None)
    f.TeamMemberFactory(team=world.other_team, user=world.team_member)

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 1
    assert "组员丙" in error.details[0]
    assert "第二巡视组" in error.details[0]


def test_authorize_accepts_a_person_also_on_a_team_that_inspects_nothing_yet(world):
    # A team with no inspections inspects in no batch, whether or not the batch has a number.
    m.Inspection.objects.filter(pk=world.inspection.pk).update(batch=None)
    idle = f.TeamFactory(round=world.round, number=3)
    f.TeamMemberFactory(team=idle, user=world.team_member)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


# authorize: recusal (回避) --------------------------------------------------------------


def test_authorize_names_each_member_and_unit_in_conflict(world):
    second_unit = f.UnitFactory(name="市财政局")
    f.InspectionFactory(round=world.round, batch=world.batch, unit=second_unit, team=world.team)
    f.AffiliationFactory(user=world.team_leader, unit=world.unit, kind=m.AffiliationKind.PAST_POST)
    f.AffiliationFactory(
        user=world.team_member, unit=second_unit, kind=m.AffiliationKind.RELATIVE, detail="配偶"
    )
    before = footprint(world.team)

    error = refuse(ConditionFailed, authorize(world))

    assert error.code == "condition_failed"
    assert len(error.details) == 2
    assert any("组长甲" in d and "市科学技术局" in d for d in error.details)
    assert any("组员丙" in d and "市财政局" in d and "配偶" in d for d in error.details)
    assert footprint(world.team) == before
    assert fresh(world.team).authorized_on is None


def test_authorize_refuses_a_member_affiliated_with_an_inspected_unit(world):
    f.AffiliationFactory(user=world.team_deputy, unit=world.unit, kind=m.AffiliationKind.OTHER)

    error = refuse(ConditionFailed, authorize(world))

    assert len(error.details) == 1
    assert "副组长乙" in error.details[0]
    assert world.unit.name in error.details[0]


def test_authorize_ignores_an_affiliation_with_a_unit_the_team_does_not_inspect(world):
    f.AffiliationFactory(user=world.team_leader, unit=world.other_unit)
    f.AffiliationFactory(user=world.team_member, unit=f.UnitFactory(name="市民政局"))

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


def test_authorize_ignores_an_affiliation_of_someone_not_on_the_team(world):
    f.AffiliationFactory(user=world.other_team_member, unit=world.unit)

    services.team_authorize(team=world.team, actor=world.leading_group)

    assert fresh(world.team).state == TeamState.AUTHORIZED


# stand_down: every inspection reported ---------------------------------------------------


@pytest.mark.parametrize("state", BEFORE_REPORT)
def test_stand_down_names_an_inspection_that_is_not_reported(world, state):
    team = ready_for(world, "stand_down")
    put(world.inspection, state)
    before = footprint(team)

    error = refuse(ConditionFailed, lambda: services.team_stand_down(team=team, actor=world.office))

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert world.unit.name in error.details[0]
    assert footprint(team) == before
    assert fresh(team).stood_down_on is None


def test_stand_down_names_each_inspection_of_the_team_that_is_not_reported(world):
    team = ready_for(world, "stand_down")
    put(world.inspection, "withdrawn")
    f.InspectionFactory(round=world.round, batch=world.batch, unit__name="市水务局", team=team)

    error = refuse(ConditionFailed, lambda: services.team_stand_down(team=team, actor=world.office))

    assert len(error.details) == 2
    assert any(world.unit.name in d for d in error.details)
    assert any("市水务局" in d for d in error.details)


@pytest.mark.parametrize("state", REPORTED_OR_LATER)
def test_stand_down_accepts_inspections_reported_or_later_or_cancelled(world, state):
    team = ready_for(world, "stand_down")
    put(world.inspection, state)

    services.team_stand_down(team=team, actor=world.office)

    assert fresh(team).state == TeamState.STOOD_DOWN


def test_stand_down_looks_only_at_the_teams_own_inspections(world):
    team = ready_for(world, "stand_down")
    put(world.other_inspection, "planned")

    services.team_stand_down(team=team, actor=world.office)

    assert fresh(team).state == TeamState.STOOD_DOWN


# Stale ---------------------------------------------------------------------------------


def test_authorising_a_copy_loaded_before_a_seat_changed_is_stale(world):
    first, second = fresh(world.team), fresh(world.team)
    services.team_member_add(team=first, actor=world.office, user=world.outsider, role="member")

    error = refuse(
        StaleObject,
        lambda: services.team_authorize(team=second, actor=world.leading_group),
    )

    assert error.code == "stale"
    assert fresh(world.team).state == TeamState.PROPOSED


# team_create ---------------------------------------------------------------------------


def test_the_office_proposes_a_numbered_team(world):
    team = services.team_create(round_=world.round, actor=world.office, number=3)

    row = fresh(team)
    assert (row.round, row.number, row.state, row.version) == (world.round, 3, "proposed", 1)
    assert str(row) == "第三巡视组"
    assert_last_audit(row, actor=world.office, action="create", from_state="", to_state="proposed")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "office"])
def test_only_the_office_proposes_teams(world, role):
    teams = m.Team.objects.count()

    error = refuse(
        PermissionDenied,
        lambda: services.team_create(round_=world.round, actor=getattr(world, role), number=3),
    )

    assert error.code == "permission_denied"
    assert m.Team.objects.count() == teams


@pytest.mark.parametrize("number", [0, -1, 100, 10**9, True, "3", 3.0, None])
def test_team_create_refuses_a_number_that_is_not_from_1_to_99(world, number):
    teams = m.Team.objects.count()

    error = refuse(
        InvalidInput,
        lambda: services.team_create(round_=world.round, actor=world.office, number=number),
    )

    assert "number" in error.fields
    assert m.Team.objects.count() == teams


def test_team_create_refuses_a_number_the_round_already_has(world):
    teams = m.Team.objects.count()

    error = refuse(
        InvalidInput,
        lambda: services.team_create(round_=world.round, actor=world.office, number=2),
    )

    assert "number" in error.fields
    assert m.Team.objects.count() == teams


# team_member_add -----------------------------------------------------------------------


def test_the_office_seats_a_person_on_a_proposed_team(world):
    newcomer = f.UserFactory(display_name="组员辛")
    assert world.team.pk not in roles_of(newcomer).team_ids

    services.team_member_add(team=world.team, actor=world.office, user=newcomer, role="member")

    assert world.team.members.filter(user=newcomer, role=m.TeamRole.MEMBER).exists()
    row = fresh(world.team)
    assert (row.state, row.version) == (TeamState.PROPOSED, world.team.version + 1)
    assert_last_audit(
        world.team,
        actor=world.office,
        action="add_member",
        from_state="proposed",
        to_state="proposed",
        data={"user": newcomer.pk, "role": "member"},
    )
    assert world.team.pk in roles_of(newcomer).team_ids


@pytest.mark.parametrize("state", ["authorized", "stood_down"])
def test_a_seat_cannot_be_added_once_the_team_is_authorised(world, state):
    team = put(world.team, state)
    before = footprint(team)

    error = refuse(
        WrongState,
        lambda: services.team_member_add(
            team=team, actor=world.office, user=world.outsider, role="member"
        ),
    )

    assert error.code == "wrong_state"
    assert footprint(team) == before


@pytest.mark.parametrize("role", ["", "chair", None])
def test_a_seat_needs_a_valid_role(world, role):
    before = footprint(world.team)

    error = refuse(
        InvalidInput,
        lambda: services.team_member_add(
            team=world.team, actor=world.office, user=world.outsider, role=role
        ),
    )

    assert "role" in error.fields
    assert footprint(world.team) == before


def test_a_person_cannot_be_seated_twice_on_one_team(world):
    before = footprint(world.team)

    error = refuse(
        InvalidInput,
        lambda: services.team_member_add(
            team=world.team, actor=world.office, user=world.team_member, role="deputy"
        ),
    )

    assert "组员丙" in error.fields["user"][0]
    assert footprint(world.team) == before


@pytest.mark.parametrize("role", [r for r in ROLES if r != "office"])
def test_only_the_office_seats_people(world, role):
    before = footprint(world.team)

    error = refuse(
        PermissionDenied,
        lambda: services.team_member_add(
            team=world.team, actor=getattr(world, role), user=world.outsider, role="member"
        ),
    )

    assert error.code == "permission_denied"
    assert footprint(world.team) == before


def test_seating_from_a_copy_loaded_before_another_change_is_stale(world):
    first, second = fresh(world.team), fresh(world.team)
    services.team_member_add(team=first, actor=world.office, user=world.outsider, role="member")
    before = footprint(world.team)

    error = refuse(
        StaleObject,
        lambda: services.team_member_add(
            team=second, actor=world.office, user=f.UserFactory(), role="member"
        ),
    )

    assert error.code == "stale"
    assert footprint(world.team) == before


# team_member_remove --------------------------------------------------------------------


def test_the_office_takes_a_person_off_a_proposed_team(world):
    assert world.team.pk in roles_of(world.team_member).team_ids

    services.team_member_remove(team=world.team, actor=world.office, user=world.team_member)

    assert not world.team.members.filter(user=world.team_member).exists()
    assert fresh(world.team).version == world.team.version + 1
    assert_last_audit(
        world.team,
        actor=world.office,
        action="remove_member",
        from_state="proposed",
        to_state="proposed",
        data={"user": world.team_member.pk},
    )
    assert world.team.pk not in roles_of(world.team_member).team_ids


def test_removing_someone_who_is_not_on_the_team_is_refused(world):
    before = footprint(world.team)

    error = refuse(
        InvalidInput,
        lambda: services.team_member_remove(
            team=world.team, actor=world.office, user=world.other_team_member
        ),
    )

    assert "组长丁" in error.fields["user"][0]
    assert footprint(world.team) == before


@pytest.mark.parametrize("state", ["authorized", "stood_down"])
def test_a_seat_cannot_be_removed_once_the_team_is_authorised(world, state):
    team = put(world.team, state)
    before = footprint(team)

    error = refuse(
        WrongState,
        lambda: services.team_member_remove(team=team, actor=world.office, user=world.team_member),
    )

    assert error.code == "wrong_state"
    assert footprint(team) == before


@pytest.mark.parametrize("role", [r for r in ROLES if r != "office"])
def test_only_the_office_takes_people_off_a_team(world, role):
    before = footprint(world.team)

    error = refuse(
        PermissionDenied,
        lambda: services.team_member_remove(
            team=world.team, actor=getattr(world, role), user=world.team_member
        ),
    )

    assert error.code == "permission_denied"
    assert footprint(world.team) == before


def test_removing_from_a_copy_loaded_before_another_change_is_stale(world):
    first, second = fresh(world.team), fresh(world.team)
    services.team_member_remove(team=first, actor=world.office, user=world.team_member)
    before = footprint(world.team)

    error = refuse(
        StaleObject,
        lambda: services.team_member_remove(
            team=second, actor=world.office, user=world.team_deputy
        ),
    )

    assert error.code == "stale"
    assert footprint(world.team) == before
