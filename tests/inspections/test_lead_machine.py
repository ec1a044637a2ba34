"""The Lead machine (问题线索): register, decide, hand over, report back, close."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from inspections import models as m
from inspections.services.leads import (
    lead_close,
    lead_decide,
    lead_hand_over,
    lead_register,
    lead_report_back,
)
from inspections.states import REGISTERING_STATES
from tests import factories as f
from tests.roles import ROLES
from workflows.audit import audit_trail
from workflows.errors import ApplicationError
from workflows.models import AuditEntry

S = m.LeadState
TODAY = datetime.date(2026, 5, 20)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def roles_except(*allowed: str) -> list[str]:
    return [role for role in ROLES if role not in allowed]


def rows() -> dict:
    """Everything a lead service could write, to show that a refusal wrote nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (m.Lead, m.Inspection, AuditEntry)
    }


def assert_refused(code: str, call) -> ApplicationError:
    before = rows()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    assert rows() == before
    return caught.value


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 5, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        tick=False,
    )


@pytest.fixture
def stationed(world):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(
        state=m.InspectionState.STATIONED, stationed_on=TODAY - datetime.timedelta(days=10)
    )
    world.inspection.refresh_from_db()
    return world


def lead_at(world, state: str, *, organ: m.ReceivingOrgan | None = None) -> m.Lead:
    """A lead of the world's inspection in `state`, decided for `organ` (the world's by default)."""
    if state == S.REGISTERED:
        return f.LeadFactory(inspection=world.inspection, registered_by=world.team_leader)
    return f.LeadFactory(
        inspection=world.inspection,
        registered_by=world.team_leader,
        state=state,
        route=m.Route.DISCIPLINE,
        receiving_organ=organ or world.organ,
        decided_on=YESTERDAY,
    )


def only_entry(subject) -> AuditEntry:
    entries = list(audit_trail(subject))
    assert len(entries) == 1
    return entries[0]


# Register ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["team_leader", "team_deputy"])
def test_a_team_leader_registers_a_lead_numbered_after_the_last(stationed, role):
    actor = getattr(stationed, role)
    f.LeadFactory(inspection=stationed.inspection, number=4, registered_by=actor)
    f.LeadFactory(inspection=stationed.other_inspection, number=9, registered_by=actor)

    lead = lead_register(
        inspection=stationed.inspection,
        actor=actor,
        summary="  反映某处长违规收受礼金  ",
        persons_named="王某",
    )

    lead.refresh_from_db()
    assert (lead.state, lead.version, lead.number) == (S.REGISTERED, 1, 5)
    assert (lead.summary, lead.persons_named, lead.registered_by) == (
        "反映某处长违规收受礼金",
        "王某",
        actor,
    )
    entry = only_entry(lead)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        actor,
        "register_lead",
        "",
        S.REGISTERED,
    )


@pytest.mark.parametrize("state", REGISTERING_STATES)
def test_leads_are_registered_from_stationing_until_the_report_is_heard(world, state):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=state)
    world.inspection.refresh_from_db()

    lead = lead_register(inspection=world.inspection, actor=world.team_leader, summary="线索")

    assert lead.number == 1
    assert m.Lead.objects.filter(inspection=world.inspection).count() == 1


@pytest.mark.parametrize(
    "state",
    [s for s in m.InspectionState.values if s not in REGISTERING_STATES],
)
def test_no_lead_is_registered_outside_stationing_to_hearing(world, state):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=state)
    world.inspection.refresh_from_db()

    assert_refused(
        "wrong_state",
        lambda: lead_register(inspection=world.inspection, actor=world.team_leader, summary="线索"),
    )


@pytest.mark.parametrize("role", roles_except("team_leader", "team_deputy"))
def test_only_a_team_leader_may_register_a_lead(stationed, role):
    assert_refused(
        "permission_denied",
        lambda: lead_register(
            inspection=stationed.inspection, actor=getattr(stationed, role), summary="线索"
        ),
    )


@pytest.mark.parametrize(
    ("summary", "persons_named", "field"),
    [("", "", "summary"), ("   ", "", "summary"), ("线索", "名" * 301, "persons_named")],
)
def test_a_lead_needs_a_summary_and_a_short_list_of_names(stationed, summary, persons_named, field):
    error = assert_refused(
        "invalid",
        lambda: lead_register(
            inspection=stationed.inspection,
            actor=stationed.team_leader,
            summary=summary,
            persons_named=persons_named,
        ),
    )
    assert field in error.fields


# Decide -----------------------------------------------------------------------------------


