"""The Round machine and round_create: who may take each step, when, and what each leaves behind."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from inspections import models as m
from inspections.services import rounds as services
from inspections.states import InspectionState, RoundState, inspection_states_from
from tests import factories as f
from tests.helpers import assert_last_audit, fresh, put, refuse
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
TOMORROW = TODAY + datetime.timedelta(days=1)


# Who may take each transition (DESIGN.md §5), where it starts, where it ends, what date it records.
ACTOR = {
    "approve": "leading_group",
    "mobilize": "office",
    "conclude": "office",
    "archive": "office",
    "cancel": "leading_group",
}
DATED = {
    "approve": "approved_on",
    "mobilize": "mobilized_on",
    "conclude": "concluded_on",
    "archive": "archived_on",
}
WRONG_STATES = {
    "approve": ["approved", "mobilized", "concluded", "archived", "cancelled"],
    "mobilize": ["draft", "mobilized", "concluded", "archived", "cancelled"],
    "conclude": ["draft", "approved", "concluded", "archived", "cancelled"],
    "archive": ["draft", "approved", "mobilized", "archived", "cancelled"],
    "cancel": ["mobilized", "concluded", "archived", "cancelled"],
}
BEFORE_FEEDBACK = ["planned", "notified", "stationed", "withdrawn", "reported", "heard"]
FEEDBACK_OR_LATER = [*inspection_states_from(InspectionState.FEEDBACK_GIVEN), "cancelled"]
NOT_CLOSED = [s for s in InspectionState.values if s not in ("closed", "cancelled")]


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 11, 10, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def english():
    """Details are asserted by their words; pin the language so translations do not move them."""
    with translation.override("en"):
        yield


def footprint(obj):
    """What a refused action must leave untouched: state, version and the audit trail."""
    row = fresh(obj)
    return row.state, row.version, audit_trail(obj).count()


def ready_for(world, name: str) -> m.Round:
    """The world's round in the state where `name` is allowed and its conditions hold."""
    if name in ("approve", "cancel"):
        return world.round
    put(world.team, "authorized")
    put(world.other_team, "authorized")
    if name == "mobilize":
        return put(world.round, "approved")
    if name == "conclude":
        put(world.inspection, "feedback_given")
        put(world.other_inspection, "feedback_given")
        return put(world.round, "mobilized")
    put(world.inspection, "closed")
    put(world.other_inspection, "closed")
    return put(world.round, "concluded")


def take(name: str, round_: m.Round, actor, **kwargs) -> m.Round:
    if name == "cancel":
        kwargs.pop("on", None)
        reason = kwargs.pop("note", "市委决定暂缓本轮巡视")
        return services.round_cancel(round_=round_, actor=actor, reason=reason)
    return getattr(services, f"round_{name}")(round_=round_, actor=actor, **kwargs)


# Allowed -------------------------------------------------------------------------------


def test_the_leading_group_approves_a_draft_round_whose_inspections_all_have_teams(world):
    result = services.round_approve(
        round_=world.round, actor=world.leading_group, on=YESTERDAY, note="市委常委会审议通过"
    )

    row = fresh(world.round)
    assert result.state == row.state == RoundState.APPROVED
    assert row.version == world.round.version + 1
    assert row.approved_on == YESTERDAY
    assert_last_audit(
        world.round,
        actor=world.leading_group,
        action="approve",
        from_state="draft",
        to_state="approved",
        note="市委常委会审议通过",
    )


def test_the_office_records_the_mobilisation_meeting_of_a_round_whose_teams_are_authorised(world):
    round_ = ready_for(world, "mobilize")

    services.round_mobilize(round_=round_, actor=world.office, on=TODAY, note="动员部署会")

    row = fresh(round_)
    assert row.state == RoundState.MOBILIZED
    assert row.version == round_.version + 1
    assert row.mobilized_on == TODAY
    assert_last_audit(
        round_,
        actor=world.office,
        action="mobilize",
        from_state="approved",
        to_state="mobilized",
        note="动员部署会",
    )


