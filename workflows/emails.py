"""Rendering an outbox row into a real e-mail: subject, text and HTML parts, attachments."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from workflows.ics import calendar_event
from workflows.models import OutboxMessage
from workflows.subjects import subjects_for


def _deadline_context(message: OutboxMessage) -> dict:
    """For a deadline's letter: what the domain says about it, as of when the sweep wrote it.

    Read at delivery rather than stored in each row, so the sweep writes small rows fast.
    """
    if message.deadline_id is None:
        return {}
    deadline = message.deadline
    adapter = subjects_for(deadline)
    contexts = adapter.context([deadline], message.language, now=message.created_at)
    return contexts.get(deadline.pk, {})


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
