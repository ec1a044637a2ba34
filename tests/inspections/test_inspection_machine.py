"""The Inspection machine through its services: who may take each step, from where, on what."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inspections.models import (
    Inspection,
    InspectionState,
    ItemState,
    RoundState,
    TeamState,
)
from inspections.services import inspections as services
from inspections.services.findings import finding_record
from inspections.services.rectification import plan_item_add
from tests import factories as f
from tests.helpers import put
from tests.inspections.machines import Case, Machine, TransitionChecks
from workflows.audit import audit_trail
from workflows.errors import (
    ConditionFailed,
    InvalidInput,
    PermissionDenied,
)

S = InspectionState
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 9, 25, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
EARLIER = datetime.date(2026, 9, 21)
SIGNED = datetime.date(2026, 9, 20)
TOMORROW = TODAY + datetime.timedelta(days=1)
NOTE = "按市委要求办理"
REASON = "材料不全,请补充后重新报送"

TEAM_LEADERS = ("team_leader", "team_deputy")

DATED = {"on": EARLIER, "note": NOTE}
RETURNED = {"reason": REASON}

CASES = [
    Case(
        "notify",
        services.inspection_notify,
        (S.PLANNED,),
        S.NOTIFIED,
        ("office",),
        DATED,
        {"notified_on": EARLIER},
    ),
    Case(
        "station",
        services.inspection_station,
        (S.NOTIFIED,),
        S.STATIONED,
        TEAM_LEADERS,
        DATED,
        {"stationed_on": EARLIER},
    ),
    Case(
        "withdraw",
        services.inspection_withdraw,
        (S.STATIONED,),
        S.WITHDRAWN,
        TEAM_LEADERS,
        DATED,
        {"withdrawn_on": EARLIER},
    ),
    Case(
        "submit_report",
        services.inspection_submit_report,
        (S.WITHDRAWN,),
        S.REPORTED,
        TEAM_LEADERS,
        DATED,
        {"reported_on": EARLIER},
    ),
    Case(
        "return_report",
        services.inspection_return_report,
        (S.REPORTED,),
        S.WITHDRAWN,
        ("leading_group",),
        RETURNED,
        {"returned_reason": REASON, "reported_on": None},
    ),
    Case(
        "hear_report",
        services.inspection_hear_report,
        (S.REPORTED,),
        S.HEARD,
        ("leading_group",),
        DATED,
        {"heard_on": EARLIER},
    ),
    Case(
        "give_feedback",
        services.inspection_give_feedback,
        (S.HEARD,),
        S.FEEDBACK_GIVEN,
        (*TEAM_LEADERS, "office"),
        {**DATED, "consent_reference": "市委常委会2026年第20次会议"},
        {"feedback_on": EARLIER, "consent_reference": "市委常委会2026年第20次会议"},
    ),
    Case(
        "submit_plan",
        services.inspection_submit_plan,
        (S.FEEDBACK_GIVEN,),
        S.PLAN_SUBMITTED,
        ("unit_liaison",),
        {**DATED, "signed_by": "局党组书记", "signed_on": SIGNED},
        {"plan_submitted_on": EARLIER, "plan_signed_by": "局党组书记", "plan_signed_on": SIGNED},
    ),
    Case(
        "return_plan",
        services.inspection_return_plan,
        (S.PLAN_SUBMITTED,),
        S.FEEDBACK_GIVEN,
        ("office",),
        RETURNED,
        {"returned_reason": REASON, "plan_submitted_on": None},
    ),
    Case(
        "approve_plan",
        services.inspection_approve_plan,
        (S.PLAN_SUBMITTED,),
        S.RECTIFYING,
        ("office",),
        DATED,
        {"plan_approved_on": EARLIER},
    ),
    Case(
        "submit_rectification_report",
        services.inspection_submit_rectification_report,
        (S.RECTIFYING,),
        S.RECTIFICATION_REPORTED,
        ("unit_liaison",),
        {**DATED, "report": "整改情况报告", "principal_report": "主要负责人组织落实整改情况报告"},
        {
            "rectification_reported_on": EARLIER,
            "rectification_report": "整改情况报告",
            "principal_report": "主要负责人组织落实整改情况报告",
        },
    ),
    Case(
        "return_rectification_report",
        services.inspection_return_rectification_report,
        (S.RECTIFICATION_REPORTED,),
        S.RECTIFYING,
        ("office",),
        RETURNED,
        {"returned_reason": REASON, "rectification_reported_on": None},
    ),
    Case(
        "accept_rectification_report",
        services.inspection_accept_rectification_report,
        (S.RECTIFICATION_REPORTED,),
        S.RECTIFICATION_ACCEPTED,
        ("office",),
        DATED,
        {"rectification_accepted_on": EARLIER},
    ),
    Case(
        "close",
        services.inspection_close,
        (S.RECTIFICATION_ACCEPTED,),
        S.CLOSED,
        ("office",),
        DATED,
        {"closed_on": EARLIER},
    ),
    Case(
        "cancel",
        services.inspection_cancel,
        (S.PLANNED, S.NOTIFIED),
        S.CANCELLED,
        ("leading_group",),
        RETURNED,
        {"cancelled_reason": REASON},
    ),
]
BY_NAME = {case.name: case for case in CASES}


def bad_inputs() -> tuple:
    """Inputs only some steps take; the harness adds a future date and a blank reason itself."""
    params = [
        pytest.param(
            BY_NAME["submit_plan"], {"signed_on": TOMORROW}, "signed_on", id="future-signature"
        ),
        pytest.param(BY_NAME["station"], {"on": NOW}, "on", id="a-datetime-is-not-a-date"),
    ]
    for blank in ("", "   "):
        label = "empty" if not blank else "spaces"
        params += [
            pytest.param(
                BY_NAME["give_feedback"],
                {"consent_reference": blank},
                "consent_reference",
                id=f"consent-{label}",
            ),
            pytest.param(
                BY_NAME["submit_plan"], {"signed_by": blank}, "signed_by", id=f"signed-by-{label}"
            ),
            pytest.param(
                BY_NAME["submit_rectification_report"],
                {"report": blank},
                "report",
                id=f"report-{label}",
            ),
            pytest.param(
                BY_NAME["submit_rectification_report"],
                {"principal_report": blank},
                "principal_report",
                id=f"principal-report-{label}",
            ),
        ]
    params += [
        pytest.param(
            BY_NAME["give_feedback"],
            {"consent_reference": "会" * 201},
            "consent_reference",
            id="consent-too-long",
        ),
        pytest.param(
            BY_NAME["submit_plan"], {"signed_by": "签" * 101}, "signed_by", id="signed-by-too-long"
        ),
    ]
    return tuple(params)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def prepare(world, state: S) -> Inspection:
    """The world's inspection in `state`, with every guard of the machine already satisfied."""
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    finding = f.FindingFactory(
        inspection=world.inspection,
        number=1,
        title="落实主体责任不到位",
        recorded_by=world.team_leader,
    )
    f.RectificationItemFactory(
        inspection=world.inspection, finding=finding, number=1, state=ItemState.CLOSED
    )
    return put(world.inspection, state=state, disclosed_on=EARLIER)


