"""The daily digest for the leading group and the office."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.utils import timezone, translation

from inspections.models import (
    Inspection,
    Lead,
    RectificationItem,
    Round,
    User,
)
from inspections.notifications.common import (
    DIGEST_TOP,
    format_date,
    inspection_path,
    person,
    round_path,
)
from inspections.notifications.deadline_letters import (
    DeadlineAdapter,
)
from workflows.models import LIVE_STATUSES, Colour, Deadline
from workflows.outbox import Letter
from workflows.registry import Recipient, deadline_subjects


def _round_of_subject(types: dict[type[models.Model], ContentType]) -> Case:
    """SQL: the round of a deadline's subject, whichever of the three models it is."""
    path = {
        Inspection: "round_id",
        RectificationItem: "inspection__round_id",
        Lead: "inspection__round_id",
    }
    return Case(
        *(
            When(
                content_type=content_type,
                then=Subquery(
                    model.objects.filter(pk=OuterRef("object_id")).values(path[model])[:1]
                ),
            )
            for model, content_type in types.items()
        ),
        output_field=IntegerField(),
    )


def digest_recipients() -> list[tuple[User, Recipient]]:
    """Every active leading-group and office member with an e-mail address, once each."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(leading_group_membership__isnull=False) | Q(office_membership__isnull=False))
        .distinct()
        .order_by("pk")
    )
    found = []
    seen: set[str] = set()
    for user in users:
        recipient = person(user)
        if recipient is not None and recipient.email.lower() not in seen:
            seen.add(recipient.email.lower())
            found.append((user, recipient))
    return found


def digest_facts(now: datetime.datetime | None = None) -> dict:
    """The day's warnings, counted in SQL: per round, red and yellow; the most overdue."""
    now = now or timezone.now()
    types = ContentType.objects.get_for_models(Inspection, RectificationItem, Lead)
    warned = Deadline.objects.filter(
        status__in=LIVE_STATUSES,
        colour__in=[Colour.RED, Colour.YELLOW],
        content_type__in=list(types.values()),
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0})
    rows = (
        warned.annotate(round_id=_round_of_subject(types))
        .values_list("round_id", "colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for round_id, colour, n in rows:
        if round_id is not None:
            counts[round_id][colour] += n
    rounds = Round.objects.select_related("term").in_bulk(list(counts))
    overdue = list(
        warned.filter(colour=Colour.RED, due_at__lte=now).order_by("due_on", "pk")[:DIGEST_TOP]
    )
    return {
        "counts": {pk: counts[pk] for pk in counts if pk in rounds},
        "rounds": rounds,
        "overdue": overdue,
        "subjects": _digest_subjects(overdue, types),
    }


def _digest_subjects(
    deadlines: Sequence[Deadline], types: dict[type[models.Model], ContentType]
) -> dict[int, tuple[DeadlineAdapter, Any]]:
    """deadline pk → (adapter, subject), one query per model."""
    by_type: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in deadlines:
        by_type[deadline.content_type_id].append(deadline)
    found = {}
    for model, content_type in types.items():
        rows = by_type.get(content_type.pk)
        if not rows:
            continue
        adapter = deadline_subjects(model)
        subjects = adapter.subjects(rows)
        for deadline in rows:
            if deadline.object_id in subjects:
                found[deadline.pk] = (adapter, subjects[deadline.object_id])
    return found


def digest_context(facts: dict, day: datetime.date, language: str) -> dict:
    """The digest in one language: JSON-safe."""
    with translation.override(language):
        rounds = sorted(facts["rounds"].values(), key=lambda r: (-r.term.number, -r.number, r.pk))
        overdue = []
        for deadline in facts["overdue"]:
            found = facts["subjects"].get(deadline.pk)
            if found is None:
                continue
            adapter, subject = found
            inspection = adapter.inspection_of(subject)
            described = adapter.describe(subject, deadline)
            overdue.append(
                {
                    "what": described["what"],
                    "subject": described["subject"],
                    "detail": described["detail"],
                    "unit": inspection.unit.name,
                    "round": str(inspection.round),
                    "due_on": format_date(deadline.due_on),
                    "days_overdue": max((day - deadline.due_on).days, 0),
                    "path": described.get("path", inspection_path(inspection.pk)),
                }
            )
        by_round = [
            {
                "title": str(round_),
                "red": facts["counts"][round_.pk]["red"],
                "yellow": facts["counts"][round_.pk]["yellow"],
                "path": round_path(round_.pk),
            }
            for round_ in rounds
        ]
        return {
            "date": format_date(day),
            "date_iso": day.isoformat(),
            "red": sum(row["red"] for row in by_round),
            "yellow": sum(row["yellow"] for row in by_round),
            "rounds": by_round,
            "overdue": overdue,
            "path": "/",
        }


def digest_letters(day: datetime.date, now: datetime.datetime | None = None) -> list[Letter]:
    """One digest per leading-group and office member for `day`, if anything is red or yellow.

    The leading group and the office see every round, so each reads the same
    figures, in their own language.
    """
    facts = digest_facts(now)
    if not any(c["red"] or c["yellow"] for c in facts["counts"].values()):
        return []
    people = digest_recipients()
    contexts: dict[str, dict] = {}
    letters = []
    for user, recipient in people:
        if recipient.language not in contexts:
            contexts[recipient.language] = digest_context(facts, day, recipient.language)
        letters.append(
            Letter(
                key=f"digest:{day.isoformat()}:{user.pk}",
                template="emails/digest",
                recipient=recipient,
                context=contexts[recipient.language],
            )
        )
    return letters
