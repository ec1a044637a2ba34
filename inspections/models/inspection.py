"""One team inspecting one unit in one round (the case teams update), and its findings."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inspections.models.people import User
from inspections.models.rounds import Batch, Round
from inspections.models.teams import Team
from inspections.models.units import Unit
from inspections.states import InspectionState as S
from workflows.models import StatefulModel


class InspectionKind(models.TextChoices):
    REGULAR = "regular", _("Regular (常规)")
    THEMATIC = "thematic", _("Thematic (专项)")
    MOBILE = "mobile", _("Mobile (机动)")
    LOOK_BACK = "look_back", _("Look-back (回头看)")
    ELEVATED = "elevated", _("Elevated (提级)")


class Grade(models.TextChoices):
    """The office's grade of a unit's rectification (评估)."""

    GOOD = "good", _("Good (好)")
    FAIRLY_GOOD = "fairly_good", _("Fairly good (较好)")
    AVERAGE = "average", _("Average (一般)")
    POOR = "poor", _("Poor (差)")


class Inspection(StatefulModel):
    """The inspection of one unit in one round, from notice to sign-off."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="inspections")
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="inspections")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    state = FSMField(_("state"), default=S.PLANNED, choices=S.choices, protected=True)

    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    planned_stationing_on = models.DateField(
        _("stationing planned for"),
        null=True,
        blank=True,
        help_text=_("The date the written notice gives for the team's arrival."),
    )
    stationed_on = models.DateField(_("stationed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    reported_on = models.DateField(_("report submitted on"), null=True, blank=True)
    heard_on = models.DateField(_("report heard on"), null=True, blank=True)
    feedback_on = models.DateField(_("feedback given on"), null=True, blank=True)
    consent_reference = models.CharField(
        _("committee consent"),
        max_length=200,
        blank=True,
        help_text=_("The meeting or document by which the committee consented to the feedback."),
    )
    plan_submitted_on = models.DateField(_("plan submitted on"), null=True, blank=True)
    plan_signed_by = models.CharField(_("plan signed by (unit head)"), max_length=100, blank=True)
    plan_signed_on = models.DateField(_("plan signed on"), null=True, blank=True)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True)
    rectification_reported_on = models.DateField(
        _("rectification report submitted on"), null=True, blank=True
    )
    rectification_report = models.TextField(_("rectification report"), blank=True)
    principal_report = models.TextField(
        _("principal leader's report on organising the rectification"), blank=True
    )
    rectification_accepted_on = models.DateField(
        _("rectification report accepted on"), null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    disclosed_on = models.DateField(_("publicly disclosed on"), null=True, blank=True)
    disclosure_reference = models.CharField(_("disclosure"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    returned_reason = models.TextField(_("reason last returned"), blank=True)

    # Counts of the on-site work, for the round's statistics.
    talks = models.PositiveIntegerField(_("individual talks"), default=0)
    letters_calls_visits = models.PositiveIntegerField(_("letters, calls and visits"), default=0)
    documents_reviewed = models.PositiveIntegerField(_("documents reviewed"), default=0)
    questionnaires = models.PositiveIntegerField(_("questionnaires"), default=0)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["round", "batch__number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="unique_inspection_per_round")
        ]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"

    @property
    def returned_reason_for_the_unit(self) -> str:
        """Why the unit's plan or rectification report came back, while it is the unit's to
        redo; "" otherwise (a report sent back to the team is not the unit's to read)."""
        if self.state in (S.FEEDBACK_GIVEN, S.RECTIFYING):
            return self.returned_reason
        return ""

    @transition(field=state, source=S.PLANNED, target=S.NOTIFIED)
    def notify(self, *, on: datetime.date, stationing_on: datetime.date) -> None:
        self.notified_on = on
        self.planned_stationing_on = stationing_on

    @transition(field=state, source=S.NOTIFIED, target=S.STATIONED)
    def station(self, *, on: datetime.date) -> None:
        self.stationed_on = on

    @transition(field=state, source=S.STATIONED, target=S.WITHDRAWN)
    def withdraw(self, *, on: datetime.date) -> None:
        self.withdrawn_on = on

    @transition(field=state, source=S.WITHDRAWN, target=S.REPORTED)
    def submit_report(self, *, on: datetime.date) -> None:
        self.reported_on = on

    @transition(field=state, source=S.REPORTED, target=S.WITHDRAWN)
    def return_report(self, *, reason: str) -> None:
        self.returned_reason = reason
        self.reported_on = None

    @transition(field=state, source=S.REPORTED, target=S.HEARD)
    def hear_report(self, *, on: datetime.date) -> None:
        self.heard_on = on
        # Why the report was once sent back is the leadership's note to the team; once it is
        # heard the note is settled (the audit trail keeps it), and the unit never reads it.
        self.returned_reason = ""

    @transition(field=state, source=S.HEARD, target=S.FEEDBACK_GIVEN)
    def give_feedback(self, *, on: datetime.date, consent_reference: str) -> None:
        self.feedback_on = on
        self.consent_reference = consent_reference

    @transition(field=state, source=S.FEEDBACK_GIVEN, target=S.PLAN_SUBMITTED)
    def submit_plan(self, *, on: datetime.date, signed_by: str, signed_on: datetime.date) -> None:
        self.plan_submitted_on = on
        self.plan_signed_by = signed_by
        self.plan_signed_on = signed_on

    @transition(field=state, source=S.PLAN_SUBMITTED, target=S.FEEDBACK_GIVEN)
    def return_plan(self, *, reason: str) -> None:
        self.returned_reason = reason
        self.plan_submitted_on = None

    @transition(field=state, source=S.PLAN_SUBMITTED, target=S.RECTIFYING)
    def approve_plan(self, *, on: datetime.date) -> None:
        self.plan_approved_on = on

    @transition(field=state, source=S.RECTIFYING, target=S.RECTIFICATION_REPORTED)
    def submit_rectification_report(
        self, *, on: datetime.date, report: str, principal_report: str
    ) -> None:
        self.rectification_reported_on = on
        self.rectification_report = report
        self.principal_report = principal_report

    @transition(field=state, source=S.RECTIFICATION_REPORTED, target=S.RECTIFYING)
    def return_rectification_report(self, *, reason: str) -> None:
        self.returned_reason = reason
        self.rectification_reported_on = None

    @transition(field=state, source=S.RECTIFICATION_REPORTED, target=S.RECTIFICATION_ACCEPTED)
    def accept_rectification_report(self, *, on: datetime.date) -> None:
        self.rectification_accepted_on = on

    @transition(field=state, source=S.RECTIFICATION_ACCEPTED, target=S.CLOSED)
    def close(self, *, on: datetime.date) -> None:
        self.closed_on = on

    @transition(field=state, source=[S.PLANNED, S.NOTIFIED], target=S.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self.cancelled_reason = reason


class FindingCategory(models.TextChoices):
    POLITICAL = "political", _("Political responsibility (政治建设)")
    DEVELOPMENT = "development", _("Duties and development (履职尽责)")
    INTEGRITY = "integrity", _("Integrity and conduct (全面从严治党)")
    ORGANISATION = "organisation", _("Organisation and cadres (组织路线)")
    RECTIFICATION = "rectification", _("Earlier rectification (整改落实)")
    OTHER = "other", _("Other")


class Finding(models.Model):
    """A problem the team found (问题); the unit must cover it in its rectification plan."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=16, choices=FindingCategory.choices)
    title = models.CharField(_("problem"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="unique_finding_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
