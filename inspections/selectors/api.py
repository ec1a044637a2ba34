"""Reads only the API needs: each rectification item's colour, for its filter and answers."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery

from inspections.models import RectificationItem
from workflows.deadlines import live_deadlines_of_each


def with_colour(items: QuerySet[RectificationItem]) -> QuerySet[RectificationItem]:
    """Each item annotated with the colour of its earliest live deadline ("" when it has none).

    The colour is the one the sweep keeps on the deadline row (it runs every minute).
    """
    live = live_deadlines_of_each(RectificationItem)
    return items.annotate(colour=Subquery(live.values("colour")[:1]))
