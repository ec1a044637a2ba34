"""A person's deadlines as calendar events: what they must act on or watch, as their roles allow."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from inspections.deadlines import deadline_kind_label
from inspections.models import Inspection, Lead, RectificationItem, User
from inspections.selectors import inspections_visible_to, items_visible_to, leads_visible_to
from workflows.ics import Event, calendar_text
from workflows.models import LIVE_STATUSES, Deadline, DeadlineStatus


def deadlines_for_user(user: User) -> list[Deadline]:
    """The live deadlines of every inspection, item and lead the user may see.

    Seeing follows the same selectors as the pages: a unit's liaison never gets a lead's
    deadline, a receiving organ's desk only those of the leads handed to it.
    """
    types = ContentType.objects.get_for_models(Inspection, RectificationItem, Lead)
    visible = (
        Q(
            content_type=types[Inspection],
            object_id__in=inspections_visible_to(user).values("pk"),
        )
        | Q(
            content_type=types[RectificationItem],
            object_id__in=items_visible_to(user).values("pk"),
        )
        | Q(content_type=types[Lead], object_id__in=leads_visible_to(user).values("pk"))
    )
    return list(Deadline.objects.filter(visible, status__in=LIVE_STATUSES).order_by("due_on", "pk"))


def _subjects(deadlines: list[Deadline]) -> dict[tuple[int, int], tuple[str, str]]:
    """(content type, id) → (what it is, where to open it), in one query per kind of subject."""
    types = ContentType.objects.get_for_models(Inspection, RectificationItem, Lead)
    ids: dict[int, list[int]] = {}
    for deadline in deadlines:
        ids.setdefault(deadline.content_type_id, []).append(deadline.object_id)
    found: dict[tuple[int, int], tuple[str, str]] = {}
    kind_id = types[Inspection].pk
    for inspection in Inspection.objects.filter(pk__in=ids.get(kind_id, [])).select_related(
        "unit", "round__term"
    ):
        path = reverse("inspection_detail", args=[inspection.pk])
        found[kind_id, inspection.pk] = (f"{inspection.unit} · {inspection.round}", path)
    kind_id = types[RectificationItem].pk
    for item in RectificationItem.objects.filter(pk__in=ids.get(kind_id, [])).select_related(
        "inspection__unit"
    ):
        path = reverse("inspection_detail", args=[item.inspection_id])
        label = _("%(unit)s · item %(number)d") % {
            "unit": item.inspection.unit,
            "number": item.number,
        }
        found[kind_id, item.pk] = (label, path)
    kind_id = types[Lead].pk
    for lead in Lead.objects.filter(pk__in=ids.get(kind_id, [])).select_related("inspection__unit"):
        # The lead's number and unit only: its contents never leave the system in a calendar.
        found[kind_id, lead.pk] = (str(lead), reverse("lead_detail", args=[lead.pk]))
    return found


def feed_for_user(user: User) -> str:
    """The user's deadlines as iCalendar text, in the language the user reads e-mails in."""
    deadlines = deadlines_for_user(user)
    site = settings.SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1].split("/", 1)[0] or "xunshi"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subjects = _subjects(deadlines)
        events = []
        for deadline in deadlines:
            subject, path = subjects.get(
                (deadline.content_type_id, deadline.object_id), (deadline.responsible_name, "")
            )
            kind = deadline_kind_label(deadline.kind)
            summary = f"{kind}: {subject}"
            if deadline.status == DeadlineStatus.MISSED:
                summary = _("Overdue: %(summary)s") % {"summary": summary}
            description = "\n".join(
                line
                for line in (
                    _("Due on %(date)s") % {"date": deadline.due_on.isoformat()},
                    _("Responsible: %(name)s") % {"name": deadline.responsible_name}
                    if deadline.responsible_name
                    else "",
                    f"{site}{path}" if path else "",
                )
                if line
            )
            events.append(
                Event(
                    # Stable per deadline, so an extended due date moves the event, not copies it.
                    uid=f"deadline-{deadline.pk}@{host}",
                    summary=summary,
                    start=deadline.due_on,
                    end=deadline.due_on,
                    description=description,
                    url=f"{site}{path}" if path else "",
                    categories=(kind,),
                )
            )
        name = _("Inspection deadlines · %(name)s") % {"name": user}
    return calendar_text(events, name=name)
