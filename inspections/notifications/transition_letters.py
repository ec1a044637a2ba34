"""Letters the steps of the work send the unit: notice, feedback, returns, verification."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.deadlines import on_site_policy
from inspections.models import (
    Inspection,
    RectificationItem,
)
from inspections.notifications.common import dedupe, format_date, unique
from inspections.notifications.deadline_letters import (
    inspection_facts,
    what_is_due,
)
from inspections.notifications.directory import Directory
from workflows.deadlines import due_on_for, live_deadlines
from workflows.models import DeadlinePolicy
from workflows.outbox import Letter, outbox_write
from workflows.registry import Recipient

# Letters on transitions -----------------------------------------------------------------------


def _by_language(recipients: Sequence[Recipient], build: Callable[[], dict]) -> dict[str, dict]:
    """The context built once per language the recipients read."""
    contexts = {}
    for language in unique(recipient.language for recipient in recipients):
        with translation.override(language):
            contexts[language] = build()
    return contexts


def _live_due_dates(subject: models.Model, kinds: Sequence[str]) -> dict[str, datetime.date]:
    """The due date of each of these kinds of the subject's live deadlines."""
    rows = live_deadlines(type(subject), [subject.pk], kinds=kinds).get(subject.pk, [])
    return {deadline.kind: deadline.due_on for deadline in rows}


def notice_letter(_instance: Inspection, inspection: Inspection) -> tuple[str, Callable[[], dict]]:
    """The written notice: who comes, when, and for how long (with a calendar entry)."""
    starts_on = inspection.planned_stationing_on
    policy = DeadlinePolicy.objects.get(key=on_site_policy(inspection))
    ends_on = due_on_for(policy, starts_on) if starts_on else None

    def build() -> dict:
        facts = inspection_facts(inspection)
        context = {
            **facts,
            "notified_on": format_date(inspection.notified_on),
            "stationing_on": format_date(starts_on),
            "on_site_ends_on": format_date(ends_on),
        }
        if starts_on and ends_on:
            context["ics"] = {
                "uid": f"inspection-{inspection.pk}-on-site@xunshi",
                "summary": _("%(team)s stationed at %(unit)s")
                % {"team": facts["team"], "unit": facts["unit"]},
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
                "description": _("%(round)s: the on-site period of %(team)s at %(unit)s.")
                % {"round": facts["round"], "team": facts["team"], "unit": facts["unit"]},
                "location": facts["unit"],
            }
        return context

    return "emails/notice", build


def feedback_letter(
    _instance: Inspection, inspection: Inspection
) -> tuple[str, Callable[[], dict]]:
    """The problem list and the two clocks feedback starts (plan: 1 month, report: 2)."""
    findings = list(inspection.findings.order_by("number"))
    due = _live_due_dates(inspection, ["plan", "rectification_report"])

    def build() -> dict:
        return {
            **inspection_facts(inspection),
            "feedback_on": format_date(inspection.feedback_on),
            "findings": [
                {
                    "number": finding.number,
                    "category": str(finding.get_category_display()),
                    "title": finding.title,
                }
                for finding in findings
            ],
            "plan_due_on": format_date(due.get("plan")),
            "report_due_on": format_date(due.get("rectification_report")),
        }

    return "emails/feedback", build


def plan_returned_letter(
    _instance: Inspection, inspection: Inspection
) -> tuple[str, Callable[[], dict]]:
    due = _live_due_dates(inspection, ["plan"])

    def build() -> dict:
        due_on = due.get("plan")
        return {
            **inspection_facts(inspection),
            "reason": inspection.returned_reason,
            "plan_due_on": format_date(due_on),
            "plan_overdue": bool(due_on and due_on < timezone.localdate()),
        }

    return "emails/plan_returned", build


def _item_facts(item: RectificationItem, inspection: Inspection) -> dict:
    return {
        **inspection_facts(inspection),
        "item_number": item.number,
        "problem": item.problem,
        "what": what_is_due("item", item.number, immediate=item.is_immediate),
    }


def item_returned_letter(
    item: RectificationItem, inspection: Inspection
) -> tuple[str, Callable[[], dict]]:
    due = _live_due_dates(item, ["item", "long_term_progress"])

    def build() -> dict:
        return {
            **_item_facts(item, inspection),
            "reason": item.returned_reason,
            "due_on": format_date(due.get("item") or due.get("long_term_progress")),
        }

    return "emails/item_returned", build


def item_verified_letter(
    item: RectificationItem, inspection: Inspection
) -> tuple[str, Callable[[], dict]]:
    def build() -> dict:
        return {**_item_facts(item, inspection), "verified_on": format_date(item.verified_on)}

    return "emails/item_verified", build


LetterFor = Callable[[Any, Inspection], tuple[str, Callable[[], dict]]]


def to_the_unit(letter_for: LetterFor) -> Callable[[models.Model, Any], None]:
    """A step's letter to the inspected unit (its liaisons and its mailbox), built by
    `letter_for` from the saved row and its inspection; a step names it as `tells=`.

    Runs inside the step's transaction, so a rolled-back step writes nothing. The key names
    the event (the row's new version), so writing twice writes one letter.
    """

    def tell(instance: models.Model, step: Any) -> None:
        # The unit, round, term and team every letter names, in one query rather than one each.
        inspection = Inspection.objects.select_related("unit", "round__term", "team").get(
            pk=getattr(instance, "inspection_id", instance.pk)
        )
        recipients = dedupe(Directory(unit_ids=[inspection.unit_id]).unit(inspection.unit))
        if not recipients:
            return
        template, build = letter_for(instance, inspection)
        contexts = _by_language(recipients, build)
        label = instance._meta.label_lower
        outbox_write(
            [
                Letter(
                    key=f"transition:{label}:{instance.pk}:{step.name}:{instance.version}:"
                    f"{recipient.email}",
                    template=template,
                    recipient=recipient,
                    context=contexts[recipient.language],
                )
                for recipient in recipients
            ]
        )

    return tell
