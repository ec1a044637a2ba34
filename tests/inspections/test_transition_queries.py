"""How many queries one item transition costs through the service, so it cannot creep back (T1).

Each count is the locking read (with the item's inspection, which the rules and conditions
read), the UPDATE of the changed columns, the audit row, what the step's deadlines and letter write, and the
savepoint pair of the transaction (the test runs inside one, so `atomic()` makes a savepoint).
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from inspections import models as m
from inspections.roles import roles_of
from inspections.services.inspections import inspection_submit_plan
from inspections.services.rectification import item_close, item_start, item_submit, item_verify
from tests import factories as f
from workflows.deadlines import deadline_open
from workflows.models import Deadline, DeadlineStatus, OutboxMessage

S = m.ItemState
SAVEPOINT = 2  # SAVEPOINT and RELEASE SAVEPOINT
ON = datetime.date(2026, 5, 20)
# The outbox inserts and marks its rows enqueued in one statement on PostgreSQL; elsewhere it
# inserts, reads back which rows are new, and marks them (workflows/outbox.py).
OUTBOX = 1 if connection.vendor == "postgresql" else 3


@pytest.fixture
def item(world) -> m.RectificationItem:
    m.Inspection.objects.filter(pk=world.inspection.pk).update(
        state=m.InspectionState.RECTIFYING, feedback_on=ON
    )
    item = f.RectificationItemFactory(inspection=world.inspection, due_on=ON)
    deadline_open(
        subject=item, kind="item", policy_key="item", starts_on=ON, due_on=ON, responsible="unit"
    )
    # Caches a long-running process has warm: the content types, each actor's roles.
    ContentType.objects.get_for_model(m.RectificationItem)
    roles_of(world.unit_liaison)
    roles_of(world.office)
    return m.RectificationItem.objects.get(pk=item.pk)


def test_start_locks_with_the_inspection_updates_and_audits(world, item, django_assert_num_queries):
    with django_assert_num_queries(SAVEPOINT + 3):  # lock, update, audit
        item = item_start(item=item, actor=world.unit_liaison)
    assert item.state == S.IN_PROGRESS


def test_submit_also_meets_the_deadline_without_loading_the_calendar(
    world, item, django_assert_num_queries
):
    item = item_start(item=item, actor=world.unit_liaison)
    with django_assert_num_queries(SAVEPOINT + 4):  # lock, update, audit, deadline met
        item = item_submit(item=item, actor=world.unit_liaison, progress="done", evidence="seen")
    assert item.state == S.SUBMITTED
    assert Deadline.objects.get(object_id=item.pk, kind="item").status == DeadlineStatus.MET


def test_verify_also_writes_the_units_letter(world, item, django_assert_num_queries):
    item = item_start(item=item, actor=world.unit_liaison)
    item = item_submit(item=item, actor=world.unit_liaison, progress="done", evidence="seen")
    # lock, update, audit; the letter: the inspection with its names, the liaisons, the outbox
    with django_assert_num_queries(SAVEPOINT + 5 + OUTBOX):
        item = item_verify(item=item, actor=world.office)
    assert item.state == S.VERIFIED
    letters = OutboxMessage.objects.filter(template="emails/item_verified")
    assert {letter.recipient_email for letter in letters} == {
        world.unit_liaison.email,
        world.unit.email,
    }


def test_close_locks_updates_and_audits(world, item, django_assert_num_queries):
    item = item_start(item=item, actor=world.unit_liaison)
    item = item_submit(item=item, actor=world.unit_liaison, progress="done", evidence="seen")
    item = item_verify(item=item, actor=world.office)
    with django_assert_num_queries(SAVEPOINT + 3):  # lock, update, audit
        item = item_close(item=item, actor=world.office)
    assert item.state == S.CLOSED


def test_a_users_roles_are_read_in_one_query_once(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles = roles_of(world.team_leader)
    with django_assert_num_queries(0):
        assert roles_of(world.team_leader) == roles
    assert roles.led_team_ids == {world.team.pk}
    assert roles.round_ids == {world.round.pk}


def test_a_condition_is_asked_once_per_attempt(world, django_assert_num_queries):
    """submit_plan's condition (every finding covered by an item) runs its two queries once:
    the engine lists its problems and django-fsm does not ask it again."""
    m.Inspection.objects.filter(pk=world.inspection.pk).update(
        state=m.InspectionState.FEEDBACK_GIVEN, feedback_on=ON
    )
    finding = f.FindingFactory(inspection=world.inspection)
    f.RectificationItemFactory(inspection=world.inspection, finding=finding, due_on=ON)
    inspection = m.Inspection.objects.get(pk=world.inspection.pk)
    roles_of(world.unit_liaison)
    ContentType.objects.get_for_model(m.Inspection)

    # lock; the condition: the covered findings, the findings left; update, audit, plan met
    with django_assert_num_queries(SAVEPOINT + 6) as captured:
        inspection = inspection_submit_plan(
            inspection=inspection, actor=world.unit_liaison, signed_by="王五"
        )
    assert inspection.state == m.InspectionState.PLAN_SUBMITTED
    finding_reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and 'FROM "inspections_finding"' in query["sql"]
    ]
    assert len(finding_reads) == 1
