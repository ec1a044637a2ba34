"""Writing e-mails to the outbox inside the deciding transaction, and handing them to Celery after it."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from workflows.models import OutboxMessage, OutboxStatus
from workflows.registry import Recipient

log = logging.getLogger(__name__)

CHUNK = 500  # keys per IN (...) query, well under SQLite's variable limit
# Rows per delivery task: a task's own cost (decoding, acknowledging, the worker's round trips
# to the broker) was as much as sending the message; a worker killed mid-task leaves at most
# this many rows for the drain, and repeats at most the one it was sending.
DELIVERY_BATCH = 25


@dataclass(frozen=True)
class Letter:
    """One e-mail to write: its unique key, template, recipient and context."""

    key: str
    template: str
    recipient: Recipient
    context: dict = field(default_factory=dict)
    deadline_id: int | None = None


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def outbox_write(
    letters: Sequence[Letter], *, now: datetime.datetime | None = None, defer: bool = False
) -> list[int]:
    """Insert the letters whose keys are new, and enqueue their delivery once committed.

    Must run inside the caller's transaction: if it rolls back, nothing was written and
    nothing is sent. Returns the ids of the new rows. With `defer`, the rows are left for
    one `dispatch_outbox` task to enqueue, so a sweep writing thousands of letters does not
    spend its time publishing them one by one.
    """
    if not letters:
        return []
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        if defer:
            _insert_postgresql(letters, enqueued_at=None)
            transaction.on_commit(request_dispatch)
            return []
        return _write_and_enqueue_postgresql(letters, now)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=letter.key,
                deadline_id=letter.deadline_id,
                template=letter.template,
                recipient_email=letter.recipient.email,
                recipient_name=letter.recipient.name,
                language=letter.recipient.language,
                context=letter.context,
            )
            for letter in letters
        ],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    if defer:
        transaction.on_commit(request_dispatch)
        return []
    return _mark_and_enqueue([letter.key for letter in letters], now)


def _mark_and_enqueue(keys: Sequence[str], now: datetime.datetime) -> list[int]:
    """Mark the pending, never-enqueued rows of these keys enqueued; enqueue them on commit."""
    ids: list[int] = []
    for chunk in _chunks(keys):
        ids += OutboxMessage.objects.filter(
            key__in=chunk, status=OutboxStatus.PENDING, enqueued_at__isnull=True
        ).values_list("pk", flat=True)
    for chunk in _chunks(ids):
        OutboxMessage.objects.filter(pk__in=chunk).update(enqueued_at=now)
    transaction.on_commit(lambda: enqueue(ids))
    return ids


def _write_and_enqueue_postgresql(letters: Sequence[Letter], now: datetime.datetime) -> list[int]:
    """Insert the new rows already marked enqueued, and enqueue them on commit.

    A transition writes a few letters in its own transaction; three round trips per write
    (insert, read the ids back, mark them) were a good part of its time. A key that was
    already there (rare) goes the general way, so a pending row nobody enqueued still is.
    """
    inserted = _insert_postgresql(letters, enqueued_at=now)
    ids = list(inserted.values())
    transaction.on_commit(lambda: enqueue(ids))
    existing = [letter.key for letter in letters if letter.key not in inserted]
    return ids + (_mark_and_enqueue(existing, now) if existing else [])


def _insert_postgresql(
    letters: Sequence[Letter], *, enqueued_at: datetime.datetime | None
) -> dict[str, int]:
    """One INSERT … ON CONFLICT DO NOTHING per chunk; the keys written, with their new ids.

    Written by hand because the ORM's bulk insert spent longer building the statement for a
    sweep chunk's few hundred letters than PostgreSQL took to run it. The rows travel as one
    array per column, so the statement's text is the same for any number of rows and psycopg
    parses it once, not once per chunk with thousands of placeholders.
    """
    table = OutboxMessage._meta.db_table
    created_at = timezone.now()
    inserted: dict[str, int] = {}
    for chunk in _chunks(letters):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, deadline_id, template, recipient_email,"
                " recipient_name, language, context, status, attempts, last_error, created_at,"
                " enqueued_at) SELECT v.key, v.deadline_id, v.template, v.email, v.name,"
                " v.language, v.context::jsonb, %s, 0, '', %s, %s"
                " FROM unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[],"
                " %s::varchar[], %s::varchar[], %s::text[])"
                " AS v(key, deadline_id, template, email, name, language, context)"
                " ON CONFLICT (key) DO NOTHING RETURNING id, key",
                [
                    OutboxStatus.PENDING,
                    created_at,
                    enqueued_at,
                    [letter.key for letter in chunk],
                    [letter.deadline_id for letter in chunk],
                    [letter.template for letter in chunk],
                    [letter.recipient.email for letter in chunk],
                    [letter.recipient.name for letter in chunk],
                    [letter.recipient.language for letter in chunk],
                    [json.dumps(letter.context) for letter in chunk],
                ],
            )
            inserted.update((key, pk) for pk, key in cursor.fetchall())
    return inserted


def request_dispatch() -> None:
    """Ask a worker to enqueue the rows written with `defer`; the drain covers a lost request."""
    from workflows.tasks import dispatch_outbox

    try:
        dispatch_outbox.apply_async(retry=False)
    except Exception:
        log.warning("broker unreachable; the drain will dispatch the outbox")


def dispatch(*, limit: int = 5000, now: datetime.datetime | None = None) -> int:
    """Enqueue one delivery per pending row nobody has enqueued yet; return how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, enqueued_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:limit]
            )
            if not ids:
                return total
            for chunk in _chunks(ids):
                OutboxMessage.objects.filter(pk__in=chunk).update(enqueued_at=now)
        sent = enqueue(ids)
        total += sent
        if sent < len(ids):  # the broker went away; the drain takes over
            return total


def enqueue(ids: Iterable[int]) -> int:
    """Hand deliveries to the broker, DELIVERY_BATCH rows a task; return how many rows went.

    A broker that is down loses nothing: the rows stay pending and the drain retries them.
    """
    from workflows.tasks import deliver_outbox_messages

    ids = list(ids)
    sent = 0
    try:
        # One producer (one connection) for the whole batch, not one per message.
        with deliver_outbox_messages.app.producer_or_acquire() as producer:
            for batch in _chunks(ids, DELIVERY_BATCH):
                deliver_outbox_messages.apply_async(
                    args=[list(batch)], retry=False, producer=producer
                )
                sent += len(batch)
    except Exception:  # the broker is unreachable: the rows stay pending for the drain
        log.warning("broker unreachable after %s messages; the drain will send the rest", sent)
    return sent
