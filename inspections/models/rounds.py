"""Terms, rounds and batches (届, 轮, 批), and the Round state machine."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inspections.states import RoundState
from workflows.models import StatefulModel

CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """12 → 十二, 6 → 六, 23 → 二十三: how terms, rounds and teams are numbered in titles."""
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return (
            (CHINESE_DIGITS[tens] if tens > 1 else "")
            + "十"
            + (CHINESE_DIGITS[ones] if ones else "")
        )
    return str(number)


class Term(models.Model):
    """A committee's term (届); coverage means every unit inspected at least once per term."""

    body = models.CharField(_("committee"), max_length=50, help_text=_("e.g. 市委"))
    number = models.PositiveSmallIntegerField(_("term"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["body", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="unique_term_per_body")
        ]

    def __str__(self) -> str:
        return f"{chinese_numeral(self.number)}届{self.body}"


class Round(StatefulModel):
    """One round of inspections within a term (第六轮巡视)."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    state = FSMField(
        _("state"), default=RoundState.DRAFT, choices=RoundState.choices, protected=True
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    mobilized_on = models.DateField(_("mobilisation meeting"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-term__number", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="unique_round_per_term")
        ]

    def __str__(self) -> str:
        return self.title or f"{self.term}第{chinese_numeral(self.number)}轮巡视"

    @transition(field=state, source=RoundState.DRAFT, target=RoundState.APPROVED)
    def approve(self, *, on: datetime.date) -> None:
        self.approved_on = on

    @transition(field=state, source=RoundState.APPROVED, target=RoundState.MOBILIZED)
    def mobilize(self, *, on: datetime.date) -> None:
        self.mobilized_on = on

    @transition(field=state, source=RoundState.MOBILIZED, target=RoundState.CONCLUDED)
    def conclude(self, *, on: datetime.date) -> None:
        self.concluded_on = on

    @transition(field=state, source=RoundState.CONCLUDED, target=RoundState.ARCHIVED)
    def archive(self, *, on: datetime.date) -> None:
        self.archived_on = on

    @transition(
        field=state,
        source=[RoundState.DRAFT, RoundState.APPROVED],
        target=RoundState.CANCELLED,
    )
    def cancel(self) -> None:
        pass


class Batch(models.Model):
    """Inspections of a round that are stationed together (第一批)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveSmallIntegerField(_("batch"))

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="unique_batch_per_round")
        ]

    def __str__(self) -> str:
        return f"第{chinese_numeral(self.number)}批"
