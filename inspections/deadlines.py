"""The inspection work's deadlines: their kinds and policies, when they start, who meets them.

The engine (workflows) knows deadlines in general; the steps (`inspections.steps`) say which
of these each step opens, meets, reopens or cancels, using the functions below.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from inspections.models import Inspection, InspectionKind, ItemState, RectificationItem
from workflows.models import Deadline

# Policy keys, created by inspections/migrations/0003_default_policies.py.
ON_SITE_REGULAR = "on_site_regular"
ON_SITE_SHORT = "on_site_short"
REPORT = "report"
PLAN = "plan"
RECTIFICATION_REPORT = "rectification_report"
ITEM = "item"
IMMEDIATE_ITEM = "immediate_item"
LONG_TERM_PROGRESS = "long_term_progress"
LEAD_REPORT_BACK = "lead_report_back"

# What each kind of deadline is called on the pages, in the calendar feeds and the ledger.
DEADLINE_KINDS = {
    "on_site": gettext_lazy("On-site period"),
    "report": gettext_lazy("Inspection report"),
    "plan": gettext_lazy("Rectification plan"),
    "rectification_report": gettext_lazy("Rectification report"),
    "item": gettext_lazy("Rectification item"),
    "long_term_progress": gettext_lazy("Long-term progress report"),
    "report_back": gettext_lazy("Report back on the lead"),
}


def deadline_kind_label(kind: str) -> str:
    """The person-readable name of a deadline's kind."""
    return str(DEADLINE_KINDS.get(kind, kind.replace("_", " ")))


# Responsible parties, as the recipients adapter (inspections/notifications/) reads them.
UNIT, TEAM, RECEIVING_ORGAN = "unit", "team", "receiving_organ"


def on_site_policy(inspection: Inspection) -> str:
    """60 days for a regular inspection; 30 for look-back, thematic and mobile ones."""
    if inspection.kind in (InspectionKind.REGULAR, InspectionKind.ELEVATED):
        return ON_SITE_REGULAR
    return ON_SITE_SHORT


def today(_subject: Any) -> datetime.date:
    """An obligation that starts on the day it is recorded."""
    return timezone.localdate()


def plan_items(inspection: Inspection) -> Iterable[RectificationItem]:
    """The approved plan's items that still need a due date of their own."""
    return inspection.items.filter(is_immediate=False).exclude(
        state__in=[ItemState.CLOSED, ItemState.LONG_TERM]
    )


def immediate_items_without_deadline(inspection: Inspection) -> Iterable[RectificationItem]:
    """This notice's items: the inspection's open immediate items that have no deadline yet."""
    items = list(inspection.items.filter(is_immediate=True, state=ItemState.OPEN))
    with_deadline = set(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(RectificationItem),
            object_id__in=[item.pk for item in items],
            kind="item",
        ).values_list("object_id", flat=True)
    )
    return [item for item in items if item.pk not in with_deadline]


def own_due_date(item: RectificationItem) -> datetime.date | None:
    """An item is due on the day its plan or notice sets for it."""
    return item.due_on


# Every kind of deadline an inspection itself carries (a cancelled inspection cancels them all).
ALL_INSPECTION_KINDS = ("on_site", "report", "plan", "rectification_report")


def responsible_name(subject: models.Model, responsible: str) -> str:
    """The party that must meet a deadline of `subject`, by name, kept on the deadline row."""
    inspection = getattr(subject, "inspection", subject)
    if responsible == TEAM:
        return str(inspection.team) if inspection.team_id else ""
    if responsible == RECEIVING_ORGAN:
        return str(getattr(subject, "receiving_organ", "") or "")
    return str(inspection.unit)