def test_the_leading_group_decides_the_route_and_the_receiving_organ(world):
    lead = lead_at(world, S.REGISTERED)

    lead_decide(
        lead=lead,
        actor=world.leading_group,
        route=m.Route.DISCIPLINE,
        receiving_organ=world.organ,
        on=YESTERDAY,
        note="交市纪委监委",
    )

    lead.refresh_from_db()
    assert (lead.state, lead.version) == (S.DECIDED, 2)
    assert (lead.route, lead.receiving_organ, lead.decided_on) == (
        m.Route.DISCIPLINE,
        world.organ,
        YESTERDAY,
    )
    entry = only_entry(lead)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.note) == (
        world.leading_group,
        "decide",
        S.REGISTERED,
        S.DECIDED,
        "交市纪委监委",
    )
    assert entry.data == {
        "on": lead.decided_on.isoformat(),
        "route": "discipline",
        "receiving_organ": world.organ.pk,
    }


def test_a_decision_dates_itself_today_when_no_date_is_given(world):
    lead = lead_at(world, S.REGISTERED)

    lead = lead_decide(
        lead=lead, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )

    assert (lead.decided_on, lead.receiving_organ) == (TODAY, world.organ)


def test_an_organ_of_another_route_cannot_receive_the_lead(world):
    lead = lead_at(world, S.REGISTERED)

    error = assert_refused(
        "invalid",
        lambda: lead_decide(
            lead=lead,
            actor=world.leading_group,
            route=m.Route.ORGANISATION,
            receiving_organ=world.organ,  # the discipline commission
        ),
    )
    assert "receiving_organ" in error.fields


@pytest.mark.parametrize(
    ("route", "on", "field"),
    [("bribery", None, "route"), ("", None, "route"), (m.Route.DISCIPLINE, TOMORROW, "on")],
)
def test_a_decision_needs_a_known_route_and_a_date_not_in_the_future(world, route, on, field):
    lead = lead_at(world, S.REGISTERED)

    error = assert_refused(
        "invalid",
        lambda: lead_decide(
            lead=lead, actor=world.leading_group, route=route, receiving_organ=world.organ, on=on
        ),
    )
    assert field in error.fields


@pytest.mark.parametrize("state", [S.DECIDED, S.HANDED_OVER, S.REPORTED_BACK, S.CLOSED])
def test_only_a_registered_lead_can_be_decided(world, state):
    lead = lead_at(world, state)

    assert_refused(
        "wrong_state",
        lambda: lead_decide(
            lead=lead,
            actor=world.leading_group,
            route=m.Route.DISCIPLINE,
            receiving_organ=world.organ,
        ),
    )


@pytest.mark.parametrize("role", roles_except("leading_group"))
def test_only_the_leading_group_may_decide_a_lead(world, role):
    lead = lead_at(world, S.REGISTERED)

    assert_refused(
        "permission_denied",
        lambda: lead_decide(
            lead=lead,
            actor=getattr(world, role),
            route=m.Route.DISCIPLINE,
            receiving_organ=world.organ,
        ),
    )


def test_a_decision_on_a_lead_decided_meanwhile_is_stale(world):
    lead = lead_at(world, S.REGISTERED)
    first, second = m.Lead.objects.get(pk=lead.pk), m.Lead.objects.get(pk=lead.pk)
    lead_decide(
        lead=first, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )

    assert_refused(
        "stale",
        lambda: lead_decide(
            lead=second,
            actor=world.leading_group,
            route=m.Route.DISCIPLINE,
            receiving_organ=world.organ,
            note="second",
        ),
    )
    lead.refresh_from_db()
    assert (lead.route, lead.version) == (m.Route.DISCIPLINE, 2)
    assert [entry.note for entry in audit_trail(lead)] == [""]


# Hand over --------------------------------------------------------------------------------


def test_the_office_hands_a_decided_lead_over(world):
    lead = lead_at(world, S.DECIDED)

    lead_hand_over(lead=lead, actor=world.office, on=TODAY, note="函送")

    lead.refresh_from_db()
    assert (lead.state, lead.version, lead.handed_over_on) == (S.HANDED_OVER, 2, TODAY)
    entry = only_entry(lead)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.note) == (
        world.office,
        "hand_over",
        S.DECIDED,
        S.HANDED_OVER,
        "函送",
    )


