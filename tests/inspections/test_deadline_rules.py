"""The domain's deadline rules: its default policies, and which of its steps open, meet, reopen
and cancel each deadline, on what day and for whom."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from inspections.models import (
    InspectionKind,
    InspectionState,
    ItemState,
    LeadState,
    RoundState,
    TeamState,
)
from inspections.services import inspections as inspection_services
from inspections.services.leads import lead_hand_over
from inspections.services.rectification import (
    ImmediateItem,
    inspection_issue_immediate_notice,
    item_mark_long_term,
)
from tests import factories as f
from tests.helpers import put
from workflows.calendar import end_of_day
from workflows.deadlines import deadlines_of
from workflows.models import Colour, Deadline, DeadlinePolicy, DeadlineStatus
from workflows.policies import EDITABLE, validate_policy

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
DAY = datetime.timedelta(days=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def prepare(world, state: str, **values):
    """The world's inspection in `state`, its round mobilised, its team authorised, one finding."""
    put(world.round, state=RoundState.MOBILIZED)
    put(world.team, state=TeamState.AUTHORIZED)
    finding = f.FindingFactory(
        inspection=world.inspection,
        number=1,
        title="落实主体责任不到位",
        recorded_by=world.team_leader,
    )
    put(world.inspection, state=state, **values)
    return finding


def live(subject, kind: str) -> Deadline:
    return deadlines_of(subject).get(kind=kind, status__in=[DeadlineStatus.OPEN])


# The defaults the data migration writes --------------------------------------------------


DEFAULTS = {
    # key: duration, unit, reminders, repeats every (months)
    "on_site_regular": (60, "calendar_days", [20], None),
    "on_site_short": (30, "calendar_days", [20], None),
    "report": (15, "working_days", [], None),
    "plan": (1, "months", [20], None),
    "rectification_report": (2, "months", [20], None),
    "item": (None, "calendar_days", [20], None),
    "immediate_item": (None, "calendar_days", [], None),
    "long_term_progress": (6, "months", [20], 6),
    "lead_report_back": (3, "months", [20], None),
}


def test_the_data_migration_writes_every_default_policy():
    stored = {
        policy.key: (
            policy.duration,
            policy.unit,
            policy.reminder_days,
            policy.repeats_every_months,
        )
        for policy in DeadlinePolicy.objects.all()
    }
    assert stored == DEFAULTS
    for policy in DeadlinePolicy.objects.all():
        assert policy.yellow_days == 10
        assert policy.yellow_audiences == ["responsible", "supervisor"]
        assert policy.red_audiences == ["responsible", "party_head", "office"]
        assert (policy.overdue_first_interval_days, policy.overdue_max_interval_days) == (1, 32)


def test_every_default_policy_passes_the_check():
    for policy in DeadlinePolicy.objects.all():
        values = {name: getattr(policy, name) for name in EDITABLE}
        assert validate_policy(values, date_set=policy.duration is None) == {}, policy.key


# Each default policy, opened by the step that opens it ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "policy", "due_on"),
    [
        # 2026-09-01 + 60 days is Saturday 31 October: the period ends on Monday 2 November.
        (InspectionKind.REGULAR, "on_site_regular", D(2026, 11, 2)),
        (InspectionKind.ELEVATED, "on_site_regular", D(2026, 11, 2)),
        # + 30 days is 1 October, National Day: the period ends on the first working day after.
        (InspectionKind.LOOK_BACK, "on_site_short", D(2026, 10, 8)),
        (InspectionKind.THEMATIC, "on_site_short", D(2026, 10, 8)),
        (InspectionKind.MOBILE, "on_site_short", D(2026, 10, 8)),
    ],
)
def test_stationing_opens_the_on_site_period_by_the_kind_of_inspection(
    world, time_machine, kind, policy, due_on
):
    prepare(world, InspectionState.NOTIFIED, kind=kind)
    time_machine.move_to(at(2026, 9, 1, 15), tick=False)

    inspection_services.inspection_station(
        inspection=world.inspection, actor=world.team_leader, on=D(2026, 9, 1)
    )

    deadline = live(world.inspection, "on_site")
    assert deadline.policy.key == policy
    assert (deadline.starts_on, deadline.due_on) == (D(2026, 9, 1), due_on)
    assert deadline.due_at == end_of_day(due_on)
    assert (deadline.responsible, deadline.responsible_name) == ("team", str(world.team))
    assert (deadline.colour, deadline.overdue_reminders) == (Colour.GREEN, 0)


