"""The catalogue of what a person can do to a record, and the form each action needs.

The web pages draw one button and form per action, and the API lists and takes them by
name; both go through `take`, so the two front doors cannot drift apart. The forms live in
`inspections.forms`, which does not import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.forms import (
    ActionForm,
    ConfirmForm,
    DatedForm,
    DecideLeadForm,
    DisclosureForm,
    EvidenceForm,
    FeedbackForm,
    FindingForm,
    GradeForm,
    LeadForm,
    NoteForm,
    NotifyForm,
    OnsiteWorkForm,
    PlanItemChangeForm,
    PlanItemForm,
    ProgressForm,
    ReasonForm,
    RectificationReportForm,
    ReportBackForm,
    ShortReasonForm,
    SubmitItemForm,
    SubmitPlanForm,
)
from inspections.models import (
    Finding,
    Inspection,
    InspectionState,
    ItemState,
    Lead,
    RectificationItem,
    Round,
    Team,
)
from inspections.services import evidence as evidence_services
from inspections.services import findings as finding_services
from inspections.services import inspections as inspection_services
from inspections.services import leads as lead_services
from inspections.services import rectification as item_services
from inspections.services import rounds as round_services
from inspections.services import teams as team_services
from inspections.states import inspection_states_from
from workflows.errors import InvalidInput
from workflows.transitions import transition_label, transitions_of

# The catalogue. ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing a person may do to a record: a transition, or a write kept in the audit trail.

    `subject` is the service's keyword for the record. A write that is not a transition
    names its `permission` and the `states` it is allowed in.
    """

    model: type[models.Model]
    name: str
    service: Callable[..., Any]
    subject: str
    form: type[ActionForm]
    label_text: str = ""
    permission: str = ""
    states: tuple[str, ...] = ()
    # A further check on the record beyond its state (a plan item must be a planned one of a
    # plan still being drafted); the service checks it again under its lock.
    applies: Callable[[Any], bool] | None = None
    # What an unbound form starts with (a change form shows the item as it stands).
    initial: Callable[[Any], dict[str, Any]] | None = None
    # Its form takes a file: the pages post it as multipart; the JSON API does not offer it.
    multipart: bool = False
    # The kind of record it adds under this one: the pages draw it beside that list, and
    # the API answers with the new record.
    creates: type[models.Model] | None = None
    # It deletes the record it is taken on: the API answers with no body.
    removes: bool = False

    @property
    def is_transition(self) -> bool:
        return not self.permission

    @property
    def label(self) -> str:
        if self.is_transition:
            return transition_label(self.model, self.name)
        return str(self.label_text)

    @property
    def target(self) -> str:
        """The state a transition leads to ("" for a write, which keeps the state)."""
        if not self.is_transition:
            return ""
        return str(transitions_of(self.model, self.name)[0].target)

    def is_open(self, instance: models.Model) -> bool:
        """Whether the record lets this action start (conditions are the service's)."""
        state = instance.state
        if self.is_transition:
            method = getattr(type(instance), self.name)
            if method._django_fsm.get_transition(state) is None:
                return False
        elif state not in self.states:
            return False
        return self.applies is None or self.applies(instance)

    def is_allowed(self, instance: models.Model, user: Any) -> bool:
        """Whether `user` holds the permission for this action on `instance`."""
        if self.is_transition:
            return transitions_of(type(instance), self.name)[0].has_perm(instance, user)
        return user.has_perm(self.permission, instance)

    def bind(
        self,
        instance: models.Model,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> ActionForm:
        """The action's form for `instance`: bound to `data`, or unbound with its initial values."""
        if data is None and self.initial is not None:
            kwargs.setdefault("initial", self.initial(instance))
        return self.form(data, files, record=instance, **kwargs)


def _transitions(
    model: type[models.Model],
    subject: str,
    services: dict[str, tuple[Callable[..., Any], type[ActionForm]]],
) -> list[Action]:
    return [
        Action(model=model, name=name, service=service, subject=subject, form=form)
        for name, (service, form) in services.items()
    ]


S = InspectionState
# The unit drafts its plan between feedback and submitting it (and again once it is returned).
PLAN_STATES = (S.FEEDBACK_GIVEN,)


def _is_in_a_plan_being_drafted(item: RectificationItem) -> bool:
    """An open item of the plan (not an immediate-rectification notice) while it is drafted."""
    return (
        item.state == ItemState.OPEN
        and not item.is_immediate
        and item.inspection.state in PLAN_STATES
    )


CATALOGUE: dict[type[models.Model], list[Action]] = {
    Round: _transitions(
        Round,
        "round_",
        {
            "approve": (round_services.round_approve, DatedForm),
            "mobilize": (round_services.round_mobilize, DatedForm),
            "conclude": (round_services.round_conclude, DatedForm),
            "archive": (round_services.round_archive, DatedForm),
            "cancel": (round_services.round_cancel, ShortReasonForm),
        },
    ),
    Team: _transitions(
        Team,
        "team",
        {
            "authorize": (team_services.team_authorize, DatedForm),
            "stand_down": (team_services.team_stand_down, DatedForm),
        },
    ),
    Inspection: [
        *_transitions(
            Inspection,
            "inspection",
            {
                "notify": (inspection_services.inspection_notify, NotifyForm),
                "station": (inspection_services.inspection_station, DatedForm),
                "withdraw": (inspection_services.inspection_withdraw, DatedForm),
                "submit_report": (inspection_services.inspection_submit_report, DatedForm),
                "return_report": (inspection_services.inspection_return_report, ReasonForm),
                "hear_report": (inspection_services.inspection_hear_report, DatedForm),
                "give_feedback": (inspection_services.inspection_give_feedback, FeedbackForm),
                "submit_plan": (inspection_services.inspection_submit_plan, SubmitPlanForm),
                "return_plan": (inspection_services.inspection_return_plan, ReasonForm),
                "approve_plan": (inspection_services.inspection_approve_plan, DatedForm),
                "submit_rectification_report": (
                    inspection_services.inspection_submit_rectification_report,
                    RectificationReportForm,
                ),
                "return_rectification_report": (
                    inspection_services.inspection_return_rectification_report,
                    ReasonForm,
                ),
                "accept_rectification_report": (
                    inspection_services.inspection_accept_rectification_report,
                    DatedForm,
                ),
                "close": (inspection_services.inspection_close, DatedForm),
                "cancel": (inspection_services.inspection_cancel, ShortReasonForm),
            },
        ),
        Action(
            model=Inspection,
            name="record_onsite_work",
            service=inspection_services.inspection_record_onsite_work,
            subject="inspection",
            form=OnsiteWorkForm,
            label_text=_("Record the on-site work"),
            permission="inspections.record_onsite_work_inspection",
            states=(S.STATIONED, S.WITHDRAWN),
        ),
        Action(
            model=Inspection,
            name="record_disclosure",
            service=inspection_services.inspection_record_disclosure,
            subject="inspection",
            form=DisclosureForm,
            label_text=_("Record the public disclosure"),
            permission="inspections.record_disclosure_inspection",
            states=tuple(inspection_states_from(S.RECTIFICATION_REPORTED)),
        ),
        Action(
            model=Inspection,
            name="grade",
            service=inspection_services.inspection_grade,
            subject="inspection",
            form=GradeForm,
            label_text=_("Grade the rectification"),
            permission="inspections.grade_inspection",
            states=(S.RECTIFICATION_ACCEPTED, S.CLOSED),
        ),
        Action(
            model=Inspection,
            name="record_finding",
            service=finding_services.finding_record,
            subject="inspection",
            form=FindingForm,
            label_text=_("Record a finding"),
            permission="inspections.add_finding",
            states=finding_services.RECORDING_STATES,
            creates=Finding,
        ),
        Action(
            model=Inspection,
            name="register_lead",
            service=lead_services.lead_register,
            subject="inspection",
            form=LeadForm,
            label_text=_("Register a lead"),
            permission="inspections.register_lead",
            states=lead_services.REGISTERING_STATES,
            creates=Lead,
        ),
        Action(
            model=Inspection,
            name="add_plan_item",
            service=item_services.plan_item_add,
            subject="inspection",
            form=PlanItemForm,
            label_text=_("Add an item to the plan"),
            permission="inspections.edit_plan_inspection",
            states=PLAN_STATES,
            creates=RectificationItem,
        ),
    ],
    Lead: _transitions(
        Lead,
        "lead",
        {
            "decide": (lead_services.lead_decide, DecideLeadForm),
            "hand_over": (lead_services.lead_hand_over, DatedForm),
            "report_back": (lead_services.lead_report_back, ReportBackForm),
            "close": (lead_services.lead_close, DatedForm),
        },
    ),
    RectificationItem: [
        *_transitions(
            RectificationItem,
            "item",
            {
                "start": (item_services.item_start, NoteForm),
                "submit": (item_services.item_submit, SubmitItemForm),
                "return_item": (item_services.item_return, ReasonForm),
                "verify": (item_services.item_verify, DatedForm),
                "close": (item_services.item_close, DatedForm),
                "mark_long_term": (item_services.item_mark_long_term, ReasonForm),
            },
        ),
        Action(
            model=RectificationItem,
            name="report_progress",
            service=item_services.item_report_progress,
            subject="item",
            form=ProgressForm,
            label_text=_("Report progress"),
            permission="inspections.report_progress_rectificationitem",
            states=(ItemState.IN_PROGRESS, ItemState.LONG_TERM),
        ),
        Action(
            model=RectificationItem,
            name="update_plan_item",
            service=item_services.plan_item_update,
            subject="item",
            form=PlanItemChangeForm,
            label_text=_("Change the item"),
            permission="inspections.edit_plan_inspection",
            states=(ItemState.OPEN,),
            applies=_is_in_a_plan_being_drafted,
            initial=lambda item: {
                "measure": item.measure,
                "responsible_person": item.responsible_person,
                "due_on": item.due_on,
            },
        ),
        Action(
            model=RectificationItem,
            name="remove_plan_item",
            service=item_services.plan_item_remove,
            subject="item",
            form=ConfirmForm,
            label_text=_("Remove the item from the plan"),
            permission="inspections.edit_plan_inspection",
            states=(ItemState.OPEN,),
            applies=_is_in_a_plan_being_drafted,
            removes=True,
        ),
        Action(
            model=RectificationItem,
            name="upload_evidence",
            service=evidence_services.evidence_upload,
            subject="item",
            form=EvidenceForm,
            label_text=_("Upload evidence"),
            permission="inspections.upload_evidence_rectificationitem",
            states=evidence_services.UPLOAD_STATES,
            multipart=True,
        ),
    ],
}


def actions_of(model: type[models.Model]) -> list[Action]:
    """Every action of a kind of record, in the order the pages show them."""
    return CATALOGUE.get(model, [])


def action_named(model: type[models.Model], name: str) -> Action | None:
    """The action `name` of `model`, or None when there is no such action."""
    return next((action for action in actions_of(model) if action.name == name), None)


def actions_for(instance: models.Model, user: Any) -> list[Action]:
    """What `user` may do to `instance` now: its state allows it and they hold the permission."""
    return [
        action
        for action in actions_of(type(instance))
        if action.is_open(instance) and action.is_allowed(instance, user)
    ]


def take(
    action: Action,
    *,
    instance: models.Model,
    actor: Any,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    version: int | None = None,
    strict: bool = False,
) -> Any:
    """Validate `data` (and `files`) with the action's form and run its service on `instance`.

    The form is bound to `instance`, so a choice among the record's own rows refuses any
    other id as "not a valid choice". `version` is the one the person saw (a stale form is
    refused by the service). `strict` refuses fields the form does not know, as the API
    does; a browser form carries its CSRF token and button name beside the fields, so the
    pages are not strict. Returns what the service returns (the record, or the one it added).
    Raises InvalidInput with every field's errors, or the service's own error.
    """
    if strict:
        unknown = sorted((set(data) | set(files or ())) - set(action.form.base_fields))
        if unknown:
            raise InvalidInput(fields={name: [str(_("Unknown field."))] for name in unknown})
    form = action.bind(instance, data, files)
    if not form.is_valid():
        raise InvalidInput(fields=_form_errors(form))
    if version is not None:
        instance.version = version
    return action.service(**{action.subject: instance, "actor": actor}, **form.cleaned_data)


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


def field_specs(action: Action, instance: models.Model | None = None) -> list[dict[str, Any]]:
    """The fields an action needs, described for the API (name, type, required, label, choices).

    Given the record, a choice of rows (an `id` field) lists the ids the record allows,
    e.g. the inspection's own findings for a plan item, so a script need not guess them.
    """
    fields = action.bind(instance).fields if instance is not None else action.form.base_fields
    return [_field_spec(name, field, listed=instance is not None) for name, field in fields.items()]


_FIELD_TYPES: Iterable[tuple[type[forms.Field], str]] = (
    (forms.DateField, "date"),
    (forms.IntegerField, "integer"),
    (forms.ModelChoiceField, "id"),
    (forms.ChoiceField, "choice"),
    (forms.CharField, "string"),
)


def _field_spec(name: str, field: forms.Field, *, listed: bool = False) -> dict[str, Any]:
    kind = next(kind for cls, kind in _FIELD_TYPES if isinstance(field, cls))
    spec: dict[str, Any] = {
        "name": name,
        "type": kind,
        "required": field.required,
        "label": str(field.label),
    }
    if getattr(field, "max_length", None):
        spec["max_length"] = field.max_length
    if kind == "choice":
        spec["choices"] = [{"value": value, "label": str(label)} for value, label in field.choices]
    if kind == "id" and listed:
        spec["choices"] = [{"value": row.pk, "label": str(row)} for row in field.queryset]
    if field.help_text:
        spec["help_text"] = str(field.help_text)
    return spec
