"""Celery tasks of the engine: they take ids, re-read the database, and are safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.utils import timezone

from workflows.delivery import deliver_batch, give_up
from workflows.emails import keep_contexts
from workflows.models import OutboxMessage, OutboxStatus
from workflows.outbox import dispatch, enqueue
from workflows.sweep import sweep

MAX_DELIVERY_RETRIES = 5


@worker_init.connect
@worker_process_init.connect
def _worker_keeps_contexts(**_kwargs) -> None:
    """Workers reuse a deadline's e-mail context across its recipients' letters (emails.py)."""
    keep_contexts()


# A pending row enqueued longer ago than this was lost by the broker (or never reached it).
DRAIN_AFTER = datetime.timedelta(minutes=10)


@shared_task(name="workflows.sweep_deadlines", ignore_result=True)
def sweep_deadlines_task() -> dict:
    return sweep().as_dict()


@shared_task(
    bind=True,
    name="workflows.deliver_outbox_messages",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_DELIVERY_RETRIES,
    ignore_result=True,
)
def deliver_outbox_messages(self, message_ids: list[int]) -> dict:
    """Deliver a batch of rows (outbox.DELIVERY_BATCH at most); retry only the deferred ones."""
    batch = deliver_batch(message_ids)
    if batch.deferred:
        if self.request.retries >= self.max_retries:
            for message_id in batch.deferred:
                give_up(
                    message_id, f"gave up after {self.request.retries + 1} tries: {batch.error}"
                )
            batch.outcomes["failed"] += len(batch.deferred)
        else:
            # 10 s, 20 s, 40 s, 80 s, 160 s: short waits, never a far-future ETA.
            raise self.retry(
                args=[batch.deferred], exc=batch.error, countdown=10 * 2**self.request.retries
            )
    return dict(batch.outcomes)


@shared_task(name="workflows.dispatch_outbox", ignore_result=True)
def dispatch_outbox() -> int:
    """Enqueue the deliveries of rows a sweep wrote (one task per DELIVERY_BATCH rows)."""
    return dispatch()


@shared_task(name="workflows.drain_outbox", ignore_result=True)
def drain_outbox(limit: int = 5000) -> int:
    """Enqueue again the pending rows a lost broker dropped (or that never reached it)."""
    stale = timezone.now() - DRAIN_AFTER
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(enqueued_at__lt=stale)
        .values_list("pk", flat=True)[:limit]
    ) + list(
        OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, enqueued_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    OutboxMessage.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    return enqueue(ids)
