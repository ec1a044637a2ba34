"""The steps of the Lead machine (问题线索): decided by the leading group, handed over by the
office, reported back by the receiving organ. Leads are confidential: no step writes a letter."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from inspections.conditions import lead_has_a_receiving_organ
from inspections.deadlines import LEAD_REPORT_BACK, RECEIVING_ORGAN
from inspections.models import Lead, LeadState
from inspections.services import leads as services
from inspections.steps.forms import DatedForm, DecideLeadForm, ReportBackForm
from workflows.steps import Deadlines, Opens, Step

S = LeadState
step = partial(Step, Lead, subject="lead")

LEAD_STEPS = (
    step(
        "decide",
        label=_("Decide how to handle the lead"),
        permission="inspections.decide_lead",
        sources=(S.REGISTERED,),
        target=S.DECIDED,
        service=services.lead_decide,
        form=DecideLeadForm,
    ),
    # Receiving organs report back within three months of the hand-over (Art. 29).
    step(
        "hand_over",
        label=_("Hand the lead over"),
        permission="inspections.hand_over_lead",
        sources=(S.DECIDED,),
        target=S.HANDED_OVER,
        conditions=(lead_has_a_receiving_organ,),
        deadlines=Deadlines(
            opens=(
                Opens(
                    "report_back",
                    LEAD_REPORT_BACK,
                    lambda lead: lead.handed_over_on,
                    RECEIVING_ORGAN,
                ),
            ),
        ),
        service=services.lead_hand_over,
        form=DatedForm,
        admin=True,
    ),
    step(
        "report_back",
        label=_("Report back on the lead"),
        permission="inspections.report_back_lead",
        sources=(S.HANDED_OVER,),
        target=S.REPORTED_BACK,
        deadlines=Deadlines(meets=("report_back",)),
        service=services.lead_report_back,
        form=ReportBackForm,
    ),
    step(
        "close",
        label=_("Close the lead"),
        permission="inspections.close_lead",
        sources=(S.REPORTED_BACK,),
        target=S.CLOSED,
        service=services.lead_close,
        form=DatedForm,
        admin=True,
    ),
)
