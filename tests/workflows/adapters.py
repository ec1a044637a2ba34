"""A deadline adapter for the engine's own tests: one address per audience, so keys are exact."""

from __future__ import annotations

from workflows.registry import Recipient


class EveryAudience:
    """Tells `<audience>@example.org` about every deadline; the context names kind and language."""

    def recipients_by_audience(self, wanted):
        return {
            audience: {
                deadline.pk: [Recipient(f"{audience}@example.org", audience)]
                for deadline in deadlines
            }
            for audience, deadlines in wanted.items()
        }

    def context(self, deadlines, language, now=None):
        return {
            deadline.pk: {"kind": deadline.kind, "language": language} for deadline in deadlines
        }
