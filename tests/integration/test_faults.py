"""Faults: a broker that is down, a worker killed mid-batch, two sweeps at once, a mail server
that refuses or defers. Each time nothing is lost and nothing is sent twice (or, where a
crash can repeat a send, no more than the crash had in flight, with the same Message-ID)."""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests import factories as f
from tests.integration.conftest import (
    free_port,
    make_due_deadlines,
    pending_ids,
    wait_for,
    wait_until_settled,
    write_outbox,
)
from workflows.delivery import TransientDeliveryError, deliver, deliver_batch
from workflows.models import Colour, Deadline, DeadlineStatus, OutboxMessage, OutboxStatus
from workflows.outbox import DELIVERY_BATCH, dispatch
from workflows.registry import Recipient
from workflows.sweep import sweep
from workflows.tasks import DRAIN_AFTER, drain_outbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DELIVERY_TIMEOUT = 60
# The worker's prefetch: CELERY_WORKER_PREFETCH_MULTIPLIER (1) times its concurrency (2),
# in tasks; each task holds up to DELIVERY_BATCH rows, and each process sends one at a time.
IN_FLIGHT_PER_WORKER = 2


def after_the_drain_delay(now: datetime.datetime) -> datetime.datetime:
    return now + DRAIN_AFTER + datetime.timedelta(minutes=1)


def assert_each_row_sent_once(mail_server, rows) -> None:
    """Nothing lost, nothing twice: every row sent, its Message-ID at the server exactly once."""
    rows = list(OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]))
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert mail_server.message_ids() == Counter({row.message_id: 1 for row in rows})


# a. Redis down while deadlines fall due -----------------------------------------------------


def test_deadlines_falling_due_while_redis_is_down_are_each_sent_once_when_it_is_back(
    private_redis, mail_server, start_worker, probe_subjects, caplog
):
    now = timezone.now()
    make_due_deadlines(10, subjects=f.InspectionFactory.create_batch(2), now=now)
    broker = private_redis.broker
    private_redis.stop()

    started = time.monotonic()
    report = sweep(now=now)
    sweep_seconds = time.monotonic() - started

    # Three audiences of the red step, one probe recipient each: 30 e-mails, in the database only.
    assert report.as_dict() == {"deadlines": 10, "messages": 30, "chunks": 1}
    rows = list(OutboxMessage.objects.all())
    assert len(rows) == 30
    # Written for the dispatcher, whose request could not reach the broker either.
    assert {(row.status, row.attempts, row.enqueued_at) for row in rows} == {
        (OutboxStatus.PENDING, 0, None)
    }
    assert "broker unreachable" in caplog.text
    assert sweep_seconds < 10, f"the sweep waited {sweep_seconds:.1f} s for a broker that is down"

    private_redis.start()
    worker = start_worker(broker)
    assert broker.queued() == 0, "the broker cannot know of rows it never received"
    with time_machine.travel(after_the_drain_delay(now), tick=True):
        assert drain_outbox() == 30

    mail_server.wait_for(30, timeout=DELIVERY_TIMEOUT, what=worker.describe)
    wait_until_settled(broker, timeout=DELIVERY_TIMEOUT, what=worker.describe)
    assert_each_row_sent_once(mail_server, rows)


# b. A worker killed in the middle of a batch ------------------------------------------------

