"""The steps of the RectificationItem machine (整改事项): the unit works and submits, the team or
office verifies or returns, the office signs off (销号); and the writes on a plan's items."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from inspections.conditions import plan_is_approved_or_item_is_immediate
from inspections.deadlines import LONG_TERM_PROGRESS, UNIT, today
from inspections.models import ItemState, RectificationItem
from inspections.notifications.transition_letters import (
    item_returned_letter,
    item_verified_letter,
    to_the_unit,
)
from inspections.services import evidence as evidence_services
from inspections.services import rectification as services
from inspections.states import PLAN_STATES, UPLOAD_STATES
from inspections.steps.forms import (
    ConfirmForm,
    DatedForm,
    EvidenceForm,
    NoteForm,
    PlanItemChangeForm,
    ProgressForm,
    ReasonForm,
    SubmitItemForm,
)
from workflows.steps import Deadlines, Opens, Step

S = ItemState
step = partial(Step, RectificationItem, subject="item")


def is_open_in_the_plan(item: RectificationItem) -> bool:
    """An open item of the plan (not of an immediate-rectification notice)."""
    return item.state == S.OPEN and not item.is_immediate


def as_it_stands(item: RectificationItem) -> dict:
    return {
        "measure": item.measure,
        "responsible_person": item.responsible_person,
        "due_on": item.due_on,
    }


ITEM_STEPS = (
    step(
        "start",
        label=_("Start work on the item"),
        permission="inspections.start_rectificationitem",
        sources=(S.OPEN,),
        target=S.IN_PROGRESS,
        conditions=(plan_is_approved_or_item_is_immediate,),
        service=services.item_start,
        form=NoteForm,
    ),
    step(
        "submit",
        label=_("Submit for verification"),
        permission="inspections.submit_rectificationitem",
        sources=(S.IN_PROGRESS, S.LONG_TERM),
        target=S.SUBMITTED,
        deadlines=Deadlines(meets=("item", "long_term_progress")),
        service=services.item_submit,
        form=SubmitItemForm,
    ),
    step(
        "return_item",
        label=_("Return the item"),
        permission="inspections.return_rectificationitem",
        sources=(S.SUBMITTED,),
        target=S.IN_PROGRESS,
        deadlines=Deadlines(reopens=("item",)),
        tells=to_the_unit(item_returned_letter),
        service=services.item_return,
        form=ReasonForm,
    ),
    step(
        "verify",
        label=_("Verify the item"),
        permission="inspections.verify_rectificationitem",
        sources=(S.SUBMITTED,),
        target=S.VERIFIED,
        tells=to_the_unit(item_verified_letter),
        service=services.item_verify,
        form=DatedForm,
        admin=True,
    ),
    step(
        "close",
        label=_("Sign the item off (销号)"),
        permission="inspections.close_rectificationitem",
        sources=(S.VERIFIED,),
        target=S.CLOSED,
        service=services.item_close,
        form=DatedForm,
        admin=True,
    ),
    # A long-term item reports progress every six months instead of having one due date.
    step(
        "mark_long_term",
        label=_("Mark as long-term"),
        permission="inspections.mark_long_term_rectificationitem",
        sources=(S.OPEN, S.IN_PROGRESS),
        target=S.LONG_TERM,
        deadlines=Deadlines(
            cancels=("item",),
            opens=(Opens("long_term_progress", LONG_TERM_PROGRESS, today, UNIT),),
        ),
        service=services.item_mark_long_term,
        form=ReasonForm,
    ),
    # Writes that keep the state. ----------------------------------------------------------
    step(
        "report_progress",
        label=_("Report progress"),
        permission="inspections.report_progress_rectificationitem",
        sources=(S.IN_PROGRESS, S.LONG_TERM),
        # Only a long-term item's report is due: it meets that and opens the next one.
        deadlines=Deadlines(
            meets=("long_term_progress",),
            opens=(Opens("long_term_progress", LONG_TERM_PROGRESS, today, UNIT),),
            when=lambda item: item.state == S.LONG_TERM,
        ),
        service=services.item_report_progress,
        form=ProgressForm,
    ),
    # The plan's items are changed under the inspection's lock, while the plan is drafted.
    step(
        "update_plan_item",
        label=_("Change the item"),
        permission="inspections.edit_plan_inspection",
        sources=PLAN_STATES,
        locks="inspection",
        applies=is_open_in_the_plan,
        initial=as_it_stands,
        service=services.plan_item_update,
        form=PlanItemChangeForm,
    ),
    step(
        "remove_plan_item",
        label=_("Remove the item from the plan"),
        permission="inspections.edit_plan_inspection",
        sources=PLAN_STATES,
        locks="inspection",
        applies=is_open_in_the_plan,
        removes=True,
        service=services.plan_item_remove,
        form=ConfirmForm,
    ),
    step(
        "upload_evidence",
        label=_("Upload evidence"),
        permission="inspections.upload_evidence_rectificationitem",
        sources=UPLOAD_STATES,
        multipart=True,
        service=evidence_services.evidence_upload,
        form=EvidenceForm,
    ),
)
