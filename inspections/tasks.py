"""The inspection domain's Celery tasks: the daily digest for the leading group and the office."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from inspections.notifications import digest_letters
from workflows.outbox import outbox_write


@shared_task(name="inspections.send_digests", ignore_result=True)
def send_digests(today: str | None = None) -> int:
    """Write today's digest for each leading-group and office member; return how many are new.

    `today` (an ISO date) defaults to the date in Shanghai. Each person's digest has the key
    digest:<date>:<user id>, so running the task twice on one day sends nothing more.
    """
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    with transaction.atomic():
        return len(outbox_write(digest_letters(day)))
