"""Helpers for the tests of deadlines and their policies, shared by the engine's and the domain's."""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.forms.models import model_to_dict
from django.urls import reverse

from workflows.audit import audit_trail
from workflows.deadlines import deadline_open
from workflows.models import Colour, Deadline, DeadlinePolicy, DeadlineStatus
from workflows.sweep import sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def missed_deadline(time_machine, *, subject, kind: str, policy_key: str, responsible: str):
    """A deadline opened on 25 September 2026 and due on 26 October, swept red on the 27th;
    the clock is left on the 28th."""
    time_machine.move_to(at(2026, 9, 25, 10), tick=False)
    deadline = deadline_open(
        subject=subject,
        kind=kind,
        policy_key=policy_key,
        starts_on=D(2026, 9, 25),
        responsible=responsible,
    )
    time_machine.move_to(at(2026, 10, 27), tick=False)
    sweep()
    time_machine.move_to(at(2026, 10, 28, 10), tick=False)
    deadline.refresh_from_db()
    assert (deadline.colour, deadline.status) == (Colour.RED, DeadlineStatus.MISSED)
    return deadline


def deadline_snapshot(deadline: Deadline) -> tuple:
    """Everything an extension may change on the row, and its trail's length."""
    stored = Deadline.objects.get(pk=deadline.pk)
    return (
        stored.due_on,
        stored.due_at,
        stored.status,
        stored.colour,
        stored.next_action_at,
        stored.overdue_reminders,
        stored.extensions,
        stored.extension_reason,
        audit_trail(stored).count(),
    )


def stored_policy(key: str) -> dict:
    policy = DeadlinePolicy.objects.get(key=key)
    return {**model_to_dict(policy), "audit_entries": audit_trail(policy).count()}


def staff_client(client, user):
    """`client` signed in as `user`, allowed into the admin, reading English."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def policy_change_url(policy: DeadlinePolicy) -> str:
    return reverse("admin:workflows_deadlinepolicy_change", args=[policy.pk])


def policy_form_data(policy: DeadlinePolicy, **changes) -> dict:
    """What the change form posts for the policy as stored, with `changes` typed in."""
    data = {
        "name": policy.name,
        "duration": "" if policy.duration is None else str(policy.duration),
        "unit": policy.unit,
        "reminder_days": json.dumps(policy.reminder_days),
        "yellow_days": str(policy.yellow_days),
        "yellow_audiences": json.dumps(policy.yellow_audiences),
        "red_audiences": json.dumps(policy.red_audiences),
        "overdue_first_interval_days": str(policy.overdue_first_interval_days),
        "overdue_max_interval_days": str(policy.overdue_max_interval_days),
        "repeats_every_months": ""
        if policy.repeats_every_months is None
        else str(policy.repeats_every_months),
        "_save": "Save",
    }
    return {**data, **changes}