def test_a_decision_must_name_the_organ_the_hand_over_needs_and_writes_nothing_without(world):
    lead = lead_at(world, S.REGISTERED)

    with translation.override("en"):
        error = assert_refused(
            "invalid",
            lambda: lead_decide(
                lead=lead, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=None
            ),
        )
    assert error.fields == {"receiving_organ": ["Choose the organ that receives the lead."]}
    lead.refresh_from_db()
    assert (lead.state, lead.version, lead.receiving_organ) == (S.REGISTERED, 1, None)
    assert not audit_trail(lead).exists()


def test_a_lead_decided_without_a_receiving_organ_cannot_be_handed_over(world):
    # A row decided before the decision had to name its organ: the hand-over still refuses it.
    lead = lead_at(world, S.DECIDED)
    m.Lead.objects.filter(pk=lead.pk).update(receiving_organ=None)
    lead.refresh_from_db()

    with translation.override("en"):
        error = assert_refused(
            "condition_failed", lambda: lead_hand_over(lead=lead, actor=world.office)
        )
    assert error.details == ["The decision names no receiving organ."]


@pytest.mark.parametrize("state", [S.REGISTERED, S.HANDED_OVER, S.REPORTED_BACK, S.CLOSED])
def test_only_a_decided_lead_can_be_handed_over(world, state):
    lead = lead_at(world, state)

    assert_refused("wrong_state", lambda: lead_hand_over(lead=lead, actor=world.office))


@pytest.mark.parametrize("role", roles_except("office"))
def test_only_the_office_may_hand_a_lead_over(world, role):
    lead = lead_at(world, S.DECIDED)

    assert_refused(
        "permission_denied", lambda: lead_hand_over(lead=lead, actor=getattr(world, role))
    )


def test_a_hand_over_cannot_be_dated_in_the_future(world):
    lead = lead_at(world, S.DECIDED)

    error = assert_refused(
        "invalid", lambda: lead_hand_over(lead=lead, actor=world.office, on=TOMORROW)
    )
    assert "on" in error.fields


def test_a_second_hand_over_of_the_same_lead_is_stale(world):
    lead = lead_at(world, S.DECIDED)
    first, second = m.Lead.objects.get(pk=lead.pk), m.Lead.objects.get(pk=lead.pk)
    lead_hand_over(lead=first, actor=world.office, on=YESTERDAY)

    assert_refused("stale", lambda: lead_hand_over(lead=second, actor=world.office))
    lead.refresh_from_db()
    assert (lead.handed_over_on, lead.version) == (YESTERDAY, 2)


# Report back ------------------------------------------------------------------------------


def test_the_receiving_organs_desk_reports_back_what_was_done(world):
    lead = lead_at(world, S.HANDED_OVER)

    lead_report_back(lead=lead, actor=world.organ_desk, outcome="  已立案审查  ", on=YESTERDAY)

    lead.refresh_from_db()
    assert (lead.state, lead.version) == (S.REPORTED_BACK, 2)
    assert (lead.outcome, lead.reported_back_on) == ("已立案审查", YESTERDAY)
    entry = only_entry(lead)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        world.organ_desk,
        "report_back",
        S.HANDED_OVER,
        S.REPORTED_BACK,
    )


@pytest.mark.parametrize("state", [S.REPORTED_BACK, S.CLOSED])
def test_only_a_handed_over_lead_can_be_reported_back(world, state):
    lead = lead_at(world, state)

    assert_refused(
        "wrong_state",
        lambda: lead_report_back(lead=lead, actor=world.organ_desk, outcome="已办结"),
    )


@pytest.mark.parametrize("state", [S.REGISTERED, S.DECIDED])
def test_a_desk_is_refused_a_lead_not_yet_handed_over_without_learning_its_state(world, state):
    # Before hand-over the desk may not even see the lead, so a
    # "wrong state" message would leak it; the refusal is a permission one.
    lead = lead_at(world, state)

    assert_refused(
        "permission_denied",
        lambda: lead_report_back(lead=lead, actor=world.organ_desk, outcome="已办结"),
    )


@pytest.mark.parametrize("role", roles_except("organ_desk"))
def test_only_a_desk_of_the_receiving_organ_may_report_back(world, role):
    lead = lead_at(world, S.HANDED_OVER)

    assert_refused(
        "permission_denied",
        lambda: lead_report_back(lead=lead, actor=getattr(world, role), outcome="已办结"),
    )


def test_a_desk_of_another_organ_may_not_report_back(world):
    other_organ = f.ReceivingOrganFactory(name="区纪委监委", route=m.Route.DISCIPLINE)
    other_desk = f.ReceivingOrganDeskFactory(organ=other_organ, user__username="other_desk").user
    lead = lead_at(world, S.HANDED_OVER)

    assert_refused(
        "permission_denied",
        lambda: lead_report_back(lead=lead, actor=other_desk, outcome="已办结"),
    )


