"""Writes on a person's private calendar address: make it, replace it, or revoke it."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from inspections.models import CalendarFeed, User
from workflows.audit import audit_record


def _new_token() -> str:
    # 32 random bytes: the address is the only key, so it must not be guessable.
    return secrets.token_urlsafe(32)


def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    """The user's feed; made on first use, unchanged afterwards."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": _new_token()}
        )
        if created:
            audit_record(subject=user, actor=user, action="calendar_feed_create")
    return feed


def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """Revoke the user's address and give them a new one: the old one answers 404 from now on."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            feed = CalendarFeed.objects.create(user=user, token=_new_token())
        else:
            feed.token = _new_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
        audit_record(subject=user, actor=user, action="calendar_feed_regenerate")
    return feed


def calendar_feed_revoke(*, user: User) -> None:
    """Revoke the user's address without a new one."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is not None:
            feed.delete()
            audit_record(subject=user, actor=user, action="calendar_feed_revoke")