INSPECTION = Machine(
    model=Inspection,
    subject="inspection",
    states=S,
    cases=tuple(CASES),
    prepare=prepare,
    today=TODAY,
    bad_inputs=bad_inputs(),
)


def row(inspection: Inspection) -> dict:
    """Every column of the stored inspection, and how many audit rows it has."""
    return INSPECTION.snapshot(inspection)


class TestEveryInspectionTransition(TransitionChecks):
    """Each row of the table above: allowed, from a wrong state, refused, stale, bad input."""

    machine = INSPECTION


# Allowed -----------------------------------------------------------------------------------


def test_today_is_the_date_in_shanghai_even_while_it_is_still_yesterday_in_utc(world):
    inspection = prepare(world, S.NOTIFIED)

    with time_machine.travel(datetime.datetime(2026, 9, 24, 17, 30, tzinfo=datetime.UTC)):
        services.inspection_station(inspection=inspection, actor=world.team_leader)

    assert Inspection.objects.get(pk=inspection.pk).stationed_on == datetime.date(2026, 9, 25)


def test_an_inspection_goes_from_planned_to_closed_through_the_services(world):
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    inspection = world.inspection

    inspection = services.inspection_notify(inspection=inspection, actor=world.office)
    inspection = services.inspection_station(inspection=inspection, actor=world.team_leader)
    finding = finding_record(
        inspection=inspection, actor=world.team_member, category="integrity", title="违规发放津贴"
    )
    inspection = services.inspection_withdraw(inspection=inspection, actor=world.team_deputy)
    inspection = services.inspection_submit_report(inspection=inspection, actor=world.team_leader)
    inspection = services.inspection_hear_report(inspection=inspection, actor=world.leading_group)
    inspection = services.inspection_give_feedback(
        inspection=inspection, actor=world.office, consent_reference="市委常委会会议"
    )
    item = plan_item_add(
        inspection=inspection,
        actor=world.unit_liaison,
        finding=finding,
        measure="清退违规津贴",
        responsible_person="财务处处长",
        due_on=TODAY + datetime.timedelta(days=60),
    )
    inspection = services.inspection_submit_plan(
        inspection=inspection, actor=world.unit_liaison, signed_by="局党组书记"
    )
    inspection = services.inspection_approve_plan(inspection=inspection, actor=world.office)
    inspection = services.inspection_submit_rectification_report(
        inspection=inspection, actor=world.unit_liaison, report="报告", principal_report="报告"
    )
    inspection = services.inspection_accept_rectification_report(
        inspection=inspection, actor=world.office
    )
    put(item, state=ItemState.CLOSED)
    inspection = services.inspection_record_disclosure(
        inspection=inspection, actor=world.office, reference="市纪委监委网站"
    )
    inspection = services.inspection_close(inspection=inspection, actor=world.office)

    assert Inspection.objects.get(pk=inspection.pk).state == S.CLOSED
    assert [entry.action for entry in audit_trail(inspection)] == [
        "notify",
        "station",
        "withdraw",
        "submit_report",
        "hear_report",
        "give_feedback",
        "submit_plan",
        "approve_plan",
        "submit_rectification_report",
        "accept_rectification_report",
        "record_disclosure",
        "close",
    ]