def test_the_worlds_desk_may_not_report_back_on_a_lead_handed_to_another_organ(world):
    other_organ = f.ReceivingOrganFactory(name="市委组织部", route=m.Route.ORGANISATION)
    lead = lead_at(world, S.HANDED_OVER, organ=other_organ)

    assert_refused(
        "permission_denied",
        lambda: lead_report_back(lead=lead, actor=world.organ_desk, outcome="已办结"),
    )


@pytest.mark.parametrize(
    ("outcome", "on", "field"),
    [("", None, "outcome"), ("  ", None, "outcome"), ("已办结", TOMORROW, "on")],
)
def test_a_report_back_needs_an_outcome_and_a_date_not_in_the_future(world, outcome, on, field):
    lead = lead_at(world, S.HANDED_OVER)

    error = assert_refused(
        "invalid",
        lambda: lead_report_back(lead=lead, actor=world.organ_desk, outcome=outcome, on=on),
    )
    assert field in error.fields


def test_a_second_report_back_on_the_same_lead_is_stale(world):
    lead = lead_at(world, S.HANDED_OVER)
    first, second = m.Lead.objects.get(pk=lead.pk), m.Lead.objects.get(pk=lead.pk)
    lead_report_back(lead=first, actor=world.organ_desk, outcome="已立案")

    assert_refused(
        "stale", lambda: lead_report_back(lead=second, actor=world.organ_desk, outcome="不予立案")
    )
    lead.refresh_from_db()
    assert (lead.outcome, lead.version) == ("已立案", 2)


# Close ------------------------------------------------------------------------------------


def test_the_office_closes_a_reported_back_lead(world):
    lead = lead_at(world, S.REPORTED_BACK)

    lead_close(lead=lead, actor=world.office, note="已办结")

    lead.refresh_from_db()
    assert (lead.state, lead.version, lead.closed_on) == (S.CLOSED, 2, TODAY)
    entry = only_entry(lead)
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.note) == (
        world.office,
        "close",
        S.REPORTED_BACK,
        S.CLOSED,
        "已办结",
    )


@pytest.mark.parametrize("state", [S.REGISTERED, S.DECIDED, S.HANDED_OVER, S.CLOSED])
def test_only_a_reported_back_lead_can_be_closed(world, state):
    lead = lead_at(world, state)

    assert_refused("wrong_state", lambda: lead_close(lead=lead, actor=world.office))


@pytest.mark.parametrize("role", roles_except("office"))
def test_only_the_office_may_close_a_lead(world, role):
    lead = lead_at(world, S.REPORTED_BACK)

    assert_refused("permission_denied", lambda: lead_close(lead=lead, actor=getattr(world, role)))


def test_a_lead_cannot_be_closed_on_a_future_date(world):
    lead = lead_at(world, S.REPORTED_BACK)

    error = assert_refused(
        "invalid", lambda: lead_close(lead=lead, actor=world.office, on=TOMORROW)
    )
    assert "on" in error.fields


def test_a_second_close_of_the_same_lead_is_stale(world):
    lead = lead_at(world, S.REPORTED_BACK)
    first, second = m.Lead.objects.get(pk=lead.pk), m.Lead.objects.get(pk=lead.pk)
    lead_close(lead=first, actor=world.office)

    assert_refused("stale", lambda: lead_close(lead=second, actor=world.office))
    lead.refresh_from_db()
    assert (lead.state, lead.version) == (S.CLOSED, 2)


# The whole way ----------------------------------------------------------------------------


def test_a_lead_goes_from_registration_to_closing_with_one_audit_entry_per_step(stationed):
    world = stationed
    lead = lead_register(inspection=world.inspection, actor=world.team_deputy, summary="线索")
    lead = lead_decide(
        lead=lead, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=world.organ
    )
    lead = lead_hand_over(lead=lead, actor=world.office)
    lead = lead_report_back(lead=lead, actor=world.organ_desk, outcome="已立案审查")
    lead = lead_close(lead=lead, actor=world.office)

    assert (lead.state, lead.version) == (S.CLOSED, 5)
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in audit_trail(lead)] == [
        ("register_lead", "", S.REGISTERED, world.team_deputy),
        ("decide", S.REGISTERED, S.DECIDED, world.leading_group),
        ("hand_over", S.DECIDED, S.HANDED_OVER, world.office),
        ("report_back", S.HANDED_OVER, S.REPORTED_BACK, world.organ_desk),
        ("close", S.REPORTED_BACK, S.CLOSED, world.office),
    ]
