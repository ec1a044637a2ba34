"""Sending one outbox row: at most one sender at a time, transient failures retried by the task."""

from __future__ import annotations

import contextlib
import smtplib
import socket
import threading
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from workflows.emails import render_message
from workflows.models import OutboxMessage, OutboxStatus

# A worker keeps its mail-server connection between messages: opening one per message cost
# more than the message (connect, EHLO, QUIT, and the server's per-session set-up). It is
# reopened after this many messages or this long idle, before a server would drop it.
MESSAGES_PER_CONNECTION = 100
IDLE_SECONDS = 30

_local = threading.local()  # smtplib connections are not thread-safe


def _settings_key() -> tuple:
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")
    return tuple(getattr(settings, name, None) for name in (*names, "EMAIL_USE_SSL"))


def close_mail_connection() -> None:
    """Close this thread's kept connection, if any (errors on the way out do not matter)."""
    kept = getattr(_local, "kept", None)
    _local.kept = None
    if kept is not None:
        with contextlib.suppress(Exception):  # the server may be gone already
            kept[1].close()


def _mail_connection() -> tuple[object, bool]:
    """This thread's open connection for the current settings, and whether it is reused."""
    kept = getattr(_local, "kept", None)
    now = time.monotonic()
    if kept is not None:
        key, connection, sent, last_used = kept
        if (
            key == _settings_key()
            and sent < MESSAGES_PER_CONNECTION
            and now - last_used < IDLE_SECONDS
        ):
            return connection, True
        close_mail_connection()
    connection = get_connection(fail_silently=False)
    connection.open()
    _local.kept = (_settings_key(), connection, 0, now)
    return connection, False


def send(email: EmailMessage) -> None:
    """Send on the kept connection; a kept one the server dropped is replaced once, at once.

    Any error closes the connection, so the next message starts from a clean session.
    """
    for _attempt in range(2):
        connection, reused = _mail_connection()
        try:
            connection.send_messages([email])
        except smtplib.SMTPServerDisconnected:
            close_mail_connection()
            if reused:
                continue  # idle too long for the server: a fresh session, not a retry later
            raise
        except Exception:
            close_mail_connection()
            raise
        key, connection, sent, _last = _local.kept
        _local.kept = (key, connection, sent + 1, time.monotonic())
        return


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
        # The deadline is read in the same query (its row is not locked: of=self).
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("deadline")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != OutboxStatus.PENDING:
            return "skipped"
        message.attempts += 1
        try:
            send(render_message(message))
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
