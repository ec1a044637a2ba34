"""The steps of the Inspection machine, from the written notice to closing, and the writes
kept in its trail: on-site counts, findings, leads, the plan's items, grading, disclosure."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from inspections.conditions import (
    every_item_is_closed_or_long_term,
    plan_covers_every_finding,
    problem_list_is_not_empty,
    public_disclosure_is_recorded,
    team_is_authorized_and_round_mobilized,
)
from inspections.deadlines import (
    ALL_INSPECTION_KINDS,
    IMMEDIATE_ITEM,
    ITEM,
    PLAN,
    RECTIFICATION_REPORT,
    REPORT,
    TEAM,
    UNIT,
    immediate_items_without_deadline,
    on_site_policy,
    own_due_date,
    plan_items,
    today,
)
from inspections.models import Finding, Inspection, InspectionState, Lead, RectificationItem
from inspections.notifications.transition_letters import (
    feedback_letter,
    notice_letter,
    plan_returned_letter,
    to_the_unit,
)
from inspections.services import findings as finding_services
from inspections.services import inspections as services
from inspections.services import leads as lead_services
from inspections.services import rectification as item_services
from inspections.states import (
    PLAN_STATES,
    RECORDING_STATES,
    REGISTERING_STATES,
    inspection_states_from,
)
from inspections.steps.forms import (
    DatedForm,
    DisclosureForm,
    FeedbackForm,
    FindingForm,
    GradeForm,
    LeadForm,
    NotifyForm,
    OnsiteWorkForm,
    PlanItemForm,
    ReasonForm,
    RectificationReportForm,
    ShortReasonForm,
    SubmitPlanForm,
)
from workflows.steps import Deadlines, Opens, Step

S = InspectionState
step = partial(Step, Inspection, subject="inspection")

INSPECTION_STEPS = (
    # The written notice names the day the team arrives; the unit receives it by e-mail.
    step(
        "notify",
        label=_("Send the written notice"),
        permission="inspections.notify_inspection",
        sources=(S.PLANNED,),
        target=S.NOTIFIED,
        conditions=(team_is_authorized_and_round_mobilized,),
        tells=to_the_unit(notice_letter),
        service=services.inspection_notify,
        form=NotifyForm,
        admin=True,
    ),
    # On site: the period runs from the day the team arrives.
    step(
        "station",
        label=_("Station the team"),
        permission="inspections.station_inspection",
        sources=(S.NOTIFIED,),
        target=S.STATIONED,
        deadlines=Deadlines(
            opens=(Opens("on_site", on_site_policy, lambda i: i.stationed_on, TEAM),),
        ),
        service=services.inspection_station,
        form=DatedForm,
        admin=True,
    ),
    step(
        "withdraw",
        label=_("Withdraw the team"),
        permission="inspections.withdraw_inspection",
        sources=(S.STATIONED,),
        target=S.WITHDRAWN,
        deadlines=Deadlines(
            meets=("on_site",),
            opens=(Opens("report", REPORT, lambda i: i.withdrawn_on, TEAM),),
        ),
        service=services.inspection_withdraw,
        form=DatedForm,
        admin=True,
    ),
    step(
        "submit_report",
        label=_("Submit the inspection report"),
        permission="inspections.submit_report_inspection",
        sources=(S.WITHDRAWN,),
        target=S.REPORTED,
        deadlines=Deadlines(meets=("report",)),
        service=services.inspection_submit_report,
        form=DatedForm,
        admin=True,
    ),
    step(
        "return_report",
        label=_("Send the report back"),
        permission="inspections.return_report_inspection",
        sources=(S.REPORTED,),
        target=S.WITHDRAWN,
        deadlines=Deadlines(reopens=("report",)),
        service=services.inspection_return_report,
        form=ReasonForm,
    ),
    step(
        "hear_report",
        label=_("Hear the report"),
        permission="inspections.hear_report_inspection",
        sources=(S.REPORTED,),
        target=S.HEARD,
        service=services.inspection_hear_report,
        form=DatedForm,
        admin=True,
    ),
    # Feedback starts the unit's two clocks: the plan (1 month) and the report (2 months); the
    # unit receives its problem list with both dates.
    step(
        "give_feedback",
        label=_("Give feedback"),
        permission="inspections.give_feedback_inspection",
        sources=(S.HEARD,),
        target=S.FEEDBACK_GIVEN,
        conditions=(problem_list_is_not_empty,),
        deadlines=Deadlines(
            opens=(
                Opens("plan", PLAN, lambda i: i.feedback_on, UNIT),
                Opens("rectification_report", RECTIFICATION_REPORT, lambda i: i.feedback_on, UNIT),
            ),
        ),
        tells=to_the_unit(feedback_letter),
        service=services.inspection_give_feedback,
        form=FeedbackForm,
    ),
    step(
        "submit_plan",
        label=_("Submit the rectification plan"),
        permission="inspections.submit_plan_inspection",
        sources=(S.FEEDBACK_GIVEN,),
        target=S.PLAN_SUBMITTED,
        conditions=(plan_covers_every_finding,),
        deadlines=Deadlines(meets=("plan",)),
        service=services.inspection_submit_plan,
        form=SubmitPlanForm,
    ),
    step(
        "return_plan",
        label=_("Return the plan"),
        permission="inspections.return_plan_inspection",
        sources=(S.PLAN_SUBMITTED,),
        target=S.FEEDBACK_GIVEN,
        deadlines=Deadlines(reopens=("plan",)),
        tells=to_the_unit(plan_returned_letter),
        service=services.inspection_return_plan,
        form=ReasonForm,
    ),
    # Each item of the approved plan is due on the day the plan sets for it.
    step(
        "approve_plan",
        label=_("Approve the plan"),
        permission="inspections.approve_plan_inspection",
        sources=(S.PLAN_SUBMITTED,),
        target=S.RECTIFYING,
        deadlines=Deadlines(
            opens=(
                Opens(
                    "item",
                    ITEM,
                    lambda i: i.plan_approved_on,
                    UNIT,
                    subjects=plan_items,
                    due_on=own_due_date,
                ),
            ),
        ),
        service=services.inspection_approve_plan,
        form=DatedForm,
        admin=True,
    ),
    step(
        "submit_rectification_report",
        label=_("Submit the rectification report"),
        permission="inspections.submit_rectification_report_inspection",
        sources=(S.RECTIFYING,),
        target=S.RECTIFICATION_REPORTED,
        deadlines=Deadlines(meets=("rectification_report",)),
        service=services.inspection_submit_rectification_report,
        form=RectificationReportForm,
    ),
    step(
        "return_rectification_report",
        label=_("Return the rectification report"),
        permission="inspections.return_rectification_report_inspection",
        sources=(S.RECTIFICATION_REPORTED,),
        target=S.RECTIFYING,
        deadlines=Deadlines(reopens=("rectification_report",)),
        service=services.inspection_return_rectification_report,
        form=ReasonForm,
    ),
    step(
        "accept_rectification_report",
        label=_("Accept the rectification report"),
        permission="inspections.accept_rectification_report_inspection",
        sources=(S.RECTIFICATION_REPORTED,),
        target=S.RECTIFICATION_ACCEPTED,
        service=services.inspection_accept_rectification_report,
        form=DatedForm,
        admin=True,
    ),
    step(
        "close",
        label=_("Close the inspection"),
        permission="inspections.close_inspection",
        sources=(S.RECTIFICATION_ACCEPTED,),
        target=S.CLOSED,
        conditions=(every_item_is_closed_or_long_term, public_disclosure_is_recorded),
        service=services.inspection_close,
        form=DatedForm,
        admin=True,
    ),
    step(
        "cancel",
        label=_("Cancel the inspection"),
        permission="inspections.cancel_inspection",
        sources=(S.PLANNED, S.NOTIFIED),
        target=S.CANCELLED,
        deadlines=Deadlines(cancels=ALL_INSPECTION_KINDS),
        service=services.inspection_cancel,
        form=ShortReasonForm,
    ),
    # Writes that keep the state. ----------------------------------------------------------
    step(
        "record_onsite_work",
        label=_("Record the on-site work"),
        permission="inspections.record_onsite_work_inspection",
        sources=(S.STATIONED, S.WITHDRAWN),
        service=services.inspection_record_onsite_work,
        form=OnsiteWorkForm,
    ),
    step(
        "record_disclosure",
        label=_("Record the public disclosure"),
        permission="inspections.record_disclosure_inspection",
        sources=tuple(inspection_states_from(S.RECTIFICATION_REPORTED)),
        service=services.inspection_record_disclosure,
        form=DisclosureForm,
    ),
    step(
        "grade",
        label=_("Grade the rectification"),
        permission="inspections.grade_inspection",
        sources=(S.RECTIFICATION_ACCEPTED, S.CLOSED),
        service=services.inspection_grade,
        form=GradeForm,
    ),
    step(
        "record_finding",
        label=_("Record a finding"),
        permission="inspections.add_finding",
        sources=RECORDING_STATES,
        service=finding_services.finding_record,
        form=FindingForm,
        creates=Finding,
    ),
    step(
        "register_lead",
        label=_("Register a lead"),
        permission="inspections.register_lead",
        sources=REGISTERING_STATES,
        service=lead_services.lead_register,
        form=LeadForm,
        creates=Lead,
    ),
    step(
        "add_plan_item",
        label=_("Add an item to the plan"),
        permission="inspections.edit_plan_inspection",
        sources=PLAN_STATES,
        service=item_services.plan_item_add,
        form=PlanItemForm,
        creates=RectificationItem,
    ),
    # Immediate rectification (立行立改): items open at once with the team's short deadlines.
    step(
        "issue_immediate_notice",
        label=_("Issue an immediate-rectification notice"),
        permission="inspections.issue_immediate_notice_inspection",
        sources=(S.STATIONED,),
        deadlines=Deadlines(
            opens=(
                Opens(
                    "item",
                    IMMEDIATE_ITEM,
                    today,
                    UNIT,
                    subjects=immediate_items_without_deadline,
                    due_on=own_due_date,
                ),
            ),
        ),
        service=item_services.inspection_issue_immediate_notice,
    ),
    # The office gives a planned inspection to a proposed team (imports and the admin do).
    step(
        "assign_team",
        label=_("Assign the team"),
        permission="inspections.plan_inspection",
        sources=(S.PLANNED,),
        service=services.inspection_assign_team,
    ),
)

FINDING_STEPS = (
    # A finding is corrected under its inspection's lock, while the team can still record.
    Step(
        Finding,
        "update_finding",
        label=_("Correct the finding"),
        permission="inspections.change_finding",
        sources=RECORDING_STATES,
        locks="inspection",
        service=finding_services.finding_update,
        subject="finding",
    ),
)
