"""Sending one outbox row: at most one sender at a time, transient failures retried by the task."""

from __future__ import annotations

import smtplib
import socket

from django.db import transaction
from django.utils import timezone

from workflows.emails import render_message
from workflows.models import OutboxMessage, OutboxStatus


class TransientDeliveryError(Exception):
    """The mail server could not take the message now; trying later may work."""


def _is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout | OSError
    )


def deliver(message_id: int) -> str:
    """Send the message unless it is already done; return what happened.

    The row stays locked while the mail server takes the message, so two deliveries of
    the same id never both send it; a crash after the server accepted it and before the
    commit means it is sent again, with the same Message-ID.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxStatus.PENDING:
            return "skipped"
        message.attempts += 1
        try:
            render_message(message).send()
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if not _is_transient(error):
                message.status = OutboxStatus.FAILED
                message.save(update_fields=["attempts", "last_error", "status"])
                return "failed"
            message.save(update_fields=["attempts", "last_error"])
            transient = error
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return "sent"
    raise TransientDeliveryError(str(transient)) from transient


def give_up(message_id: int, reason: str) -> None:
    """After the last try: failed, with the reason, so the office sees it."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.FAILED, last_error=reason[:2000]
    )
