"""The forms the steps take: each asks for exactly what its step's service takes.

The pages draw them and the API validates its JSON bodies with them, so both front doors
check input the same way. Nothing here knows the steps: the entries name these forms. A form
whose choices depend on the record it is taken on gets it as `record`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, FindingCategory, Grade, ReceivingOrgan, Route
from inspections.services import evidence as evidence_services

# Long free text: generous, but bounded so a pasted novel is refused with a message.
TEXT_LIMIT = 5000

# Fields, one definition each: a form is a choice of these. ---------------------------------


def date_input() -> forms.DateInput:
    """A browser's date picker: it reads and writes only ISO dates (2026-11-20), whatever the
    language's date format (2026/11/20 would be dropped and the field left empty)."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _on() -> forms.DateField:
    return forms.DateField(
        label=_("Date it happened"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=date_input(),
    )


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=date_input(),
    )


def _text(
    label: str, *, required: bool = True, max_length: int | None = None, rows: int | None = None
) -> forms.CharField:
    """One line for short text (up to 300 characters), a box for longer; `rows` sizes the box."""
    if max_length and max_length <= 300:
        widget: Any = forms.TextInput
    else:
        widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.Textarea
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def _note() -> forms.CharField:
    return forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000)


class ActionForm(forms.Form):
    """Base of every action's form: nothing but the fields the service takes.

    `record` is the record the action is taken on; most forms ignore it, a form whose
    choices depend on it narrows them in its own `__init__`.
    """

    def __init__(self, *args: Any, record: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record


def _form(name: str, **fields: forms.Field) -> type[ActionForm]:
    return type(name, (ActionForm,), {"__module__": __name__, **fields})


# Transitions and the office's records. -------------------------------------------------------

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
    # The hand-over that follows needs the organ, so the decision names it.
    receiving_organ=forms.ModelChoiceField(
        label=_("Receiving organ"), queryset=ReceivingOrgan.objects.order_by("pk")
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

# What the team and the unit add: findings, leads, plan items, evidence. -------------------------

FindingForm = _form(
    "FindingForm",
    category=forms.ChoiceField(label=_("Category"), choices=FindingCategory.choices),
    title=_text(_("Problem"), max_length=300),
    description=_text(_("Description"), required=False, max_length=TEXT_LIMIT, rows=3),
)
LeadForm = _form(
    "LeadForm",
    summary=_text(_("Summary"), max_length=TEXT_LIMIT, rows=3),
    persons_named=_text(_("Persons named"), required=False, max_length=300),
)
PlanItemChangeForm = _form(
    "PlanItemChangeForm",
    measure=_text(_("Measure"), max_length=TEXT_LIMIT, rows=3),
    responsible_person=_text(_("Responsible person"), max_length=100),
    due_on=_date(_("Due on"), required=True),
)


class PlanItemForm(PlanItemChangeForm):
    finding = forms.ModelChoiceField(
        label=_("Problem it answers"), queryset=Finding.objects.none(), empty_label=None
    )
    field_order = ["finding", "measure", "responsible_person", "due_on"]

    def __init__(self, *args: Any, record: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, record=record, **kwargs)
        # Only this inspection's findings: another inspection's id is "not a valid choice",
        # the same answer as an id that does not exist, so nothing leaks.
        if record is not None:
            self.fields["finding"].queryset = record.findings.order_by("number")


ConfirmForm = _form("ConfirmForm")  # no fields: the button is the whole question


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
