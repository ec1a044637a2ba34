"""Writes on findings (问题): the team records them while stationed or just withdrawn."""

from __future__ import annotations

from django.db.models import Max

from inspections.models import Finding, FindingCategory, Inspection, User
from inspections.services.inputs import choice, optional_text, required_text
from workflows.errors import NotFound
from workflows.transitions import perform_child_write


def finding_record(
    *, inspection: Inspection, actor: User, category: str, title: str, description: str = ""
) -> Finding:
    """Add a finding to the inspection's problem list, numbered in order."""
    category = choice(category, choices=FindingCategory, field="category")
    title = required_text(title, field="title", max_length=300)
    description = optional_text(description, field="description")

    def record(locked: Inspection) -> Finding:
        last = locked.findings.aggregate(last=Max("number"))["last"] or 0
        return Finding.objects.create(
            inspection=locked,
            number=last + 1,
            category=category,
            title=title,
            description=description,
            recorded_by=actor,
        )

    return perform_child_write(
        record=inspection,
        actor=actor,
        name="record_finding",
        change=record,
    )


def finding_update(
    *, finding: Finding, actor: User, category: str, title: str, description: str = ""
) -> Finding:
    """Correct a finding while the team can still record."""
    category = choice(category, choices=FindingCategory, field="category")
    title = required_text(title, field="title", max_length=300)
    description = optional_text(description, field="description")

    def edit(locked: Inspection) -> Finding:
        current = Finding.objects.filter(pk=finding.pk, inspection=locked).first()
        if current is None:
            raise NotFound()
        current.category, current.title, current.description = category, title, description
        current.save(update_fields=["category", "title", "description"])
        return current

    return perform_child_write(
        record=finding,
        actor=actor,
        name="update_finding",
        change=edit,
    )