BATCH = 300
KILL_AFTER = 100


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_what_it_had_in_flight(
    private_redis, mail_server, start_worker, probe_templates
):
    broker = private_redis.broker
    mail_server.data_delay = 0.02  # so the kill lands while messages are on the wire
    rows = write_outbox(
        [Recipient(email=f"unit{number}@probe.test") for number in range(BATCH)], tag="kill"
    )
    written_at = timezone.now()
    assert broker.queued() == BATCH // DELIVERY_BATCH
    first = start_worker(broker)
    mail_server.wait_for(KILL_AFTER, timeout=DELIVERY_TIMEOUT, what=first.describe)

    first.kill()

    accepted_before_kill = len(mail_server.delivered())
    # What the dead worker had taken stays unacknowledged in Redis (for its visibility
    # timeout, an hour); the drain is what brings those rows back.
    stranded = broker.unacknowledged_message_ids()
    assert broker.unacknowledged_tasks() <= IN_FLIGHT_PER_WORKER, stranded
    second = start_worker(broker)

    def taken_by_second() -> Counter:
        return Counter(broker.unacknowledged_message_ids()) - Counter(stranded)

    # Tasks are acknowledged late, so an empty queue and nothing unacknowledged but the
    # stranded, twice running with the same rows pending, means the second worker is done.
    seen = []

    def second_worker_idle() -> bool:
        seen.append(pending_ids() if broker.queued() == 0 and not taken_by_second() else None)
        return len(seen) > 1 and seen[-1] is not None and seen[-1] == seen[-2]

    wait_for(
        second_worker_idle,
        timeout=DELIVERY_TIMEOUT,
        what=lambda: f"the rest of the batch: {broker.queued()} queued {second.describe()}",
    )
    left_pending = pending_ids()
    # The rows still pending are those of the tasks the dead worker had in flight:
    # unacknowledged, or popped from the queue and killed before kombu recorded them as
    # unacknowledged (a window in which the broker forgets the task). Either way the
    # database still has the rows.
    assert len(left_pending) <= IN_FLIGHT_PER_WORKER * DELIVERY_BATCH, left_pending
    with time_machine.travel(after_the_drain_delay(written_at), tick=True):
        assert drain_outbox() == len(left_pending)
    wait_until_settled(
        broker, timeout=DELIVERY_TIMEOUT, what=second.describe, stranded=list(stranded)
    )

    counts = mail_server.message_ids()
    expected = {row.message_id for row in rows}
    duplicated = {message_id: n for message_id, n in counts.items() if n > 1}
    print(
        f"\nkill mid-batch ({connection.vendor}): {accepted_before_kill} accepted before the "
        f"kill, {len(stranded)} rows stranded unacknowledged, {len(left_pending)} rows left "
        f"pending for the drain, {len(expected - set(counts))} lost, "
        f"{len(duplicated)} Message-IDs received twice"
    )
    assert set(counts) == expected, "a row was lost, or a message came from nowhere"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # A send accepted by the server and not yet committed when the kill came is sent again,
    # with the same Message-ID: at most once per process of the dead worker (each row is
    # committed before the next is sent).
    assert set(duplicated) <= {row.message_id for row in rows if row.pk in left_pending}
    assert len(duplicated) <= IN_FLIGHT_PER_WORKER
    assert set(duplicated.values()) <= {2}


# c. Two sweeps at once ----------------------------------------------------------------------

DUE = 10_000
SWEEPS_TIMEOUT = 90


def test_two_sweeps_at_once_act_on_each_of_ten_thousand_due_deadlines_exactly_once(
    private_redis, probe_subjects
):
    probe_subjects.audiences = ("responsible",)  # one e-mail per deadline
    now = timezone.now()
    make_due_deadlines(DUE, subjects=f.InspectionFactory.create_batch(4), now=now)
    reports, errors = [None, None], []
    barrier = threading.Barrier(2)

    def sweeper(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            reports[index] = sweep(now=now)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper, args=(index,), daemon=True) for index in (0, 1)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SWEEPS_TIMEOUT)
    seconds = time.monotonic() - started

    assert not any(thread.is_alive() for thread in threads), f"a sweep ran over {SWEEPS_TIMEOUT} s"
    assert errors == []
    print(
        f"\ntwo sweeps ({connection.vendor}): {seconds:.1f} s, "
        f"deadlines {[report.deadlines for report in reports]}"
    )
    # Each due row was taken by exactly one sweep, once.
    assert sum(report.deadlines for report in reports) == DUE
    assert sum(report.messages for report in reports) == DUE
    if connection.vendor == "postgresql":
        # SKIP LOCKED: each sweep takes the chunks the other holds no lock on.
        assert all(report.deadlines for report in reports), reports
    assert OutboxMessage.objects.count() == DUE
    assert OutboxMessage.objects.values("deadline").distinct().count() == DUE
    assert (
        Deadline.objects.filter(
            status=DeadlineStatus.MISSED, colour=Colour.RED, next_action_at__gt=now
        ).count()
        == DUE
    )
    # On commit each chunk asked for one dispatch; the dispatcher hands each e-mail over once,
    # DELIVERY_BATCH to a task.
    chunks = sum(report.chunks for report in reports)
    assert private_redis.broker.queued() == chunks
    assert dispatch() == DUE
    assert dispatch() == 0
    assert private_redis.broker.queued() == chunks + DUE // DELIVERY_BATCH
    assert not OutboxMessage.objects.filter(enqueued_at__isnull=True).exists()


