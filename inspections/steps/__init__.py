"""Every step of the inspection work, one entry each: who, from which states, with which form,
which deadlines it opens or meets, and who is told.

The entries are `workflows.steps.Step`s, one module per machine. `InspectionsConfig.ready()`
registers them with the engine, which checks each transition against the model's django-fsm
declaration and reads the entry whenever the step is taken; the pages, the API and the admin
list and take steps from the same entries (`inspections.actions`).
"""

from __future__ import annotations

from django.db import models

from inspections.models import Finding, Inspection, Lead, RectificationItem, Round, Team
from inspections.steps.inspections import FINDING_STEPS, INSPECTION_STEPS
from inspections.steps.items import ITEM_STEPS
from inspections.steps.leads import LEAD_STEPS
from inspections.steps.rounds import ROUND_STEPS, TEAM_STEPS
from workflows.steps import Step

# Model → its steps, in the order the pages show them.
STEPS: dict[type[models.Model], tuple[Step, ...]] = {
    Round: ROUND_STEPS,
    Team: TEAM_STEPS,
    Inspection: INSPECTION_STEPS,
    Finding: FINDING_STEPS,
    Lead: LEAD_STEPS,
    RectificationItem: ITEM_STEPS,
}