def test_the_office_concludes_a_mobilised_round_once_every_inspection_has_had_feedback(world):
    round_ = ready_for(world, "conclude")

    services.round_conclude(round_=round_, actor=world.office, on=YESTERDAY)

    row = fresh(round_)
    assert row.state == RoundState.CONCLUDED
    assert row.version == round_.version + 1
    assert row.concluded_on == YESTERDAY
    assert_last_audit(
        round_, actor=world.office, action="conclude", from_state="mobilized", to_state="concluded"
    )


def test_the_office_archives_a_concluded_round_once_every_inspection_is_closed(world):
    round_ = ready_for(world, "archive")

    services.round_archive(round_=round_, actor=world.office, on=YESTERDAY, note="归档")

    row = fresh(round_)
    assert row.state == RoundState.ARCHIVED
    assert row.version == round_.version + 1
    assert row.archived_on == YESTERDAY
    assert_last_audit(
        round_,
        actor=world.office,
        action="archive",
        from_state="concluded",
        to_state="archived",
        note="归档",
    )


@pytest.mark.parametrize("source", ["draft", "approved"])
def test_the_leading_group_cancels_a_draft_or_approved_round_giving_a_reason(world, source):
    round_ = put(world.round, source)

    services.round_cancel(round_=round_, actor=world.leading_group, reason="  市委决定暂缓  ")

    row = fresh(round_)
    assert row.state == RoundState.CANCELLED
    assert row.version == round_.version + 1
    assert_last_audit(
        round_,
        actor=world.leading_group,
        action="cancel",
        from_state=source,
        to_state="cancelled",
        note="市委决定暂缓",
    )


def test_an_event_date_left_out_is_today(world):
    services.round_approve(round_=world.round, actor=world.leading_group)

    assert fresh(world.round).approved_on == TODAY


def test_today_is_the_date_in_shanghai_even_while_it_is_still_yesterday_in_utc(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 11, 1, 0, tzinfo=SHANGHAI), tick=False)

    services.round_approve(round_=world.round, actor=world.leading_group, on=TODAY)

    assert fresh(world.round).approved_on == TODAY


# Wrong state ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state"),
    [(name, state) for name, states in WRONG_STATES.items() for state in states],
)
def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(world, name, state):
    round_ = put(ready_for(world, name), state)
    before = footprint(round_)

    error = refuse(WrongState, lambda: take(name, round_, getattr(world, ACTOR[name])))

    assert error.code == "wrong_state"
    assert footprint(round_) == before
    if name in DATED:
        assert getattr(fresh(round_), DATED[name]) is None


# Conditions ----------------------------------------------------------------------------


def test_approve_refuses_a_round_without_inspections(world):
    empty = f.RoundFactory(term=world.round.term, number=7)
    before = footprint(empty)

    error = refuse(
        ConditionFailed, lambda: services.round_approve(round_=empty, actor=world.leading_group)
    )

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert "no inspections" in error.details[0]
    assert footprint(empty) == before


def test_approve_names_every_inspection_that_has_no_team(world):
    f.InspectionFactory(round=world.round, batch=world.batch, unit__name="市审计局", team=None)
    f.InspectionFactory(round=world.round, batch=world.batch, unit__name="市统计局", team=None)
    before = footprint(world.round)

    error = refuse(
        ConditionFailed,
        lambda: services.round_approve(round_=world.round, actor=world.leading_group),
    )

    assert error.code == "condition_failed"
    assert len(error.details) == 2
    assert any("市审计局" in d for d in error.details)
    assert any("市统计局" in d for d in error.details)
    assert not any(world.unit.name in d for d in error.details)
    assert footprint(world.round) == before
    assert fresh(world.round).approved_on is None


def test_mobilize_names_the_team_that_is_not_authorised(world):
    round_ = ready_for(world, "mobilize")
    put(world.other_team, "proposed")
    before = footprint(round_)

    error = refuse(
        ConditionFailed, lambda: services.round_mobilize(round_=round_, actor=world.office)
    )

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert "第二巡视组" in error.details[0]
    assert footprint(round_) == before
    assert fresh(round_).mobilized_on is None