# d. A mail server that refuses or defers ----------------------------------------------------


def test_a_refused_recipient_fails_its_row_with_the_reason_and_the_others_are_sent(
    private_redis, mail_server, start_worker, probe_templates
):
    mail_server.refuse("gone@probe.test")
    rows = write_outbox(
        [
            Recipient(email="first@probe.test"),
            Recipient(email="gone@probe.test"),
            Recipient(email="third@probe.test"),
            Recipient(email="fourth@probe.test"),
        ],
        tag="refused",
    )
    worker = start_worker(private_redis.broker)

    wait_until_settled(private_redis.broker, timeout=DELIVERY_TIMEOUT, what=worker.describe)

    refused = OutboxMessage.objects.get(recipient_email="gone@probe.test")
    assert (refused.status, refused.attempts, refused.sent_at) == (OutboxStatus.FAILED, 1, None)
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert "550" in refused.last_error
    assert "gone@probe.test" in refused.last_error
    others = [row for row in rows if row.pk != refused.pk]
    assert_each_row_sent_once(mail_server, others)
    assert all(
        (row.attempts, row.last_error) == (1, "")
        for row in OutboxMessage.objects.filter(pk__in=[row.pk for row in others])
    )


def test_a_server_deferring_twice_takes_the_message_on_the_third_try(
    private_redis, mail_server, smtp_settings
):
    """The task retries after 10 s, 20 s…: here its three tries are made directly, at once."""
    mail_server.defer_first(2)
    (row,) = write_outbox([Recipient(email="busy@probe.test")], tag="deferred")

    for attempt in (1, 2):
        with pytest.raises(TransientDeliveryError):
            deliver(row.pk)
        row.refresh_from_db()
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, attempt, None)
        assert row.last_error.startswith("SMTPDataError")
        assert "451" in row.last_error
        assert mail_server.delivered() == []

    assert deliver(row.pk) == "sent"

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 3, "")
    assert row.sent_at is not None
    assert deliver(row.pk) == "skipped"
    assert mail_server.data_commands == 3
    assert mail_server.message_ids() == Counter({row.message_id: 1})


def test_a_batch_defers_the_one_message_the_server_defers_and_sends_the_rest(
    private_redis, mail_server, smtp_settings
):
    mail_server.defer_first(1)
    rows = write_outbox(
        [Recipient(email=f"batch{number}@probe.test") for number in range(4)], tag="batch"
    )

    batch = deliver_batch([row.pk for row in rows])

    assert batch.deferred == [rows[0].pk]
    assert batch.outcomes == Counter({"sent": 3})
    assert "451" in str(batch.error)
    assert not batch.error.server_away
    assert mail_server.message_ids() == Counter({row.message_id: 1 for row in rows[1:]})
    # The task retries the deferred row alone; here the retry is made directly.
    assert deliver_batch(batch.deferred).outcomes == Counter({"sent": 1})
    assert_each_row_sent_once(mail_server, rows)


def test_a_batch_meeting_a_server_that_is_away_defers_all_its_rows_after_one_try(
    private_redis, mail_server, smtp_settings
):
    rows = write_outbox(
        [Recipient(email=f"away{number}@probe.test") for number in range(5)], tag="away"
    )
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens there

    batch = deliver_batch([row.pk for row in rows])

    assert batch.deferred == [row.pk for row in rows]
    assert batch.outcomes == Counter()
    assert batch.error.server_away
    attempts = dict(
        OutboxMessage.objects.filter(pk__in=batch.deferred).values_list("pk", "attempts")
    )
    # Only the first row waited for the refused connection; the rest were not tried.
    assert attempts == {row.pk: (1 if row is rows[0] else 0) for row in rows}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
