"""The audit trail: append-only, written with the change or not at all, read per subject."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from inspections import models as m
from inspections.services.inspections import inspection_give_feedback, inspection_station
from inspections.services.leads import lead_decide, lead_hand_over
from tests import factories as f
from workflows import transitions
from workflows.audit import audit_record, audit_trail
from workflows.errors import ConditionFailed, PermissionDenied
from workflows.models import AuditEntry

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def lead(world):
    return f.LeadFactory(inspection=world.inspection, registered_by=world.team_leader)


@pytest.fixture
def entry(world, lead):
    return audit_record(
        subject=lead, actor=world.team_leader, action="register_lead", to_state="registered"
    )


def stored(entry: AuditEntry) -> dict:
    return AuditEntry.objects.filter(pk=entry.pk).values().get()


# Append-only ------------------------------------------------------------------------------


def test_an_audit_entry_cannot_be_saved_again(entry):
    before = stored(entry)
    entry.note = "事后补记"

    with pytest.raises(TypeError):
        entry.save()

    assert stored(entry) == before


def test_an_audit_entry_cannot_be_deleted(entry):
    with pytest.raises(TypeError):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_trail_cannot_be_deleted_through_a_query(entry):
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 1


def test_the_audit_trail_cannot_be_updated_through_a_query(entry):
    before = stored(entry)

    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="改写")
    with pytest.raises(TypeError):
        AuditEntry.objects.update(action="nothing")

    assert stored(entry) == before


def test_the_audit_trail_cannot_be_bulk_updated(entry):
    before = stored(entry)
    entry.note = "改写"

    # bulk_update joins the caller's transaction without a savepoint; give it one.
    with pytest.raises(TypeError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["note"])

    assert stored(entry) == before


def test_a_person_with_audit_entries_cannot_be_deleted(world, entry):
    with pytest.raises(ProtectedError):
        world.team_leader.delete()

    assert stored(entry)["actor_id"] == world.team_leader.pk


# Written with the change or not at all ------------------------------------------------------


def test_a_transition_refused_by_its_condition_leaves_no_audit_entry(world, lead):
    lead = lead_decide(
        lead=lead, actor=world.leading_group, route=m.Route.DISCIPLINE, receiving_organ=None
    )
    count = AuditEntry.objects.count()

    with pytest.raises(ConditionFailed):
        lead_hand_over(lead=lead, actor=world.office)

    assert AuditEntry.objects.count() == count
    lead.refresh_from_db()
    assert (lead.state, lead.version) == (m.LeadState.DECIDED, 2)


def test_feedback_refused_for_an_empty_problem_list_leaves_no_audit_entry(world):
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=m.InspectionState.HEARD)
    world.inspection.refresh_from_db()

    with pytest.raises(ConditionFailed):
        inspection_give_feedback(
            inspection=world.inspection, actor=world.office, consent_reference="市委常委会"
        )

    assert not AuditEntry.objects.exists()
    world.inspection.refresh_from_db()
    assert world.inspection.state == m.InspectionState.HEARD


def test_a_transition_refused_for_permission_leaves_no_audit_entry(world, lead):
    with pytest.raises(PermissionDenied):
        lead_decide(
            lead=lead, actor=world.team_leader, route=m.Route.DISCIPLINE, receiving_organ=None
        )

    assert not AuditEntry.objects.exists()
    lead.refresh_from_db()
    assert (lead.state, lead.version) == (m.LeadState.REGISTERED, 1)


def test_a_failure_after_the_audit_entry_takes_the_entry_and_the_change_back(world, monkeypatch):
    def failing_deadlines(step, instance):
        raise RuntimeError("the deadline table could not be written")

    monkeypatch.setattr(transitions, "deadlines_follow", failing_deadlines)
    m.Inspection.objects.filter(pk=world.inspection.pk).update(state=m.InspectionState.NOTIFIED)
    world.inspection.refresh_from_db()

    with pytest.raises(RuntimeError):
        inspection_station(inspection=world.inspection, actor=world.team_leader)

    assert not AuditEntry.objects.exists()
    world.inspection.refresh_from_db()
    assert (world.inspection.state, world.inspection.version) == (m.InspectionState.NOTIFIED, 1)


# Reading ----------------------------------------------------------------------------------


def test_an_entry_records_who_when_from_which_state_to_which_and_why(world, lead, time_machine):
    now = datetime.datetime(2026, 5, 20, 9, 30, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)

    lead_decide(
        lead=lead,
        actor=world.leading_group,
        route=m.Route.DISCIPLINE,
        receiving_organ=world.organ,
        note="交市纪委监委",
    )

    (entry,) = audit_trail(lead)
    assert (entry.actor, entry.at, entry.action, entry.from_state, entry.to_state, entry.note) == (
        world.leading_group,
        now,
        "decide",
        m.LeadState.REGISTERED,
        m.LeadState.DECIDED,
        "交市纪委监委",
    )


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_an_entry_made_by_no_person_is_the_systems(lead, actor):
    entry = audit_record(subject=lead, actor=actor, action="sweep")

    assert AuditEntry.objects.get(pk=entry.pk).actor is None


def test_the_audit_trail_lists_a_subjects_entries_oldest_first(world, lead, time_machine):
    def record_at(hour: int, action: str) -> AuditEntry:
        time_machine.move_to(datetime.datetime(2026, 5, 20, hour, tzinfo=SHANGHAI), tick=False)
        return audit_record(subject=lead, actor=world.office, action=action)

    # Written out of order, so only the time can put them in order.
    middle = record_at(11, "middle")
    first = record_at(9, "first")
    last = record_at(15, "last")

    assert list(audit_trail(lead)) == [first, middle, last]


def test_the_audit_trail_leaves_out_every_other_subject(world):
    # The lead shares its id with the inspection: the subject's type is part of the key.
    lead = f.LeadFactory(
        pk=world.inspection.pk, inspection=world.inspection, registered_by=world.team_leader
    )
    other_lead = f.LeadFactory(
        pk=world.inspection.pk + 1, inspection=world.inspection, registered_by=world.team_leader
    )
    mine = audit_record(subject=lead, actor=world.team_leader, action="mine")
    audit_record(subject=other_lead, actor=world.team_leader, action="other lead")
    audit_record(subject=world.inspection, actor=world.team_leader, action="same id")

    assert list(audit_trail(lead)) == [mine]


def test_a_transition_records_the_date_of_its_event_in_the_audit_row(world, time_machine):
    """The meeting was yesterday: the row keeps that date beside the moment it was entered."""
    from inspections.services.rounds import round_approve

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    time_machine.move_to(datetime.datetime(2026, 4, 11, 10, tzinfo=shanghai), tick=False)
    round_approve(round_=world.round, actor=world.leading_group, on=datetime.date(2026, 4, 3))

    entry = audit_trail(world.round).get(action="approve")
    assert entry.data == {"on": "2026-04-03"}
