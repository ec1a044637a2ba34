"""Reads for the inspection page: its items with their evidence, the leads a person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from inspections.models import EvidenceFile, Inspection, Lead, RectificationItem
from inspections.selectors import leads_visible_to


def items_with_evidence(inspection: Inspection) -> list[RectificationItem]:
    """The inspection's items in order, each with its evidence files, in two queries."""
    files = EvidenceFile.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    return list(
        inspection.items.select_related("finding").prefetch_related(
            Prefetch("evidence_files", queryset=files)
        )
    )


def inspection_leads_for(inspection: Inspection, user: Any) -> list[Lead]:
    """The inspection's leads that `user` may see (the same reach as the leads desk)."""
    return list(leads_visible_to(user).filter(inspection=inspection).order_by("number"))