def test_mobilize_names_each_team_that_is_not_authorised(world):
    round_ = put(world.round, "approved")

    error = refuse(
        ConditionFailed, lambda: services.round_mobilize(round_=round_, actor=world.office)
    )

    assert len(error.details) == 2
    assert any("第一巡视组" in d for d in error.details)
    assert any("第二巡视组" in d for d in error.details)


@pytest.mark.parametrize("state", BEFORE_FEEDBACK)
def test_conclude_names_an_inspection_that_has_not_had_its_feedback(world, state):
    round_ = ready_for(world, "conclude")
    put(world.other_inspection, state)
    before = footprint(round_)

    error = refuse(
        ConditionFailed, lambda: services.round_conclude(round_=round_, actor=world.office)
    )

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert world.other_unit.name in error.details[0]
    assert footprint(round_) == before
    assert fresh(round_).concluded_on is None


@pytest.mark.parametrize("state", FEEDBACK_OR_LATER)
def test_conclude_accepts_inspections_at_feedback_or_later_or_cancelled(world, state):
    round_ = ready_for(world, "conclude")
    put(world.other_inspection, state)

    services.round_conclude(round_=round_, actor=world.office)

    assert fresh(round_).state == RoundState.CONCLUDED


def test_conclude_names_each_inspection_still_waiting_for_feedback(world):
    round_ = ready_for(world, "conclude")
    put(world.inspection, "heard")
    put(world.other_inspection, "stationed")

    error = refuse(
        ConditionFailed, lambda: services.round_conclude(round_=round_, actor=world.office)
    )

    assert len(error.details) == 2
    assert any(world.unit.name in d for d in error.details)
    assert any(world.other_unit.name in d for d in error.details)


@pytest.mark.parametrize("state", NOT_CLOSED)
def test_archive_names_an_inspection_that_is_neither_closed_nor_cancelled(world, state):
    round_ = ready_for(world, "archive")
    put(world.inspection, state)
    before = footprint(round_)

    error = refuse(
        ConditionFailed, lambda: services.round_archive(round_=round_, actor=world.office)
    )

    assert error.code == "condition_failed"
    assert len(error.details) == 1
    assert world.unit.name in error.details[0]
    assert footprint(round_) == before
    assert fresh(round_).archived_on is None


def test_archive_accepts_a_cancelled_inspection_beside_closed_ones(world):
    round_ = ready_for(world, "archive")
    put(world.other_inspection, "cancelled")

    services.round_archive(round_=round_, actor=world.office)

    assert fresh(round_).state == RoundState.ARCHIVED


# Permission ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [(name, role) for name in ACTOR for role in ROLES if role != ACTOR[name]],
)
def test_a_role_without_the_permission_is_refused_and_nothing_changes(world, name, role):
    round_ = ready_for(world, name)
    before = footprint(round_)

    error = refuse(PermissionDenied, lambda: take(name, round_, getattr(world, role)))

    assert error.code == "permission_denied"
    assert footprint(round_) == before


def test_a_leading_group_member_whose_account_is_disabled_may_not_approve(world):
    world.leading_group.is_active = False
    world.leading_group.save()
    before = footprint(world.round)

    error = refuse(
        PermissionDenied,
        lambda: services.round_approve(round_=world.round, actor=world.leading_group),
    )

    assert error.code == "permission_denied"
    assert footprint(world.round) == before


# Stale ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACTOR))
def test_a_second_copy_loaded_before_the_transition_is_stale(world, name):
    ready_for(world, name)
    first, second = fresh(world.round), fresh(world.round)
    actor = getattr(world, ACTOR[name])
    take(name, first, actor)
    before = footprint(world.round)

    error = refuse(StaleObject, lambda: take(name, second, actor))

    assert error.code == "stale"
    assert footprint(world.round) == before


def test_cancelling_from_a_copy_loaded_before_the_approval_is_stale(world):
    first, second = fresh(world.round), fresh(world.round)
    services.round_approve(round_=first, actor=world.leading_group)

    error = refuse(
        StaleObject,
        lambda: services.round_cancel(round_=second, actor=world.leading_group, reason="暂缓"),
    )

    assert error.code == "stale"
    assert fresh(world.round).state == RoundState.APPROVED


# Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATED))
def test_an_event_date_in_the_future_is_refused(world, name):
    round_ = ready_for(world, name)
    before = footprint(round_)

    error = refuse(
        InvalidInput, lambda: take(name, round_, getattr(world, ACTOR[name]), on=TOMORROW)
    )

    assert error.code == "invalid"
    assert "on" in error.fields
    assert footprint(round_) == before


@pytest.mark.parametrize(
    "on", ["2026-04-10", datetime.datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)]
)
def test_an_event_date_that_is_not_a_date_is_refused(world, on):
    before = footprint(world.round)

    error = refuse(
        InvalidInput,
        lambda: services.round_approve(round_=world.round, actor=world.leading_group, on=on),
    )

    assert "on" in error.fields
    assert footprint(world.round) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_cancel_needs_a_reason(world, reason):
    before = footprint(world.round)

    error = refuse(
        InvalidInput,
        lambda: services.round_cancel(round_=world.round, actor=world.leading_group, reason=reason),
    )

    assert "reason" in error.fields
    assert footprint(world.round) == before


# round_create --------------------------------------------------------------------------


def rows():
    return m.Term.objects.count(), m.Round.objects.count()


def test_the_office_opens_a_draft_round_creating_its_term_on_first_use(db):
    office = f.OfficeMemberFactory().user

    round_ = services.round_create(
        actor=office, body=" 市委 ", term_number=13, number=1, title="十三届市委第一轮巡视"
    )

    row = fresh(round_)
    assert (row.term.body, row.term.number, row.number) == ("市委", 13, 1)
    assert (row.state, row.version, row.title) == (RoundState.DRAFT, 1, "十三届市委第一轮巡视")
    assert_last_audit(row, actor=office, action="create", from_state="", to_state="draft")


def test_a_round_in_an_existing_term_reuses_the_term(world):
    terms = m.Term.objects.count()

    round_ = services.round_create(actor=world.office, body="市委", term_number=12, number=7)

    assert round_.term == world.round.term
    assert m.Term.objects.count() == terms


@pytest.mark.parametrize("role", [r for r in ROLES if r != "office"])
def test_only_the_office_opens_rounds(world, role):
    before = rows()

    error = refuse(
        PermissionDenied,
        lambda: services.round_create(
            actor=getattr(world, role), body="市委", term_number=13, number=1
        ),
    )

    assert error.code == "permission_denied"
    assert rows() == before


@pytest.mark.parametrize("field", ["number", "term_number"])
@pytest.mark.parametrize("value", [0, -1, 1000, 10**9, True, "6", 6.0, None])
def test_round_create_refuses_a_number_that_is_not_a_whole_number_from_1_to_999(
    world, field, value
):
    before = rows()
    arguments = {"body": "市委", "term_number": 13, "number": 1, field: value}

    error = refuse(InvalidInput, lambda: services.round_create(actor=world.office, **arguments))

    assert error.code == "invalid"
    assert field in error.fields
    assert rows() == before


@pytest.mark.parametrize("body", ["", "   ", None, "委" * 51])
def test_round_create_refuses_an_empty_or_overlong_body(world, body):
    before = rows()

    error = refuse(
        InvalidInput,
        lambda: services.round_create(actor=world.office, body=body, term_number=13, number=1),
    )

    assert "body" in error.fields
    assert rows() == before


def test_round_create_refuses_an_overlong_title(world):
    before = rows()

    error = refuse(
        InvalidInput,
        lambda: services.round_create(
            actor=world.office, body="市委", term_number=13, number=1, title="巡" * 201
        ),
    )

    assert "title" in error.fields
    assert rows() == before


def test_round_create_refuses_a_round_number_the_term_already_has(world):
    before = rows()

    error = refuse(
        InvalidInput,
        lambda: services.round_create(actor=world.office, body="市委", term_number=12, number=6),
    )

    assert "number" in error.fields
    assert rows() == before


def test_the_same_round_number_is_free_in_another_term(world):
    round_ = services.round_create(actor=world.office, body="市委", term_number=13, number=6)

    assert (round_.term.number, round_.number) == (13, 6)
    assert m.Round.objects.filter(number=6).count() == 2
