"""Rendering an outbox row into a real e-mail: subject, text and HTML parts, attachments."""

from __future__ import annotations

import time
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from workflows.ics import calendar_event
from workflows.models import OutboxMessage
from workflows.registry import subjects_for

# A deadline's step goes to several people at once (liaisons, the unit's mailbox, the party
# head, the office), and the letters are delivered back to back: a worker reads the domain's
# context once for them. Kept for seconds only, as the content is read at delivery anyway;
# only worker processes keep it (see workflows.tasks), so tests and pages always read afresh.
CONTEXT_SECONDS = 10.0
_contexts: dict[tuple, tuple[float, dict]] = {}
_keep = {"enabled": False}


def keep_contexts(enabled: bool = True) -> None:
    """Let this process reuse deadline contexts briefly (called when a worker starts)."""
    _keep["enabled"] = enabled
    _contexts.clear()


def _context_key(message: OutboxMessage) -> tuple:
    deadline = message.deadline
    return (
        deadline.pk,
        message.language,
        # Letters written together (one sweep chunk) share the second they were written in.
        message.created_at.replace(microsecond=0),
        *(
            getattr(deadline, name)
            for name in (
                "content_type_id",
                "object_id",
                "kind",
                "policy_id",
                "responsible",
                "responsible_name",
                "due_on",
                "status",
                "colour",
                "overdue_reminders",
                "reopens",
                "extensions",
            )
        ),
    )


def _deadline_context(message: OutboxMessage) -> dict:
    """For a deadline's letter: what the domain says about it, as of when the sweep wrote it.

    Read at delivery rather than stored in each row, so the sweep writes small rows fast.
    """
    if message.deadline_id is None:
        return {}
    keep = _keep["enabled"]
    if keep:
        key = _context_key(message)
        kept = _contexts.get(key)
        if kept is not None and time.monotonic() - kept[0] < CONTEXT_SECONDS:
            return kept[1]
    deadline = message.deadline
    adapter = subjects_for(deadline)
    contexts = adapter.context([deadline], message.language, now=message.created_at)
    context = contexts.get(deadline.pk, {})
    if keep:
        if len(_contexts) > 1000:  # bounded: old entries are useless anyway
            _contexts.clear()
        _contexts[key] = (time.monotonic(), context)
    return context


def render_message(message: OutboxMessage) -> EmailMultiAlternatives:
    """The e-mail for `message`, in the recipient's language.

    Templates live in `templates/<template>/`: subject.txt, body.txt and body.html.
    A context with an `ics` event gets it attached as a calendar file.
    """
    context = {
        **_deadline_context(message),
        **message.context,
        "recipient_name": message.recipient_name,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(message.language):
        subject = " ".join(render_to_string(f"{message.template}/subject.txt", context).split())
        text = render_to_string(f"{message.template}/body.txt", context)
        html = render_to_string(f"{message.template}/body.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((message.recipient_name, message.recipient_email))],
        headers={"Message-ID": message.message_id, "X-Outbox-Key": message.key[:200]},
    )
    email.attach_alternative(html, "text/html")
    event = message.context.get("ics")
    if event:
        email.attach("inspection.ics", calendar_event(**event), "text/calendar; method=PUBLISH")
    return email
