"""The audit trail: append-only, written with the change or not at all, read per subject."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from tests.workflows.machine.models import CaseState, Task
from tests.workflows.machine.services import add_task, put, take
from workflows.audit import audit_record, audit_trail
from workflows.errors import ConditionFailed, PermissionDenied
from workflows.models import AuditEntry, Deadline, OutboxMessage

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def entry(people, case):
    return audit_record(subject=case, actor=people.owner, action="file", to_state="filed")


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


def test_a_person_with_audit_entries_cannot_be_deleted(people, entry):
    with pytest.raises(ProtectedError):
        people.owner.delete()

    assert stored(entry)["actor_id"] == people.owner.pk


# Written with the change or not at all ------------------------------------------------------


def test_a_transition_refused_by_its_condition_leaves_no_audit_entry(people, case):
    case = put(case, state=CaseState.FILED, title="  ")
    case = take(case, "answer", people.desk, on=datetime.date(2026, 5, 20))
    count = AuditEntry.objects.count()

    with pytest.raises(ConditionFailed) as refused:
        take(case, "accept", people.clerk, on=datetime.date(2026, 5, 20))

    # A plain boolean condition is named after its function.
    assert refused.value.details == ["has a title"]
    assert AuditEntry.objects.count() == count
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.ANSWERED, 2)


def test_a_transition_refused_by_a_guard_leaves_no_audit_entry(people, case):
    with pytest.raises(ConditionFailed) as refused:
        take(case, "file", people.owner, on=datetime.date(2026, 5, 20))

    assert refused.value.details == ["The case asks for nothing yet: add a task."]
    assert not AuditEntry.objects.exists()
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_a_transition_refused_for_permission_leaves_no_audit_entry(people, case):
    Task.objects.create(case=case, number=1, title="报送材料")

    with pytest.raises(PermissionDenied):
        take(case, "file", people.other_owner, on=datetime.date(2026, 5, 20))

    assert not AuditEntry.objects.exists()
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.DRAFT, 1)


def test_a_failure_after_the_audit_entry_takes_the_entry_and_the_change_back(people, case):
    # The answer's letter writer fails: its owner has no address to be told at.
    people.owner.email = ""
    people.owner.save(update_fields=["email"])
    case = put(case, state=CaseState.FILED)

    with pytest.raises(ValueError, match="no e-mail address"):
        take(case, "answer", people.desk, on=datetime.date(2026, 5, 20))

    assert not AuditEntry.objects.exists()
    assert not OutboxMessage.objects.exists()
    case.refresh_from_db()
    assert (case.state, case.version, case.answered_on) == (CaseState.FILED, 1, None)


def test_a_failing_letter_takes_back_the_deadlines_the_step_changed(people, case, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=SHANGHAI), tick=False)
    add_task(case, people.owner, "报送材料")
    case = take(case, "file", people.owner, on=datetime.date(2026, 5, 20))
    people.owner.email = ""
    people.owner.save(update_fields=["email"])

    with pytest.raises(ValueError):
        take(case, "answer", people.desk, on=datetime.date(2026, 5, 21))

    # The answer would have met its deadline; it runs on as before.
    assert Deadline.objects.get(kind="answer").status == "open"
    assert [e.action for e in audit_trail(case)] == ["file"]


def test_a_letter_is_written_with_the_step_that_tells(people, case):
    case = put(case, state=CaseState.FILED)

    take(case, "answer", people.desk, on=datetime.date(2026, 5, 20))

    (letter,) = OutboxMessage.objects.all()
    assert (letter.key, letter.recipient_email) == (f"case:{case.pk}:answer:2", "owner@example.org")


# Reading ----------------------------------------------------------------------------------


def test_an_entry_records_who_when_from_which_state_to_which_and_why(people, case, time_machine):
    now = datetime.datetime(2026, 5, 20, 9, 30, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)
    case = put(case, state=CaseState.ANSWERED)

    take(case, "send_back", people.clerk, reason="答复不完整", note="请补充附件")

    (entry,) = audit_trail(case)
    assert (entry.actor, entry.at, entry.action, entry.from_state, entry.to_state, entry.note) == (
        people.clerk,
        now,
        "send_back",
        CaseState.ANSWERED,
        CaseState.FILED,
        "请补充附件",
    )


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_an_entry_made_by_no_person_is_the_systems(case, actor):
    entry = audit_record(subject=case, actor=actor, action="sweep")

    assert AuditEntry.objects.get(pk=entry.pk).actor is None


def test_the_audit_trail_lists_a_subjects_entries_oldest_first(people, case, time_machine):
    def record_at(hour: int, action: str) -> AuditEntry:
        time_machine.move_to(datetime.datetime(2026, 5, 20, hour, tzinfo=SHANGHAI), tick=False)
        return audit_record(subject=case, actor=people.clerk, action=action)

    # Written out of order, so only the time can put them in order.
    middle = record_at(11, "middle")
    first = record_at(9, "first")
    last = record_at(15, "last")

    assert list(audit_trail(case)) == [first, middle, last]


def test_the_audit_trail_leaves_out_every_other_subject(people, case):
    # The task shares its id with the case: the subject's type is part of the key.
    task = Task.objects.create(pk=case.pk, case=case, number=1, title="报送材料")
    other_task = Task.objects.create(pk=case.pk + 1, case=case, number=2, title="核实情况")
    mine = audit_record(subject=task, actor=people.owner, action="mine")
    audit_record(subject=other_task, actor=people.owner, action="other task")
    audit_record(subject=case, actor=people.owner, action="same id")

    assert list(audit_trail(task)) == [mine]


def test_a_transition_records_the_date_of_its_event_in_the_audit_row(people, case, time_machine):
    """The case was answered a week ago: the row keeps that date beside the moment it was entered."""
    time_machine.move_to(datetime.datetime(2026, 4, 11, 10, tzinfo=SHANGHAI), tick=False)
    case = put(case, state=CaseState.FILED)

    take(case, "answer", people.desk, on=datetime.date(2026, 4, 3))

    entry = audit_trail(case).get(action="answer")
    assert entry.data == {"on": "2026-04-03"}
