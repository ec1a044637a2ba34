"""The catalogue of what a person can do to a record, and the form each action needs.

The web pages draw one button and form per action, and the API lists and takes them by
name; both go through `take`, so the two front doors cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.models import (
    Grade,
    Inspection,
    InspectionState,
    ItemState,
    Lead,
    ReceivingOrgan,
    RectificationItem,
    Round,
    Route,
    Team,
)
from inspections.services import inspections as inspection_services
from inspections.services import leads as lead_services
from inspections.services import rectification as item_services
from inspections.services import rounds as round_services
from inspections.services import teams as team_services
from inspections.states import inspection_states_from
from workflows.errors import InvalidInput
from workflows.transitions import transition_label, transitions_of

# Fields, one definition each: a form is a choice of these. ---------------------------------


def _on() -> forms.DateField:
    return forms.DateField(
        label=_("Date it happened"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _text(label: str, *, required: bool = True, max_length: int | None = None) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput if max_length and max_length <= 300 else forms.Textarea,
    )


def _note() -> forms.CharField:
    return forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000)


class ActionForm(forms.Form):
    """Base of every action's form: nothing but the fields the service takes."""


def _form(name: str, **fields: forms.Field) -> type[ActionForm]:
    return type(name, (ActionForm,), fields)


DatedForm = _form("DatedForm", on=_on(), note=_note())
ReasonForm = _form("ReasonForm", reason=_text(_("Reason"), max_length=2000))
ShortReasonForm = _form("ShortReasonForm", reason=_text(_("Reason"), max_length=300))
NoteForm = _form("NoteForm", note=_note())
NotifyForm = _form(
    "NotifyForm",
    on=_on(),
    stationing_on=_date(
        _("Day the team arrives"), help_text=_("Leave empty for three days after the notice.")
    ),
    note=_note(),
)
FeedbackForm = _form(
    "FeedbackForm",
    consent_reference=_text(_("Reference of the committee's consent"), max_length=200),
    on=_on(),
    note=_note(),
)
SubmitPlanForm = _form(
    "SubmitPlanForm",
    signed_by=_text(_("Signed off by (the unit's head)"), max_length=100),
    signed_on=_date(_("Signed on"), help_text=_("Leave empty for today.")),
    on=_on(),
    note=_note(),
)
RectificationReportForm = _form(
    "RectificationReportForm",
    report=_text(_("The unit's rectification report")),
    principal_report=_text(_("The principal leader's report on organising the rectification")),
    on=_on(),
    note=_note(),
)
OnsiteWorkForm = _form(
    "OnsiteWorkForm",
    talks=_count(_("Individual talks")),
    letters_calls_visits=_count(_("Letters, calls and visits received")),
    documents_reviewed=_count(_("Documents reviewed")),
    questionnaires=_count(_("Questionnaires")),
)
GradeForm = _form(
    "GradeForm",
    grade=forms.ChoiceField(label=_("Grade"), choices=Grade.choices),
    note=_note(),
)
DisclosureForm = _form(
    "DisclosureForm",
    reference=_text(_("Where it was made public"), max_length=300),
    on=_on(),
)
DecideLeadForm = _form(
    "DecideLeadForm",
    route=forms.ChoiceField(label=_("Route"), choices=Route.choices),
    receiving_organ=forms.ModelChoiceField(
        label=_("Receiving organ"), queryset=ReceivingOrgan.objects.order_by("pk"), required=False
    ),
    on=_on(),
    note=_note(),
)
ReportBackForm = _form("ReportBackForm", outcome=_text(_("What was done with the lead")), on=_on())
SubmitItemForm = _form(
    "SubmitItemForm",
    progress=_text(_("What was done")),
    evidence=_text(_("Evidence")),
    on=_on(),
)
ProgressForm = _form("ProgressForm", progress=_text(_("Progress")))


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
        """Whether the record's state lets this action start (conditions are the service's)."""
        state = instance.state
        if self.is_transition:
            method = getattr(type(instance), self.name)
            return method._django_fsm.get_transition(state) is not None
        return state in self.states

    def is_allowed(self, instance: models.Model, user: Any) -> bool:
        """Whether `user` holds the permission for this action on `instance`."""
        if self.is_transition:
            return transitions_of(type(instance), self.name)[0].has_perm(instance, user)
        return user.has_perm(self.permission, instance)


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
    data: Any,
    version: int | None = None,
    strict: bool = False,
) -> Any:
    """Validate `data` with the action's form and run its service on `instance` for `actor`.

    `version` is the one the person saw (a stale form is refused by the service).
    `strict` refuses fields the form does not know, as the API does; a browser form
    carries its CSRF token and button name beside the fields, so the pages are not strict.
    Raises InvalidInput with every field's errors, or the service's own error.
    """
    if strict:
        unknown = sorted(set(data) - set(action.form.base_fields))
        if unknown:
            raise InvalidInput(fields={name: [str(_("Unknown field."))] for name in unknown})
    form = action.form(data)
    if not form.is_valid():
        raise InvalidInput(fields=_form_errors(form))
    if version is not None:
        instance.version = version
    return action.service(**{action.subject: instance, "actor": actor}, **form.cleaned_data)


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


def field_specs(action: Action) -> list[dict[str, Any]]:
    """The fields an action needs, described for the API (name, type, required, label, choices)."""
    return [_field_spec(name, field) for name, field in action.form.base_fields.items()]


_FIELD_TYPES: Iterable[tuple[type[forms.Field], str]] = (
    (forms.DateField, "date"),
    (forms.IntegerField, "integer"),
    (forms.ModelChoiceField, "id"),
    (forms.ChoiceField, "choice"),
    (forms.CharField, "string"),
)


def _field_spec(name: str, field: forms.Field) -> dict[str, Any]:
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
    if field.help_text:
        spec["help_text"] = str(field.help_text)
    return spec
