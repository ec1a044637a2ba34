"""The database itself refuses to change or delete audit entries, whatever SQL asks it to."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from workflows.audit import audit_record
from workflows.models import AuditEntry


@pytest.fixture
def entry(world):
    return audit_record(
        subject=world.inspection, actor=world.office, action="notify", to_state="notified"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE workflows_auditentry SET note = 'rewritten' WHERE id = %s",
        "UPDATE workflows_auditentry SET to_state = 'closed' WHERE id = %s",
        "DELETE FROM workflows_auditentry WHERE id = %s",
    ],
    ids=["update note", "update state", "delete"],
)
def test_raw_sql_cannot_change_or_delete_an_audit_entry(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.note, kept.to_state) == ("", "notified")


def test_new_entries_are_still_written(entry, world):
    audit_record(subject=world.inspection, actor=world.team_leader, action="station")

    assert AuditEntry.objects.for_subject(world.inspection).count() == 2


# serialized_rollback, as every transactional test here: a plain flush re-creates the content
# types under new ids, which the next test's restore then collides with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_truncate_still_empties_the_table_for_test_set_up(world):
    audit_record(subject=world.inspection, actor=world.office, action="notify")

    # What Django's flush (and so every transactional test's teardown) runs on PostgreSQL.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE workflows_auditentry")

    assert not AuditEntry.objects.exists()
