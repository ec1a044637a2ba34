"""The states of the five machines, shared by models, conditions and rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    MOBILIZED = "mobilized", _("Mobilised")
    CONCLUDED = "concluded", _("Concluded")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


class TeamState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AUTHORIZED = "authorized", _("Authorised")
    STOOD_DOWN = "stood_down", _("Stood down")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTIFIED = "notified", _("Notified")
    STATIONED = "stationed", _("Stationed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPORTED = "reported", _("Reported")
    HEARD = "heard", _("Report heard")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFICATION_REPORTED = "rectification_reported", _("Rectification reported")
    RECTIFICATION_ACCEPTED = "rectification_accepted", _("Rectification accepted")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# The main line in order; "X or later" questions compare positions on it.
INSPECTION_PROGRESS = [
    InspectionState.PLANNED,
    InspectionState.NOTIFIED,
    InspectionState.STATIONED,
    InspectionState.WITHDRAWN,
    InspectionState.REPORTED,
    InspectionState.HEARD,
    InspectionState.FEEDBACK_GIVEN,
    InspectionState.PLAN_SUBMITTED,
    InspectionState.RECTIFYING,
    InspectionState.RECTIFICATION_REPORTED,
    InspectionState.RECTIFICATION_ACCEPTED,
    InspectionState.CLOSED,
]


def inspection_states_from(state: InspectionState) -> list[str]:
    """The states at or after `state` on the main line."""
    return [s.value for s in INSPECTION_PROGRESS[INSPECTION_PROGRESS.index(state) :]]


class LeadState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DECIDED = "decided", _("Decided")
    HANDED_OVER = "handed_over", _("Handed over")
    REPORTED_BACK = "reported_back", _("Reported back")
    CLOSED = "closed", _("Closed")


class ItemState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for verification")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed (signed off)")
    LONG_TERM = "long_term", _("Long-term")


# Named stretches of the inspection in which a step is open.
# The team records findings while on site and just after withdrawing.
RECORDING_STATES = (InspectionState.STATIONED, InspectionState.WITHDRAWN)
# From stationing until the leading group hears the report, a team may register leads.
REGISTERING_STATES = (
    InspectionState.STATIONED,
    InspectionState.WITHDRAWN,
    InspectionState.REPORTED,
    InspectionState.HEARD,
)
# The unit drafts its plan between feedback and submitting it (and again once it is returned).
PLAN_STATES = (InspectionState.FEEDBACK_GIVEN,)
# Evidence is uploaded while an item is being worked on.
UPLOAD_STATES = (ItemState.IN_PROGRESS, ItemState.LONG_TERM)
