"""What is recorded on an inspection outside its machine: planning, team, counts, grade, disclosure."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission

from inspections.models import (
    Grade,
    Inspection,
    InspectionKind,
    InspectionState,
    RoundState,
    Team,
    TeamState,
)
from inspections.roles import forget_roles
from inspections.services.inspections import (
    inspection_assign_team,
    inspection_grade,
    inspection_plan,
    inspection_record_disclosure,
    inspection_record_onsite_work,
)
from tests import factories as f
from tests.helpers import put
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import InvalidInput, PermissionDenied, StaleObject, WrongState

S = InspectionState
NOW = datetime.datetime(2026, 9, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
EARLIER = datetime.date(2026, 9, 22)
NOT_OFFICE = [role for role in ROLES if role != "office"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def row(inspection: Inspection) -> dict:
    stored = Inspection.objects.get(pk=inspection.pk)
    values = {field.attname: getattr(stored, field.attname) for field in Inspection._meta.fields}
    return {**values, "audit_entries": audit_trail(stored).count()}


def only_entry(inspection: Inspection):
    (entry,) = audit_trail(inspection)
    return entry


# Grade ----------------------------------------------------------------------------------------

GRADABLE = (S.RECTIFICATION_ACCEPTED, S.CLOSED)


@pytest.mark.parametrize("state", GRADABLE)
@pytest.mark.parametrize("grade", Grade.values)
def test_the_office_grades_an_accepted_or_closed_rectification(world, state, grade):
    inspection = put(world.inspection, state=state)

    inspection_grade(inspection=inspection, actor=world.office, grade=grade, note="评估意见")

    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.grade, stored.state, stored.version) == (grade, state, inspection.version + 1)
    entry = only_entry(stored)
    assert (entry.actor, entry.action, entry.note) == (world.office, "grade", "评估意见")
    assert (entry.from_state, entry.to_state, entry.data) == (state, state, {"grade": grade})


@pytest.mark.parametrize("state", [s for s in S if s not in GRADABLE])
def test_no_grade_before_the_rectification_report_is_accepted(world, state):
    inspection = put(world.inspection, state=state)
    before = row(inspection)

    with pytest.raises(WrongState):
        inspection_grade(inspection=inspection, actor=world.office, grade=Grade.GOOD)

    assert row(inspection) == before


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_only_the_office_grades(world, role):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    before = row(inspection)

    with pytest.raises(PermissionDenied):
        inspection_grade(inspection=inspection, actor=getattr(world, role), grade=Grade.GOOD)

    assert row(inspection) == before


@pytest.mark.parametrize("grade", ["excellent", "", "好", None])
def test_a_grade_outside_the_four_is_refused(world, grade):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    before = row(inspection)

    with pytest.raises(InvalidInput) as refused:
        inspection_grade(inspection=inspection, actor=world.office, grade=grade)

    assert "grade" in refused.value.fields
    assert row(inspection) == before


def test_a_grade_given_on_a_stale_copy_is_refused(world):
    put(world.inspection, state=S.CLOSED)
    first = Inspection.objects.get(pk=world.inspection.pk)
    second = Inspection.objects.get(pk=world.inspection.pk)
    inspection_grade(inspection=first, actor=world.office, grade=Grade.GOOD)

    with pytest.raises(StaleObject):
        inspection_grade(inspection=second, actor=world.office, grade=Grade.POOR)

    assert Inspection.objects.get(pk=first.pk).grade == Grade.GOOD


# Public disclosure ------------------------------------------------------------------------------

DISCLOSABLE = (S.RECTIFICATION_REPORTED, S.RECTIFICATION_ACCEPTED, S.CLOSED)


@pytest.mark.parametrize("state", DISCLOSABLE)
def test_the_office_records_the_public_disclosure(world, state):
    inspection = put(world.inspection, state=state)

    inspection_record_disclosure(
        inspection=inspection, actor=world.office, reference="  市纪委监委网站  ", on=EARLIER
    )

    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.disclosed_on, stored.disclosure_reference) == (EARLIER, "市纪委监委网站")
    assert stored.version == inspection.version + 1
    entry = only_entry(stored)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        world.office,
        "record_disclosure",
        state,
        state,
    )
    assert entry.data == {"on": EARLIER.isoformat(), "reference": "市纪委监委网站"}


def test_the_disclosure_date_defaults_to_today(world):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)

    inspection_record_disclosure(inspection=inspection, actor=world.office, reference="本单位网站")

    assert Inspection.objects.get(pk=inspection.pk).disclosed_on == TODAY


@pytest.mark.parametrize("state", [s for s in S if s not in DISCLOSABLE])
def test_no_disclosure_before_the_rectification_is_reported(world, state):
    inspection = put(world.inspection, state=state)
    before = row(inspection)

    with pytest.raises(WrongState):
        inspection_record_disclosure(inspection=inspection, actor=world.office, reference="网站")

    assert row(inspection) == before


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_only_the_office_records_the_disclosure(world, role):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    before = row(inspection)

    with pytest.raises(PermissionDenied):
        inspection_record_disclosure(
            inspection=inspection, actor=getattr(world, role), reference="网站"
        )

    assert row(inspection) == before


@pytest.mark.parametrize(
    ("inputs", "field_name"),
    [
        ({"reference": ""}, "reference"),
        ({"reference": "   "}, "reference"),
        ({"reference": "网" * 301}, "reference"),
        ({"reference": "网站", "on": TODAY + datetime.timedelta(days=1)}, "on"),
    ],
    ids=["empty-reference", "blank-reference", "301-character-reference", "future-date"],
)
def test_a_bad_disclosure_is_refused_naming_the_field(world, inputs, field_name):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    before = row(inspection)

    with pytest.raises(InvalidInput) as refused:
        inspection_record_disclosure(inspection=inspection, actor=world.office, **inputs)

    assert field_name in refused.value.fields
    assert row(inspection) == before


# On-site work counts ----------------------------------------------------------------------------

COUNTS = {"talks": 120, "letters_calls_visits": 35, "documents_reviewed": 800, "questionnaires": 0}
COUNTERS = ("team_leader", "team_deputy", "team_member")


@pytest.mark.parametrize("state", [S.STATIONED, S.WITHDRAWN])
@pytest.mark.parametrize("role", COUNTERS)
def test_the_team_records_its_on_site_work(world, role, state):
    inspection = put(world.inspection, state=state)
    actor = getattr(world, role)

    inspection_record_onsite_work(inspection=inspection, actor=actor, **COUNTS)

    stored = Inspection.objects.get(pk=inspection.pk)
    assert {name: getattr(stored, name) for name in COUNTS} == COUNTS
    assert stored.version == inspection.version + 1
    entry = only_entry(stored)
    assert (entry.actor, entry.action, entry.data) == (actor, "record_onsite_work", COUNTS)


def test_counts_recorded_again_replace_the_earlier_ones(world):
    inspection = put(world.inspection, state=S.STATIONED)
    inspection = inspection_record_onsite_work(
        inspection=inspection, actor=world.team_member, **COUNTS
    )

    inspection_record_onsite_work(
        inspection=inspection, actor=world.team_member, **{**COUNTS, "talks": 150}
    )

    assert Inspection.objects.get(pk=inspection.pk).talks == 150


@pytest.mark.parametrize("role", [r for r in ROLES if r not in COUNTERS])
def test_nobody_outside_the_team_records_its_on_site_work(world, role):
    inspection = put(world.inspection, state=S.STATIONED)
    before = row(inspection)

    with pytest.raises(PermissionDenied):
        inspection_record_onsite_work(inspection=inspection, actor=getattr(world, role), **COUNTS)

    assert row(inspection) == before


@pytest.mark.parametrize("state", [s for s in S if s not in (S.STATIONED, S.WITHDRAWN)])
def test_on_site_work_is_recorded_only_while_stationed_or_just_withdrawn(world, state):
    inspection = put(world.inspection, state=state)
    before = row(inspection)

    with pytest.raises(WrongState):
        inspection_record_onsite_work(inspection=inspection, actor=world.team_leader, **COUNTS)

    assert row(inspection) == before


@pytest.mark.parametrize("name", list(COUNTS))
@pytest.mark.parametrize("value", [-1, "3", 2.5, True, None], ids=repr)
def test_a_count_that_is_not_a_whole_number_of_zero_or_more_is_refused(world, name, value):
    inspection = put(world.inspection, state=S.STATIONED)
    before = row(inspection)

    with pytest.raises(InvalidInput) as refused:
        inspection_record_onsite_work(
            inspection=inspection, actor=world.team_leader, **{**COUNTS, name: value}
        )

    assert list(refused.value.fields) == [name]
    assert row(inspection) == before


# Planning -------------------------------------------------------------------------------------


def test_the_office_puts_a_unit_on_the_round(world):
    unit = f.UnitFactory(name="市审计局")

    inspection = inspection_plan(
        round_=world.round,
        actor=world.office,
        unit=unit,
        kind=InspectionKind.LOOK_BACK,
        batch=world.batch,
        team=world.team,
    )

    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.round, stored.unit, stored.batch, stored.team) == (
        world.round,
        unit,
        world.batch,
        world.team,
    )
    assert (stored.kind, stored.state) == (InspectionKind.LOOK_BACK, S.PLANNED)
    entry = only_entry(stored)
    assert (entry.actor, entry.action, entry.to_state) == (world.office, "plan", S.PLANNED)


@pytest.mark.parametrize("state", [RoundState.DRAFT, RoundState.APPROVED, RoundState.MOBILIZED])
def test_a_unit_joins_a_round_that_has_not_concluded_without_batch_or_team(world, state):
    put(world.round, state=state)

    inspection = inspection_plan(
        round_=world.round, actor=world.office, unit=f.UnitFactory(), kind=InspectionKind.REGULAR
    )

    assert (inspection.batch, inspection.team, inspection.state) == (None, None, S.PLANNED)


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_only_the_office_plans_inspections(world, role):
    with pytest.raises(PermissionDenied):
        inspection_plan(
            round_=world.round,
            actor=getattr(world, role),
            unit=f.UnitFactory(),
            kind=InspectionKind.REGULAR,
        )

    assert Inspection.objects.count() == 2


def test_a_django_model_permission_does_not_make_someone_the_office(world):
    # The `rules` module decides; Django's "can change inspection" grant
    # (given in the admin) must not let a non-office user plan inspections.
    world.outsider.user_permissions.add(
        Permission.objects.get(content_type__app_label="inspections", codename="change_inspection")
    )
    outsider = type(world.outsider).objects.get(pk=world.outsider.pk)
    forget_roles(outsider)

    with pytest.raises(PermissionDenied):
        inspection_plan(
            round_=world.round, actor=outsider, unit=f.UnitFactory(), kind=InspectionKind.REGULAR
        )

    assert Inspection.objects.count() == 2


def test_a_unit_already_on_the_round_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        inspection_plan(
            round_=world.round, actor=world.office, unit=world.unit, kind=InspectionKind.REGULAR
        )

    assert "unit" in refused.value.fields
    assert world.unit.name in refused.value.fields["unit"][0]
    assert Inspection.objects.count() == 2


def test_the_same_unit_may_be_on_another_round(world):
    later_round = f.RoundFactory(number=7)

    inspection = inspection_plan(
        round_=later_round, actor=world.office, unit=world.unit, kind=InspectionKind.LOOK_BACK
    )

    assert inspection.round == later_round


def test_a_team_of_another_round_is_refused(world):
    stranger = f.TeamFactory(round=f.RoundFactory(number=7), number=1)

    with pytest.raises(InvalidInput) as refused:
        inspection_plan(
            round_=world.round,
            actor=world.office,
            unit=f.UnitFactory(),
            kind=InspectionKind.REGULAR,
            team=stranger,
        )

    assert "team" in refused.value.fields
    assert Inspection.objects.count() == 2


def test_a_batch_of_another_round_is_refused(world):
    stranger = f.BatchFactory(round=f.RoundFactory(number=7))

    with pytest.raises(InvalidInput) as refused:
        inspection_plan(
            round_=world.round,
            actor=world.office,
            unit=f.UnitFactory(),
            kind=InspectionKind.REGULAR,
            batch=stranger,
        )

    assert "batch" in refused.value.fields
    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("state", [TeamState.AUTHORIZED, TeamState.STOOD_DOWN])
def test_a_team_that_is_already_authorised_gets_no_more_units(world, state):
    team = put(world.team, state=state)

    with pytest.raises(InvalidInput) as refused:
        inspection_plan(
            round_=world.round,
            actor=world.office,
            unit=f.UnitFactory(),
            kind=InspectionKind.REGULAR,
            team=team,
        )

    assert "team" in refused.value.fields
    assert Inspection.objects.count() == 2


def test_a_team_authorised_since_it_was_loaded_gets_no_more_units(world):
    # Authorisation checks recusal against the team's units; a unit slipped in afterwards
    # would escape that check, so the service must judge the team as it is now.
    team_as_loaded = world.team
    Team.objects.filter(pk=world.team.pk).update(state=TeamState.AUTHORIZED)

    with pytest.raises(InvalidInput):
        inspection_plan(
            round_=world.round,
            actor=world.office,
            unit=f.UnitFactory(),
            kind=InspectionKind.REGULAR,
            team=team_as_loaded,
        )

    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("kind", ["routine", "", None])
def test_an_unknown_kind_is_refused(world, kind):
    with pytest.raises(InvalidInput) as refused:
        inspection_plan(round_=world.round, actor=world.office, unit=f.UnitFactory(), kind=kind)

    assert "kind" in refused.value.fields
    assert Inspection.objects.count() == 2


@pytest.mark.parametrize("state", [RoundState.CONCLUDED, RoundState.ARCHIVED, RoundState.CANCELLED])
def test_a_round_that_is_over_takes_no_more_units(world, state):
    put(world.round, state=state)

    with pytest.raises(WrongState) as refused:
        inspection_plan(
            round_=world.round, actor=world.office, unit=f.UnitFactory(), kind="regular"
        )

    assert refused.value.code == "wrong_state"
    assert Inspection.objects.count() == 2


# Assigning a team ---------------------------------------------------------------------------------


@pytest.fixture
def unassigned(world) -> Inspection:
    return put(world.inspection, team=None)


def test_the_office_gives_a_planned_inspection_to_a_proposed_team(world, unassigned):
    inspection_assign_team(inspection=unassigned, actor=world.office, team=world.other_team)

    stored = Inspection.objects.get(pk=unassigned.pk)
    assert (stored.team, stored.version) == (world.other_team, unassigned.version + 1)
    entry = only_entry(stored)
    assert (entry.actor, entry.action, entry.data) == (
        world.office,
        "assign_team",
        {"team": world.other_team.pk},
    )
    assert (entry.from_state, entry.to_state) == (S.PLANNED, S.PLANNED)


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_only_the_office_assigns_teams(world, unassigned, role):
    before = row(unassigned)

    with pytest.raises(PermissionDenied):
        inspection_assign_team(
            inspection=unassigned, actor=getattr(world, role), team=world.other_team
        )

    assert row(unassigned) == before


@pytest.mark.parametrize("state", [s for s in S if s != S.PLANNED])
def test_a_team_is_assigned_only_while_the_inspection_is_planned(world, unassigned, state):
    inspection = put(unassigned, state=state)
    before = row(inspection)

    with pytest.raises(WrongState):
        inspection_assign_team(inspection=inspection, actor=world.office, team=world.team)

    assert row(inspection) == before


def test_a_team_of_another_round_is_not_assigned(world, unassigned):
    stranger = f.TeamFactory(round=f.RoundFactory(number=7), number=1)
    before = row(unassigned)

    with pytest.raises(InvalidInput) as refused:
        inspection_assign_team(inspection=unassigned, actor=world.office, team=stranger)

    assert "team" in refused.value.fields
    assert row(unassigned) == before


def test_an_authorised_team_is_not_assigned(world, unassigned):
    team = put(world.other_team, state=TeamState.AUTHORIZED)
    before = row(unassigned)

    with pytest.raises(InvalidInput) as refused:
        inspection_assign_team(inspection=unassigned, actor=world.office, team=team)

    assert "team" in refused.value.fields
    assert row(unassigned) == before


def test_a_team_authorised_since_it_was_loaded_is_not_assigned(world, unassigned):
    # Same reason as for planning: the team's state must be read under the lock, not trusted.
    team_as_loaded = world.other_team
    Team.objects.filter(pk=world.other_team.pk).update(state=TeamState.AUTHORIZED)
    before = row(unassigned)

    with pytest.raises(InvalidInput):
        inspection_assign_team(inspection=unassigned, actor=world.office, team=team_as_loaded)

    assert row(unassigned) == before


def test_a_team_assigned_on_a_stale_copy_is_refused(world, unassigned):
    first = Inspection.objects.get(pk=unassigned.pk)
    second = Inspection.objects.get(pk=unassigned.pk)
    inspection_assign_team(inspection=first, actor=world.office, team=world.team)

    with pytest.raises(StaleObject):
        inspection_assign_team(inspection=second, actor=world.office, team=world.other_team)

    assert Inspection.objects.get(pk=unassigned.pk).team == world.team
