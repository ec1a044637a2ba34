"""Writing e-mails to the outbox inside the deciding transaction, and handing them to Celery after it."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from workflows.models import OutboxMessage, OutboxStatus
from workflows.subjects import Recipient

log = logging.getLogger(__name__)

CHUNK = 500  # keys per IN (...) query, well under SQLite's variable limit


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


def outbox_write(letters: Sequence[Letter], *, now: datetime.datetime | None = None) -> list[int]:
    """Insert the letters whose keys are new, and enqueue their delivery once committed.

    Must run inside the caller's transaction: if it rolls back, nothing was written and
    nothing is sent. Returns the ids enqueued.
    """
    if not letters:
        return []
    now = now or timezone.now()
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
    ids: list[int] = []
    for keys in _chunks([letter.key for letter in letters]):
        ids += OutboxMessage.objects.filter(
            key__in=keys, status=OutboxStatus.PENDING, enqueued_at__isnull=True
        ).values_list("pk", flat=True)
    for chunk in _chunks(ids):
        OutboxMessage.objects.filter(pk__in=chunk).update(enqueued_at=now)
    transaction.on_commit(lambda: enqueue(ids))
    return ids


def enqueue(ids: Iterable[int]) -> int:
    """Hand deliveries to the broker; a broker that is down loses nothing (the drain retries)."""
    from workflows.tasks import deliver_outbox_message

    sent = 0
    for message_id in ids:
        try:
            deliver_outbox_message.apply_async(args=[message_id], retry=False)
        except Exception:  # the broker is unreachable: the row stays pending for the drain
            log.warning("broker unreachable; outbox message %s left for the drain", message_id)
            return sent
        sent += 1
    return sent