def test_withdrawal_meets_the_on_site_period_and_makes_the_report_due_15_working_days_later(
    world, time_machine
):
    prepare(world, InspectionState.NOTIFIED)
    time_machine.move_to(at(2026, 8, 3, 9), tick=False)
    inspection = inspection_services.inspection_station(
        inspection=world.inspection, actor=world.team_leader
    )
    time_machine.move_to(at(2026, 9, 28, 17), tick=False)

    inspection_services.inspection_withdraw(
        inspection=inspection, actor=world.team_deputy, on=D(2026, 9, 28)
    )

    on_site = deadlines_of(world.inspection).get(kind="on_site")
    assert (on_site.status, on_site.next_action_at) == (DeadlineStatus.MET, None)
    assert on_site.closed_at == at(2026, 9, 28, 17)
    report = live(world.inspection, "report")
    # 15 working days across the National Day week and its make-up Saturday (10 October).
    assert (report.policy.key, report.starts_on, report.due_on) == (
        "report",
        D(2026, 9, 28),
        D(2026, 10, 23),
    )
    assert report.responsible == "team"


def test_feedback_makes_the_plan_due_in_a_month_and_the_rectification_report_in_two(
    world, time_machine
):
    prepare(world, InspectionState.HEARD)
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)

    inspection_services.inspection_give_feedback(
        inspection=world.inspection,
        actor=world.office,
        consent_reference="市委常委会2026年第20次会议",
        on=D(2026, 9, 25),
    )

    plan = live(world.inspection, "plan")
    report = live(world.inspection, "rectification_report")
    # A month after 25 September is Sunday 25 October: due on Monday the 26th.
    assert (plan.policy.key, plan.due_on) == ("plan", D(2026, 10, 26))
    assert (report.policy.key, report.due_on) == ("rectification_report", D(2026, 11, 25))
    assert (plan.responsible, plan.responsible_name) == ("unit", "市科学技术局")
    assert report.responsible == "unit"


def test_feedback_recorded_for_an_earlier_day_runs_from_that_day(world, time_machine):
    prepare(world, InspectionState.HEARD)
    time_machine.move_to(at(2026, 9, 28, 10), tick=False)

    inspection_services.inspection_give_feedback(
        inspection=world.inspection,
        actor=world.office,
        consent_reference="市委常委会会议",
        on=D(2026, 9, 25),
    )

    assert live(world.inspection, "plan").due_on == D(2026, 10, 26)


def test_a_returned_plan_reopens_its_deadline_with_the_original_due_date(world, time_machine):
    finding = prepare(world, InspectionState.HEARD)
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    inspection = inspection_services.inspection_give_feedback(
        inspection=world.inspection, actor=world.office, consent_reference="会议"
    )
    f.RectificationItemFactory(
        inspection=inspection, finding=finding, number=1, due_on=D(2026, 11, 20)
    )
    time_machine.move_to(at(2026, 10, 9, 10), tick=False)
    inspection = inspection_services.inspection_submit_plan(
        inspection=inspection, actor=world.unit_liaison, signed_by="局党组书记"
    )
    assert deadlines_of(inspection).get(kind="plan").status == DeadlineStatus.MET

    inspection_services.inspection_return_plan(
        inspection=inspection, actor=world.office, reason="措施不具体"
    )

    plan = live(world.inspection, "plan")
    assert (plan.due_on, plan.closed_at, plan.colour) == (D(2026, 10, 26), None, Colour.GREEN)
    # 9 October is inside the reminder window and before yellow: the next look is at yellow,
    # the start of 16 October (ten days before the due day).
    assert plan.next_action_at == end_of_day(D(2026, 10, 15))