# Returns ------------------------------------------------------------------------------------


def test_a_report_sent_back_loses_its_date_keeps_the_reason_and_can_be_submitted_again(world):
    inspection = prepare(world, S.WITHDRAWN)
    inspection = services.inspection_submit_report(
        inspection=inspection, actor=world.team_leader, on=EARLIER
    )
    assert inspection.reported_on == EARLIER

    inspection = services.inspection_return_report(
        inspection=inspection, actor=world.leading_group, reason=REASON
    )
    assert (inspection.state, inspection.reported_on) == (S.WITHDRAWN, None)
    assert inspection.returned_reason == REASON

    inspection = services.inspection_submit_report(inspection=inspection, actor=world.team_leader)
    assert (inspection.state, inspection.reported_on) == (S.REPORTED, TODAY)
    assert Inspection.objects.get(pk=inspection.pk).returned_reason == REASON


def test_a_plan_sent_back_loses_its_submission_date_and_keeps_the_reason(world):
    inspection = prepare(world, S.FEEDBACK_GIVEN)
    inspection = services.inspection_submit_plan(
        inspection=inspection, actor=world.unit_liaison, signed_by="局党组书记", on=EARLIER
    )
    assert inspection.plan_submitted_on == EARLIER

    inspection = services.inspection_return_plan(
        inspection=inspection, actor=world.office, reason=REASON
    )

    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.state, stored.plan_submitted_on) == (S.FEEDBACK_GIVEN, None)
    assert stored.returned_reason == REASON


