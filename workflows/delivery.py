"""Sending outbox rows: at most one sender at a time, transient failures retried by the task."""

from __future__ import annotations

import contextlib
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    """The mail server could not take the message now; trying later may work.

    `server_away` says the server itself is unreachable or closing (not this one message
    deferred), so the next messages would fail the same way.
    """

    def __init__(self, message: str, *, server_away: bool = False):
        super().__init__(message)
        self.server_away = server_away


def _is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout | OSError
    )


def _server_away(error: Exception) -> bool:
    """421 (service closing) or no connection at all; smtplib's errors are OSErrors too."""
    if isinstance(error, smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    return isinstance(error, OSError)


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
    raise TransientDeliveryError(str(transient), server_away=_server_away(transient)) from transient


@dataclass
class Batch:
    """What became of a batch of rows: outcomes counted, and the rows to try again later."""

    outcomes: Counter = field(default_factory=Counter)
    deferred: list[int] = field(default_factory=list)
    error: TransientDeliveryError | None = None


def deliver_batch(message_ids: Sequence[int]) -> Batch:
    """Deliver each row in its own transaction, so a crash repeats at most the one on the wire.

    A row the server defers is tried again later; when the server is away, the rest of the
    batch is deferred with it instead of each waiting for the same failure.
    """
    batch = Batch()
    for position, message_id in enumerate(message_ids):
        try:
            batch.outcomes[deliver(message_id)] += 1
        except TransientDeliveryError as error:
            batch.error = error
            if error.server_away:
                batch.deferred += message_ids[position:]
                break
            batch.deferred.append(message_id)
    return batch


def give_up(message_id: int, reason: str) -> None:
    """After the last try: failed, with the reason, so the office sees it."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.FAILED, last_error=reason[:2000]
    )
