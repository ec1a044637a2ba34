"""Problem leads (问题线索): confidential, decided by the leading group, handed to a receiving organ."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inspections.models.inspection import Inspection
from inspections.models.people import ReceivingOrgan, Route, User
from inspections.states import LeadState as S
from workflows.models import StatefulModel


class Lead(StatefulModel):
    """A lead on possible wrongdoing by named people; seen only by those who handle it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="leads")
    number = models.PositiveIntegerField(_("number"))
    summary = models.TextField(_("summary"))
    persons_named = models.CharField(_("persons named"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    state = FSMField(_("state"), default=S.REGISTERED, choices=S.choices, protected=True)
    route = models.CharField(_("route"), max_length=16, choices=Route.choices, blank=True)
    receiving_organ = models.ForeignKey(
        ReceivingOrgan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("receiving organ"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    reported_back_on = models.DateField(_("reported back on"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="unique_lead_number")
        ]

    def __str__(self) -> str:
        return _("%(unit)s · lead %(number)d") % {
            "unit": self.inspection.unit,
            "number": self.number,
        }

    @transition(field=state, source=S.REGISTERED, target=S.DECIDED)
    def decide(
        self, *, on: datetime.date, route: str, receiving_organ: ReceivingOrgan | None
    ) -> None:
        self.decided_on = on
        self.route = route
        self.receiving_organ = receiving_organ

    @transition(field=state, source=S.DECIDED, target=S.HANDED_OVER)
    def hand_over(self, *, on: datetime.date) -> None:
        self.handed_over_on = on

    @transition(field=state, source=S.HANDED_OVER, target=S.REPORTED_BACK)
    def report_back(self, *, on: datetime.date, outcome: str) -> None:
        self.reported_back_on = on
        self.outcome = outcome

    @transition(field=state, source=S.REPORTED_BACK, target=S.CLOSED)
    def close(self, *, on: datetime.date) -> None:
        self.closed_on = on