def test_a_rectification_report_sent_back_loses_its_date_and_keeps_the_reason(world):
    inspection = prepare(world, S.RECTIFYING)
    inspection = services.inspection_submit_rectification_report(
        inspection=inspection,
        actor=world.unit_liaison,
        report="整改报告",
        principal_report="主要负责人报告",
        on=EARLIER,
    )
    assert inspection.rectification_reported_on == EARLIER

    inspection = services.inspection_return_rectification_report(
        inspection=inspection, actor=world.office, reason=REASON
    )

    stored = Inspection.objects.get(pk=inspection.pk)
    assert (stored.state, stored.rectification_reported_on) == (S.RECTIFYING, None)
    assert stored.returned_reason == REASON


# Conditions ---------------------------------------------------------------------------------


def refused_for(service, inspection, **inputs) -> ConditionFailed:
    before = row(inspection)
    with pytest.raises(ConditionFailed) as refused:
        service(inspection=inspection, **inputs)
    assert refused.value.code == "condition_failed"
    assert row(inspection) == before
    return refused.value


def test_notify_is_refused_while_the_team_is_not_authorised(world):
    put(world.round, state=RoundState.MOBILIZED)

    error = refused_for(services.inspection_notify, world.inspection, actor=world.office)

    assert len(error.details) == 1
    assert str(world.team) in error.details[0]


def test_notify_is_refused_while_the_round_is_not_mobilised(world):
    put(world.round, state=RoundState.APPROVED)
    put(world.team, state=TeamState.AUTHORIZED)

    error = refused_for(services.inspection_notify, world.inspection, actor=world.office)

    assert len(error.details) == 1
    assert str(world.team) not in error.details[0]


def test_notify_is_refused_when_no_team_is_assigned(world):
    put(world.round, state=RoundState.MOBILIZED)
    inspection = put(world.inspection, team=None)

    error = refused_for(services.inspection_notify, inspection, actor=world.office)

    assert len(error.details) == 1
    assert world.unit.name in error.details[0]


def test_notify_names_both_problems_when_neither_team_nor_round_is_ready(world):
    error = refused_for(services.inspection_notify, world.inspection, actor=world.office)

    assert len(error.details) == 2


def test_feedback_is_refused_while_the_problem_list_is_empty(world):
    inspection = put(world.inspection, state=S.HEARD)

    error = refused_for(
        services.inspection_give_feedback,
        inspection,
        actor=world.office,
        consent_reference="市委常委会会议",
    )

    assert len(error.details) == 1


def feedback_given_with_finding(world, number=1, title="选人用人把关不严"):
    inspection = put(world.inspection, state=S.FEEDBACK_GIVEN)
    finding = f.FindingFactory(
        inspection=inspection, number=number, title=title, recorded_by=world.team_member
    )
    return inspection, finding


def submit_plan_refused(world, inspection) -> ConditionFailed:
    return refused_for(
        services.inspection_submit_plan, inspection, actor=world.unit_liaison, signed_by="书记"
    )


def test_a_plan_that_leaves_a_finding_without_items_names_that_finding(world):
    inspection, _finding = feedback_given_with_finding(world, number=1, title="选人用人把关不严")

    error = submit_plan_refused(world, inspection)

    assert len(error.details) == 1
    assert "1" in error.details[0]
    assert "选人用人把关不严" in error.details[0]


@pytest.mark.parametrize(
    "gap",
    [{"responsible_person": ""}, {"measure": ""}, {"due_on": None}],
    ids=["no-responsible-person", "no-measure", "no-due-date"],
)
def test_an_item_missing_its_measure_due_date_or_responsible_person_does_not_cover(world, gap):
    inspection, finding = feedback_given_with_finding(world, title="违规公款吃喝")
    f.RectificationItemFactory(inspection=inspection, finding=finding, number=1, **gap)

    error = submit_plan_refused(world, inspection)

    assert len(error.details) == 1
    assert "违规公款吃喝" in error.details[0]


