"""Forms for the page writes beside the action catalogue: findings, leads, plan items, evidence.

Each `Write` has the shape of a catalogue action (name, label, is_open, is_allowed), so the
pages draw and take both the same way; its form may depend on the record (a plan item's
finding is chosen among the inspection's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from inspections.actions import ActionForm
from inspections.models import (
    Finding,
    FindingCategory,
    Inspection,
    ItemState,
    RectificationItem,
)
from inspections.services import evidence as evidence_services
from inspections.services import findings as finding_services
from inspections.services import leads as lead_services
from inspections.services import rectification as item_services
from inspections.states import InspectionState
from workflows.errors import InvalidInput

# Long free text: generous, but bounded so a pasted novel is refused with a message.
TEXT_LIMIT = 5000


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _textarea(label: str, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class FindingForm(ActionForm):
    category = forms.ChoiceField(label=_("Category"), choices=FindingCategory.choices)
    title = forms.CharField(label=_("Problem"), max_length=300)
    description = _textarea(_("Description"), required=False)


class LeadForm(ActionForm):
    summary = _textarea(_("Summary"))
    persons_named = forms.CharField(label=_("Persons named"), max_length=300, required=False)


class PlanItemChangeForm(ActionForm):
    measure = _textarea(_("Measure"))
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100)
    due_on = _date(_("Due on"))


class PlanItemForm(PlanItemChangeForm):
    finding = forms.ModelChoiceField(
        label=_("Problem it answers"), queryset=Finding.objects.none(), empty_label=None
    )
    field_order = ["finding", "measure", "responsible_person", "due_on"]

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this inspection's findings: another inspection's id is "not a valid choice".
        self.fields["finding"].queryset = inspection.findings.order_by("number")


class ConfirmForm(ActionForm):
    """No fields: the button is the whole question."""


class EvidenceForm(ActionForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) or text; at most %(limit)s."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(evidence_services.ALLOWED_EXTENSIONS)}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)
        }


@dataclass(frozen=True)
class Write:
    """A write a page offers that is not a transition: who may, in which states, with which form."""

    model: type[models.Model]
    name: str
    label_text: str
    permission: str
    states: tuple[str, ...]
    form: type[ActionForm]
    service: Callable[..., Any]
    subject: str
    # A further check on the record itself (a plan item must still be an open planned one).
    applies: Callable[[Any], bool] = field(default=lambda instance: True)
    # Forms whose choices depend on the record get it as a keyword.
    form_takes_instance: bool = False
    # What an unbound form starts with (a change form shows the item as it stands).
    initial: Callable[[Any], dict] = field(default=lambda instance: {})
    multipart: bool = False
    is_transition = False

    @property
    def label(self) -> str:
        return str(self.label_text)

    def is_open(self, instance: models.Model) -> bool:
        return instance.state in self.states and self.applies(instance)

    def is_allowed(self, instance: models.Model, user: Any) -> bool:
        return user.has_perm(self.permission, instance)

    def bind(self, instance: models.Model, data: Any = None, files: Any = None, **kwargs: Any):
        if self.form_takes_instance:
            kwargs["inspection"] = instance
        if data is None:
            kwargs.setdefault("initial", self.initial(instance))
        return self.form(data, files, **kwargs)

    def take(
        self,
        *,
        instance: models.Model,
        actor: Any,
        data: Any,
        files: Any = None,
        version: int | None = None,
    ) -> Any:
        """Validate and run the service, as `inspections.actions.take` does for the catalogue."""
        form = self.bind(instance, data, files)
        if not form.is_valid():
            raise InvalidInput(
                fields={name: [str(m) for m in messages] for name, messages in form.errors.items()}
            )
        if version is not None:
            instance.version = version
        return self.service(**{self.subject: instance, "actor": actor}, **form.cleaned_data)


def _is_an_open_planned_item(item: RectificationItem) -> bool:
    return item.state == ItemState.OPEN and not item.is_immediate


def _remove_plan_item(*, item: RectificationItem, actor: Any) -> Any:
    return item_services.plan_item_remove(item=item, actor=actor)


PLAN_STATES = (InspectionState.FEEDBACK_GIVEN,)

WRITES: dict[type[models.Model], list[Write]] = {
    Inspection: [
        Write(
            model=Inspection,
            name="record_finding",
            label_text=_("Record a finding"),
            permission="inspections.add_finding",
            states=finding_services.RECORDING_STATES,
            form=FindingForm,
            service=finding_services.finding_record,
            subject="inspection",
        ),
        Write(
            model=Inspection,
            name="register_lead",
            label_text=_("Register a lead"),
            permission="inspections.register_lead",
            states=lead_services.REGISTERING_STATES,
            form=LeadForm,
            service=lead_services.lead_register,
            subject="inspection",
        ),
        Write(
            model=Inspection,
            name="add_plan_item",
            label_text=_("Add an item to the plan"),
            permission="inspections.edit_plan_inspection",
            states=PLAN_STATES,
            form=PlanItemForm,
            service=item_services.plan_item_add,
            subject="inspection",
            form_takes_instance=True,
        ),
    ],
    RectificationItem: [
        Write(
            model=RectificationItem,
            name="update_plan_item",
            label_text=_("Change the item"),
            permission="inspections.edit_plan_inspection",
            states=(ItemState.OPEN,),
            form=PlanItemChangeForm,
            service=item_services.plan_item_update,
            subject="item",
            initial=lambda item: {
                "measure": item.measure,
                "responsible_person": item.responsible_person,
                "due_on": item.due_on,
            },
            applies=lambda item: (
                _is_an_open_planned_item(item) and item.inspection.state in PLAN_STATES
            ),
        ),
        Write(
            model=RectificationItem,
            name="remove_plan_item",
            label_text=_("Remove the item from the plan"),
            permission="inspections.edit_plan_inspection",
            states=(ItemState.OPEN,),
            form=ConfirmForm,
            service=_remove_plan_item,
            subject="item",
            applies=lambda item: (
                _is_an_open_planned_item(item) and item.inspection.state in PLAN_STATES
            ),
        ),
        Write(
            model=RectificationItem,
            name="upload_evidence",
            label_text=_("Upload evidence"),
            permission="inspections.upload_evidence_rectificationitem",
            states=evidence_services.UPLOAD_STATES,
            form=EvidenceForm,
            service=evidence_services.evidence_upload,
            subject="item",
            multipart=True,
        ),
    ],
}


def writes_of(model: type[models.Model]) -> list[Write]:
    return WRITES.get(model, [])


def write_named(model: type[models.Model], name: str) -> Write | None:
    return next((write for write in writes_of(model) if write.name == name), None)