def test_an_approved_plan_makes_each_item_due_on_its_own_day(world, time_machine):
    finding = prepare(world, InspectionState.PLAN_SUBMITTED, feedback_on=D(2026, 9, 25))
    holiday = f.RectificationItemFactory(
        inspection=world.inspection, finding=finding, number=1, due_on=D(2026, 10, 3)
    )
    weekday = f.RectificationItemFactory(
        inspection=world.inspection, finding=finding, number=2, due_on=D(2026, 11, 20)
    )
    done = f.RectificationItemFactory(
        inspection=world.inspection,
        finding=finding,
        number=3,
        due_on=D(2026, 11, 20),
        state=ItemState.CLOSED,
    )
    time_machine.move_to(at(2026, 9, 30, 10), tick=False)

    inspection_services.inspection_approve_plan(
        inspection=world.inspection, actor=world.office, on=D(2026, 9, 30)
    )

    # 3 October falls in the National Day holiday: the item is due on the first working day after.
    assert live(holiday, "item").due_on == D(2026, 10, 8)
    assert live(weekday, "item").due_on == D(2026, 11, 20)
    assert live(weekday, "item").policy.key == "item"
    assert live(weekday, "item").starts_on == D(2026, 9, 30)
    assert not deadlines_of(done).exists()


def test_an_immediate_rectification_notice_opens_each_item_on_the_teams_date(world, time_machine):
    prepare(world, InspectionState.STATIONED)
    time_machine.move_to(at(2026, 9, 14, 10), tick=False)

    (item,) = inspection_issue_immediate_notice(
        inspection=world.inspection,
        actor=world.team_leader,
        items=[ImmediateItem(problem="违规使用公车", measure="立即收回", due_on=D(2026, 9, 19))],
    )

    deadline = live(item, "item")
    # Saturday 19 September 2026 is off; Sunday the 20th is a make-up working day (National Day).
    assert (deadline.policy.key, deadline.due_on) == ("immediate_item", D(2026, 9, 20))
    assert deadline.starts_on == D(2026, 9, 14)


def test_a_long_term_item_reports_progress_every_six_months_instead_of_its_due_date(
    world, time_machine
):
    finding = prepare(world, InspectionState.PLAN_SUBMITTED, feedback_on=D(2026, 1, 5))
    item = f.RectificationItemFactory(
        inspection=world.inspection, finding=finding, number=1, due_on=D(2026, 4, 30)
    )
    time_machine.move_to(at(2026, 3, 2, 10), tick=False)
    inspection_services.inspection_approve_plan(inspection=world.inspection, actor=world.office)
    assert live(item, "item").due_on == D(2026, 4, 30)

    item_mark_long_term(item=item, actor=world.office, reason="需要跨年度推进")

    assert deadlines_of(item).get(kind="item").status == DeadlineStatus.CANCELLED
    progress = live(item, "long_term_progress")
    assert (progress.policy.key, progress.starts_on, progress.due_on) == (
        "long_term_progress",
        D(2026, 3, 2),
        D(2026, 9, 2),
    )


def test_a_lead_handed_over_must_be_reported_back_on_within_three_months(world, time_machine):
    prepare(world, InspectionState.HEARD)
    lead = f.LeadFactory(
        inspection=world.inspection,
        registered_by=world.team_leader,
        state=LeadState.DECIDED,
        route=world.organ.route,
        receiving_organ=world.organ,
    )
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)

    lead_hand_over(lead=lead, actor=world.office, on=D(2026, 9, 25))

    deadline = live(lead, "report_back")
    assert (deadline.policy.key, deadline.due_on) == ("lead_report_back", D(2026, 12, 25))
    assert (deadline.responsible, deadline.responsible_name) == ("receiving_organ", "市纪委监委")
