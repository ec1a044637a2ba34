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
from tests.inspections.machines import Case, Machine, TransitionChecks
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import (
    ConditionFailed,
    InvalidInput,
    PermissionDenied,
    StaleObject,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 4, 11)
YESTERDAY = TODAY - datetime.timedelta(days=1)
R = RoundState

# Who may take each transition, where it starts, where it ends, and what it records.
CASES = (
    Case(
        "approve",
        services.round_approve,
        (R.DRAFT,),
        R.APPROVED,
        ("leading_group",),
        {"on": YESTERDAY, "note": "市委常委会审议通过"},
        {"approved_on": YESTERDAY},
    ),
    Case(
        "mobilize",
        services.round_mobilize,
        (R.APPROVED,),
        R.MOBILIZED,
        ("office",),
        {"on": TODAY, "note": "动员部署会"},
        {"mobilized_on": TODAY},
    ),
    Case(
        "conclude",
        services.round_conclude,
        (R.MOBILIZED,),
        R.CONCLUDED,
        ("office",),
        {"on": YESTERDAY},
        {"concluded_on": YESTERDAY},
    ),
    Case(
        "archive",
        services.round_archive,
        (R.CONCLUDED,),
        R.ARCHIVED,
        ("office",),
        {"on": YESTERDAY, "note": "归档"},
        {"archived_on": YESTERDAY},
    ),
    Case(
        "cancel",
        services.round_cancel,
        (R.DRAFT, R.APPROVED),
        R.CANCELLED,
        ("leading_group",),
        {"reason": "市委决定暂缓本轮巡视"},
    ),
)
BY_NAME = {case.name: case for case in CASES}

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


def prepare(world, state: str) -> m.Round:
    """The world's round in `state`, with the conditions of the steps that leave it satisfied."""
    if state == R.DRAFT:
        return world.round
    put(world.team, "authorized")
    put(world.other_team, "authorized")
    if state == R.MOBILIZED:
        put(world.inspection, "feedback_given")
        put(world.other_inspection, "feedback_given")
    elif state != R.APPROVED:
        put(world.inspection, "closed")
        put(world.other_inspection, "closed")
    return put(world.round, state)


ROUND = Machine(
    model=m.Round,
    subject="round_",
    states=R,
    cases=CASES,
    prepare=prepare,
    today=TODAY,
    bad_inputs=(
        pytest.param(
            BY_NAME["approve"], {"on": "2026-04-10"}, "on", id="approve-a-text-is-not-a-date"
        ),
        pytest.param(
            BY_NAME["approve"],
            {"on": datetime.datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)},
            "on",
            id="approve-a-datetime-is-not-a-date",
        ),
    ),
)


def ready_for(world, name: str) -> m.Round:
    """The world's round in the state where `name` is allowed and its conditions hold."""
    return prepare(world, BY_NAME[name].sources[0])


class TestEveryRoundTransition(TransitionChecks):
    """Each row of the table above: allowed, from a wrong state, refused, stale, bad input."""

    machine = ROUND


# Allowed -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["draft", "approved"])
def test_the_reason_for_cancelling_is_recorded_without_the_spaces_around_it(world, source):
    round_ = put(world.round, source)

    services.round_cancel(round_=round_, actor=world.leading_group, reason="  市委决定暂缓  ")

    assert audit_trail(round_).last().note == "市委决定暂缓"


def test_today_is_the_date_in_shanghai_even_while_it_is_still_yesterday_in_utc(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 11, 1, 0, tzinfo=SHANGHAI), tick=False)

    services.round_approve(round_=world.round, actor=world.leading_group, on=TODAY)

    assert fresh(world.round).approved_on == TODAY


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


def test_cancelling_from_a_copy_loaded_before_the_approval_is_stale(world):
    first, second = fresh(world.round), fresh(world.round)
    services.round_approve(round_=first, actor=world.leading_group)

    error = refuse(
        StaleObject,
        lambda: services.round_cancel(round_=second, actor=world.leading_group, reason="暂缓"),
    )

    assert error.code == "stale"
    assert fresh(world.round).state == RoundState.APPROVED


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
