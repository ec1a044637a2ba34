"""Selectors: who sees which rounds, inspections, leads and items, and leadership's counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from inspections import models as m
from inspections import selectors
from inspections.states import InspectionState
from tests import factories as f
from tests.helpers import put
from tests.roles import ROLES
from workflows.errors import NotFound

SHANGHAI = ZoneInfo("Asia/Shanghai")

EVERYONE_WHO_OVERSEES = {"leading_group", "office"}


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 11, 10, 0, tzinfo=SHANGHAI), tick=False)


@dataclass
class Scene:
    """The world plus one named row of each kind, so expectations read as names."""

    world: object
    rows: dict[str, object]

    def names(self, queryset) -> set[str]:
        by_pk = {(type(row), row.pk): name for name, row in self.rows.items()}
        return {by_pk[(type(row), row.pk)] for row in queryset}


@pytest.fixture
def scene(world) -> Scene:
    """Two rounds, both inspections of the world, leads at several stages, one item each."""
    later_round = f.RoundFactory(term=world.round.term, number=7)
    other_organ = f.ReceivingOrganFactory(name="市委组织部", route=m.Route.ORGANISATION)

    def lead(inspection, state, organ=None, by=None):
        return f.LeadFactory(
            inspection=inspection,
            state=state,
            receiving_organ=organ,
            registered_by=by or world.team_leader,
        )

    rows = {
        "round": world.round,
        "later_round": later_round,
        "inspection": world.inspection,
        "other_inspection": world.other_inspection,
        "registered_lead": lead(world.inspection, "registered"),
        "decided_lead": lead(world.inspection, "decided", world.organ),
        "handed_lead": lead(world.inspection, "handed_over", world.organ),
        "other_organs_lead": lead(
            world.other_inspection, "handed_over", other_organ, world.other_team_member
        ),
        "item": f.RectificationItemFactory(inspection=world.inspection),
        "other_item": f.RectificationItemFactory(inspection=world.other_inspection),
    }
    return Scene(world=world, rows=rows)


def everything(kind: str) -> set[str]:
    return {
        "round": {"round", "later_round"},
        "inspection": {"inspection", "other_inspection"},
        "lead": {"registered_lead", "decided_lead", "handed_lead", "other_organs_lead"},
        "item": {"item", "other_item"},
    }[kind]


VISIBLE_ROUNDS = {
    "team_leader": {"round"},
    "team_deputy": {"round"},
    "team_member": {"round"},
    "other_team_member": {"round"},
    "unit_liaison": set(),
    "other_unit_liaison": set(),
    "organ_desk": set(),
    "outsider": set(),
}
VISIBLE_INSPECTIONS = {
    "team_leader": {"inspection"},
    "team_deputy": {"inspection"},
    "team_member": {"inspection"},
    "other_team_member": {"other_inspection"},
    "unit_liaison": {"inspection"},
    "other_unit_liaison": {"other_inspection"},
    "organ_desk": set(),
    "outsider": set(),
}
VISIBLE_LEADS = {
    "team_leader": {"registered_lead", "decided_lead", "handed_lead"},
    "team_deputy": {"registered_lead", "decided_lead", "handed_lead"},
    "team_member": set(),
    "other_team_member": {"other_organs_lead"},
    "unit_liaison": set(),
    "other_unit_liaison": set(),
    "organ_desk": {"handed_lead"},
    "outsider": set(),
}
VISIBLE_ITEMS = {
    "team_leader": {"item"},
    "team_deputy": {"item"},
    "team_member": {"item"},
    "other_team_member": {"other_item"},
    "unit_liaison": {"item"},
    "other_unit_liaison": {"other_item"},
    "organ_desk": set(),
    "outsider": set(),
}
SELECTORS = {
    "round": (selectors.rounds_visible_to, selectors.round_get_for_user, VISIBLE_ROUNDS),
    "inspection": (
        selectors.inspections_visible_to,
        selectors.inspection_get_for_user,
        VISIBLE_INSPECTIONS,
    ),
    "lead": (selectors.leads_visible_to, selectors.lead_get_for_user, VISIBLE_LEADS),
    "item": (selectors.items_visible_to, selectors.item_get_for_user, VISIBLE_ITEMS),
}


def expected(kind: str, role: str) -> set[str]:
    return everything(kind) if role in EVERYONE_WHO_OVERSEES else SELECTORS[kind][2][role]


def rows_of(scene: Scene, kind: str) -> dict[str, object]:
    return {name: row for name, row in scene.rows.items() if name in everything(kind)}


# What each role sees -------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SELECTORS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_what_the_permission_table_gives_it(scene, kind, role):
    visible_to = SELECTORS[kind][0]

    seen = scene.names(visible_to(getattr(scene.world, role)))

    assert seen == expected(kind, role)


@pytest.mark.parametrize("kind", list(SELECTORS))
@pytest.mark.parametrize("role", ROLES)
def test_fetching_for_a_user_returns_what_it_sees_and_not_found_for_the_rest(scene, kind, role):
    get_for_user = SELECTORS[kind][1]
    user = getattr(scene.world, role)

    for name, row in rows_of(scene, kind).items():
        if name in expected(kind, role):
            assert get_for_user(user=user, pk=row.pk) == row
        else:
            with pytest.raises(NotFound) as caught:
                get_for_user(user=user, pk=row.pk)
            assert caught.value.code == "not_found"


@pytest.mark.parametrize("kind", list(SELECTORS))
@pytest.mark.parametrize("pk", ["abc", "", None, "1; drop table", [1], 2**70, -1])
def test_fetching_a_garbage_id_is_not_found(scene, kind, pk):
    get_for_user = SELECTORS[kind][1]

    with pytest.raises(NotFound) as caught:
        get_for_user(user=scene.world.office, pk=pk)

    assert caught.value.code == "not_found"


@pytest.mark.parametrize("kind", list(SELECTORS))
def test_fetching_an_id_that_does_not_exist_is_not_found(scene, kind):
    get_for_user = SELECTORS[kind][1]
    missing = max(row.pk for row in rows_of(scene, kind).values()) + 1000

    with pytest.raises(NotFound) as caught:
        get_for_user(user=scene.world.leading_group, pk=missing)

    assert caught.value.code == "not_found"


def test_a_string_id_of_a_visible_row_is_found(scene):
    inspection = selectors.inspection_get_for_user(
        user=scene.world.unit_liaison, pk=str(scene.world.inspection.pk)
    )

    assert inspection == scene.world.inspection


@pytest.mark.parametrize("state", ["handed_over", "reported_back", "closed"])
def test_a_receiving_organ_desk_keeps_seeing_a_lead_handed_to_its_organ(world, state):
    lead = f.LeadFactory(inspection=world.inspection, state=state, receiving_organ=world.organ)

    assert list(selectors.leads_visible_to(world.organ_desk)) == [lead]


@pytest.mark.parametrize("state", ["registered", "decided"])
def test_a_receiving_organ_desk_sees_no_lead_before_it_is_handed_over(world, state):
    lead = f.LeadFactory(inspection=world.inspection, state=state, receiving_organ=world.organ)

    assert not selectors.leads_visible_to(world.organ_desk).exists()
    with pytest.raises(NotFound):
        selectors.lead_get_for_user(user=world.organ_desk, pk=lead.pk)


def test_a_unit_liaison_sees_its_units_inspections_in_every_round(world):
    later = f.InspectionFactory(round=f.RoundFactory(term=world.round.term), unit=world.unit)

    seen = set(selectors.inspections_visible_to(world.unit_liaison))

    assert seen == {world.inspection, later}


def test_a_disabled_office_account_sees_nothing(scene):
    scene.world.office.is_active = False
    scene.world.office.save()

    assert not selectors.rounds_visible_to(scene.world.office).exists()
    assert not selectors.inspections_visible_to(scene.world.office).exists()
    with pytest.raises(NotFound):
        selectors.round_get_for_user(user=scene.world.office, pk=scene.world.round.pk)


# Counts ----------------------------------------------------------------------------------


def test_round_state_counts_lists_every_state_with_zeros(world):
    put(world.other_inspection, "feedback_given")

    counts = selectors.round_state_counts(world.round)

    assert list(counts) == list(InspectionState.values)
    assert counts["planned"] == 1
    assert counts["feedback_given"] == 1
    assert sum(counts.values()) == 2


def test_round_state_counts_of_an_empty_round_are_all_zero(world):
    empty = f.RoundFactory(term=world.round.term, number=7)

    assert set(selectors.round_state_counts(empty).values()) == {0}


def test_round_state_counts_ignore_other_rounds(world):
    f.InspectionFactory(round=f.RoundFactory(term=world.round.term, number=7), state="closed")

    assert selectors.round_state_counts(world.round)["closed"] == 0


def test_rounds_with_state_counts_counts_each_round_in_two_queries(
    world, django_assert_num_queries
):
    later = f.RoundFactory(term=world.round.term, number=7)
    f.InspectionFactory(round=later, state="stationed")
    f.InspectionFactory(round=later, state="stationed")
    f.InspectionFactory(round=later, state="cancelled")
    empty = f.RoundFactory(term=world.round.term, number=8)

    with django_assert_num_queries(2):
        result = selectors.rounds_with_state_counts(m.Round.objects.all())

    assert dict(result) == {
        world.round: {"planned": 2},
        later: {"stationed": 2, "cancelled": 1},
        empty: {},
    }


def test_rounds_with_state_counts_of_no_rounds_is_empty(db):
    assert selectors.rounds_with_state_counts(m.Round.objects.none()) == []


def test_round_breakdown_by_batch(world):
    second = f.BatchFactory(round=world.round, number=2)
    f.InspectionFactory(round=world.round, batch=second, team=world.team, state="notified")
    f.InspectionFactory(round=world.round, batch=None, team=world.team, state="planned")
    put(world.other_inspection, "notified")

    breakdown = selectors.round_breakdown(world.round, by="batch")

    assert breakdown == {
        world.batch.pk: {"planned": 1, "notified": 1},
        second.pk: {"notified": 1},
        None: {"planned": 1},
    }


def test_round_breakdown_by_team(world):
    f.InspectionFactory(round=world.round, batch=world.batch, team=world.team, state="stationed")
    f.InspectionFactory(round=world.round, batch=world.batch, team=None)

    breakdown = selectors.round_breakdown(world.round, by="team")

    assert breakdown == {
        world.team.pk: {"planned": 1, "stationed": 1},
        world.other_team.pk: {"planned": 1},
        None: {"planned": 1},
    }


def test_round_breakdown_refuses_another_grouping(world):
    with pytest.raises(ValueError):
        selectors.round_breakdown(world.round, by="unit")


# Coverage (全覆盖) ------------------------------------------------------------------------


def test_coverage_counts_inspected_units_out_of_every_unit(world):
    f.UnitFactory(name="市档案馆")

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (2, 3)
    assert coverage.percent == 66.7


def test_coverage_counts_a_unit_inspected_twice_in_a_term_once(world):
    later = f.RoundFactory(term=world.round.term, number=7)
    f.InspectionFactory(round=later, unit=world.unit)

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (2, 2)
    assert coverage.percent == 100.0


def test_coverage_does_not_count_a_cancelled_inspection(world):
    put(world.other_inspection, "cancelled")

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (1, 2)


def test_coverage_does_not_count_an_inspection_of_another_term(world):
    next_term = f.RoundFactory(term=f.TermFactory(number=13), number=1)
    never_this_term = f.UnitFactory(name="市档案馆")
    f.InspectionFactory(round=next_term, unit=never_this_term)

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (2, 3)


def test_coverage_counts_a_unit_inspected_once_and_cancelled_in_another_round(world):
    later = f.RoundFactory(term=world.round.term, number=7)
    f.InspectionFactory(round=later, unit=world.unit, state="cancelled")

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (2, 2)


def test_coverage_is_not_lost_by_a_cancelled_inspection_in_another_term(world):
    next_term = f.RoundFactory(term=f.TermFactory(number=13), number=1)
    f.InspectionFactory(round=next_term, unit=world.unit, state="cancelled")

    coverage = selectors.term_coverage(world.round.term)

    assert (coverage.inspected, coverage.total) == (2, 2)


def test_coverage_of_a_term_without_units_is_zero_percent(db):
    coverage = selectors.term_coverage(f.TermFactory(number=11))

    assert (coverage.inspected, coverage.total, coverage.percent) == (0, 0, 0.0)