def test_an_item_linked_to_no_finding_covers_nothing(world):
    inspection, _finding = feedback_given_with_finding(world, title="违规公款吃喝")
    f.RectificationItemFactory(inspection=inspection, finding=None, number=1)

    error = submit_plan_refused(world, inspection)

    assert "违规公款吃喝" in error.details[0]


def test_only_the_uncovered_finding_is_named(world):
    inspection, covered = feedback_given_with_finding(world, number=1, title="已覆盖的问题")
    f.FindingFactory(
        inspection=inspection, number=2, title="未覆盖的问题", recorded_by=world.team_member
    )
    f.RectificationItemFactory(inspection=inspection, finding=covered, number=1)

    error = submit_plan_refused(world, inspection)

    assert len(error.details) == 1
    assert "2" in error.details[0]
    assert "未覆盖的问题" in error.details[0]
    assert "已覆盖的问题" not in error.details[0]


def test_a_finding_covered_by_one_complete_item_among_incomplete_ones_is_covered(world):
    inspection, finding = feedback_given_with_finding(world)
    f.RectificationItemFactory(inspection=inspection, finding=finding, number=1, measure="")
    f.RectificationItemFactory(inspection=inspection, finding=finding, number=2)

    saved = services.inspection_submit_plan(
        inspection=inspection, actor=world.unit_liaison, signed_by="书记"
    )

    assert saved.state == S.PLAN_SUBMITTED


def accepted_and_disclosed(world):
    return put(world.inspection, state=S.RECTIFICATION_ACCEPTED, disclosed_on=EARLIER)


def test_close_is_refused_while_an_item_is_pending_and_names_it(world):
    inspection = accepted_and_disclosed(world)
    f.RectificationItemFactory(inspection=inspection, number=1, state=ItemState.CLOSED)
    f.RectificationItemFactory(inspection=inspection, number=7, state=ItemState.VERIFIED)

    error = refused_for(services.inspection_close, inspection, actor=world.office)

    assert len(error.details) == 1
    assert "7" in error.details[0]


def test_close_accepts_long_term_items(world):
    inspection = accepted_and_disclosed(world)
    f.RectificationItemFactory(inspection=inspection, number=1, state=ItemState.CLOSED)
    f.RectificationItemFactory(inspection=inspection, number=2, state=ItemState.LONG_TERM)

    saved = services.inspection_close(inspection=inspection, actor=world.office)

    assert saved.state == S.CLOSED


def test_close_is_refused_until_the_public_disclosure_is_recorded(world):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    f.RectificationItemFactory(inspection=inspection, number=1, state=ItemState.CLOSED)

    error = refused_for(services.inspection_close, inspection, actor=world.office)

    assert len(error.details) == 1


def test_close_names_both_the_pending_item_and_the_missing_disclosure(world):
    inspection = put(world.inspection, state=S.RECTIFICATION_ACCEPTED)
    f.RectificationItemFactory(inspection=inspection, number=3, state=ItemState.OPEN)

    error = refused_for(services.inspection_close, inspection, actor=world.office)

    assert len(error.details) == 2
    assert "3" in error.details[0]


# Permission ---------------------------------------------------------------------------------


def test_the_leader_of_another_team_may_not_station_this_team(world):
    inspection = prepare(world, S.NOTIFIED)
    put(world.other_team, state=TeamState.AUTHORIZED)

    with pytest.raises(PermissionDenied):
        services.inspection_station(inspection=inspection, actor=world.other_team_member)

    assert Inspection.objects.get(pk=inspection.pk).state == S.NOTIFIED


# Bad input ----------------------------------------------------------------------------------


def test_a_cancellation_reason_longer_than_its_column_is_refused(world):
    # cancelled_reason is a CharField(max_length=300); PostgreSQL would reject a longer one.
    inspection = prepare(world, S.PLANNED)
    before = row(inspection)

    with pytest.raises(InvalidInput) as refused:
        services.inspection_cancel(
            inspection=inspection, actor=world.leading_group, reason="因" * 301
        )

    assert "reason" in refused.value.fields
    assert row(inspection) == before
