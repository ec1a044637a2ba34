"""Rectification items (整改事项): the rows of the rectification ledger, each signed off on its own."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inspections.models.inspection import Finding, Inspection
from inspections.states import ItemState as S
from workflows.models import StatefulModel


class RectificationItem(StatefulModel):
    """One task of a rectification plan: a measure, a responsible person and a due date."""

    # Led by the unique (inspection, number) index; an index of its own would only cost
    # writes, and every item transition updates the row's indexes (its state is indexed).
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("finding"),
    )
    number = models.PositiveIntegerField(_("number"))
    problem = models.CharField(_("problem"), max_length=300)
    measure = models.TextField(_("measure"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    is_immediate = models.BooleanField(
        _("immediate rectification"),
        default=False,
        help_text=_("Named in an immediate-rectification notice (立行立改) while stationed."),
    )
    state = FSMField(_("state"), default=S.OPEN, choices=S.choices, protected=True)
    progress = models.TextField(_("progress"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    returned_reason = models.TextField(_("reason last returned"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    closed_on = models.DateField(_("signed off on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="unique_item_number")
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.problem}"

    @transition(field=state, source=S.OPEN, target=S.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=state, source=[S.IN_PROGRESS, S.LONG_TERM], target=S.SUBMITTED)
    def submit(self, *, on: datetime.date, progress: str, evidence: str) -> None:
        self.submitted_on = on
        self.progress = progress
        self.evidence = evidence

    @transition(field=state, source=S.SUBMITTED, target=S.IN_PROGRESS)
    def return_item(self, *, reason: str) -> None:
        self.returned_reason = reason
        self.submitted_on = None

    @transition(field=state, source=S.SUBMITTED, target=S.VERIFIED)
    def verify(self, *, on: datetime.date) -> None:
        self.verified_on = on

    @transition(field=state, source=S.VERIFIED, target=S.CLOSED)
    def close(self, *, on: datetime.date) -> None:
        self.closed_on = on

    @transition(field=state, source=[S.OPEN, S.IN_PROGRESS], target=S.LONG_TERM)
    def mark_long_term(self) -> None:
        pass
