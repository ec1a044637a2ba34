"""Who is told about the inspection work's deadlines and steps, and what they are told.

Three parts, read by the engine and the steps, none sending anything itself:
- the deadline adapters (one per model that owns deadlines), which the sweep asks for the
  recipients and the e-mail context of a batch of deadlines, in a constant number of queries;
- `to_the_unit`, which a step names as `tells=` to write the unit's letter (the written
  notice, the feedback, returns and verifications) to the outbox in the deciding transaction;
- `digest_letters`, the daily digest for the leading group and the office.

Leads are confidential: no letter carries a lead's summary, the persons it names or what
was done with it; an e-mail says only that the report on lead N is due.
"""

from inspections.notifications.deadline_letters import (
    InspectionDeadlines,
    ItemDeadlines,
    LeadDeadlines,
)
from inspections.notifications.digest import digest_letters
from inspections.notifications.transition_letters import to_the_unit

__all__ = [
    "InspectionDeadlines",
    "ItemDeadlines",
    "LeadDeadlines",
    "digest_letters",
    "to_the_unit",
]
