"""The machine's models: a case its owner files with tasks, a desk answers and clerks close."""

import datetime

from django.db import models
from django_fsm import FSMField, transition

from workflows.models import StatefulModel


class CaseState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FILED = "filed", "Filed"
    ANSWERED = "answered", "Answered"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TaskState(models.TextChoices):
    OPEN = "open", "Open"
    LONG_RUNNING = "long_running", "Long-running"
    DONE = "done", "Done"


class Case(StatefulModel):
    """Filed by its owner, answered by its desk, accepted (or sent back) and closed by a clerk."""

    title = models.CharField(max_length=200, blank=True)
    # A username, not a foreign key: this app has no migrations, and an unmigrated app cannot
    # point at a migrated table (PostgreSQL would refuse the constraint before the table exists).
    owner = models.CharField(max_length=150)
    # The party that must answer, named on the deadlines it is responsible for.
    desk = models.CharField(max_length=100, default="答复处")
    # An urgent case must be answered by another policy (the step picks it from the row).
    urgent = models.BooleanField(default=False)
    state = FSMField(default=CaseState.DRAFT, choices=CaseState.choices, protected=True)
    filed_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "case"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or f"case #{self.pk}"

    @transition(field=state, source=CaseState.DRAFT, target=CaseState.FILED)
    def file(self, *, on: datetime.date) -> None:
        self.filed_on = on

    @transition(field=state, source=CaseState.FILED, target=CaseState.ANSWERED)
    def answer(self, *, on: datetime.date) -> None:
        self.answered_on = on

    @transition(field=state, source=CaseState.ANSWERED, target=CaseState.FILED)
    def send_back(self, *, reason: str) -> None:
        self.reason = reason

    @transition(field=state, source=CaseState.ANSWERED, target=CaseState.ACCEPTED)
    def accept(self, *, on: datetime.date) -> None:
        self.accepted_on = on

    @transition(field=state, source=CaseState.ACCEPTED, target=CaseState.CLOSED)
    def close(self, *, on: datetime.date) -> None:
        self.closed_on = on

    @transition(
        field=state, source=[CaseState.FILED, CaseState.ANSWERED], target=CaseState.WITHDRAWN
    )
    def withdraw(self, *, reason: str) -> None:
        self.reason = reason


class Task(StatefulModel):
    """One thing a case asks for, numbered within it; accepting the case makes each due."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    state = FSMField(default=TaskState.OPEN, choices=TaskState.choices, protected=True)
    finished_on = models.DateField(null=True, blank=True)
    progress = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "task"
        ordering = ["case", "number"]
        # Two tasks sharing a number would fail here, not pass unseen.
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="one_task_number")]

    def __str__(self) -> str:
        return f"{self.case} · {self.number}"

    @transition(field=state, source=[TaskState.OPEN, TaskState.LONG_RUNNING], target=TaskState.DONE)
    def finish(self, *, on: datetime.date) -> None:
        self.finished_on = on

    @transition(field=state, source=TaskState.DONE, target=TaskState.OPEN)
    def reopen(self, *, reason: str) -> None:
        self.reason = reason

    @transition(field=state, source=TaskState.OPEN, target=TaskState.LONG_RUNNING)
    def prolong(self, *, reason: str) -> None:
        self.reason = reason
