"""The machine's deadline adapter: one address per audience, so the letters' keys are exact."""

from __future__ import annotations

from workflows.registry import Recipient

# Policy keys, created by the `policies` fixture (tests/workflows/conftest.py).
ANSWER = "answer"
URGENT_ANSWER = "urgent_answer"
RESOLUTION = "resolution"
TASK = "task"
PROGRESS = "progress"
REVIEW = "review"

# Responsible parties.
DESK, OWNER = "desk", "owner"


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

    def context(self, deadlines, language, *, now=None):
        return {
            deadline.pk: {"kind": deadline.kind, "language": language} for deadline in deadlines
        }

    def responsible_name(self, subject, responsible: str) -> str:
        case = getattr(subject, "case", subject)
        return case.desk if responsible == DESK else case.owner
