"""Writing and reading the audit trail; callers are inside the service's transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from workflows.models import AuditEntry


def audit_record(
    *,
    subject: models.Model,
    actor: Any,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry for `subject`; `actor` may be None for the system (the sweep, an import)."""
    return AuditEntry.objects.create(
        subject=subject,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def audit_trail(subject: models.Model) -> models.QuerySet[AuditEntry]:
    """Every entry for `subject`, oldest first."""
    return AuditEntry.objects.for_subject(subject).select_related("actor")
