"""Engine models: the stateful base every machine uses, and the append-only audit trail."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin


class StatefulModel(ConcurrentTransitionMixin, models.Model):
    """A model with a state machine and a version the services use for optimistic locking."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")

    def for_subject(self, subject: models.Model) -> "AuditEntryQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


class AuditEntry(models.Model):
    """One thing someone did to a subject: who, when, from which state to which, and why."""

    # No index of its own: the (content_type, object_id, at) index below leads with it, and
    # every transition writes a row here, so each index is paid for on every step.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")


class WorkingDayOverride(models.Model):
    """A date the office declares a working day or a day off, for what is published after
    the `holidays` package was released (State Council notices, local arrangements)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_working_day else '-'}"


class DurationUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")


def default_reminder_days() -> list[int]:
    return [20]


def default_yellow_audiences() -> list[str]:
    return ["responsible", "supervisor"]


def default_red_audiences() -> list[str]:
    return ["responsible", "party_head", "office"]


class DeadlinePolicy(models.Model):
    """How long an obligation runs and who is told when: editable by the office."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    duration = models.PositiveIntegerField(
        _("duration"),
        null=True,
        blank=True,
        help_text=_("Empty when the due date is set case by case (items: the approved plan)."),
    )
    unit = models.CharField(
        _("unit"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.CALENDAR_DAYS
    )
    reminder_days = models.JSONField(
        _("reminders (days before due)"),
        default=default_reminder_days,
        blank=True,
        help_text=_("Green reminders to the responsible party, e.g. [20]."),
    )
    yellow_days = models.PositiveIntegerField(_("yellow from (days before due)"), default=10)
    yellow_audiences = models.JSONField(_("told at yellow"), default=default_yellow_audiences)
    red_audiences = models.JSONField(_("told at red"), default=default_red_audiences)
    overdue_first_interval_days = models.PositiveIntegerField(
        _("first overdue reminder after (days)"), default=1
    )
    overdue_max_interval_days = models.PositiveIntegerField(
        _("longest gap between overdue reminders (days)"), default=32
    )
    repeats_every_months = models.PositiveIntegerField(
        _("repeats every (months)"),
        null=True,
        blank=True,
        help_text=_("For recurring obligations, such as long-term progress reports."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


# The sweep looks at these; a met or cancelled deadline needs nothing more.
LIVE_STATUSES = (DeadlineStatus.OPEN, DeadlineStatus.MISSED)


class Colour(models.TextChoices):
    """The three-colour warning (三色预警)."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow (due soon)")
    RED = "red", _("Red (overdue)")


class Deadline(models.Model):
    """One obligation with a due date, owned by whoever must meet it."""

    # Led by the deadline_subject index below; an index of its own would only cost writes.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=64)
    # No index: a dozen policies over a million rows makes a useless one, and the sweep
    # writes every due row (deleting a policy, which PROTECT checks, is rare).
    policy = models.ForeignKey(
        DeadlinePolicy,
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("policy"),
        db_index=False,
    )
    responsible = models.CharField(
        _("responsible party"),
        max_length=32,
        help_text=_("unit, team, receiving_organ or office"),
    )
    responsible_name = models.CharField(_("responsible"), max_length=200, blank=True)
    starts_on = models.DateField(_("runs from"))
    due_on = models.DateField(_("due on"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    colour = models.CharField(
        _("colour"), max_length=8, choices=Colour.choices, default=Colour.GREEN
    )
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    overdue_reminders = models.PositiveSmallIntegerField(_("overdue reminders sent"), default=0)
    # Work sent back reopens its deadline; its reminders are new letters, not repeats.
    reopens = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("times extended"), default=0)
    extension_reason = models.TextField(_("reason for the last extension"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        indexes = [
            # The sweep's only question: which live rows need action now. Partial, so its
            # size follows the live rows, and the sweep's cost the rows due.
            models.Index(
                fields=["next_action_at"],
                name="deadline_due_action",
                condition=models.Q(status__in=["open", "missed"]),
            ),
            models.Index(fields=["content_type", "object_id", "kind"], name="deadline_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=models.Q(status__in=["open", "missed"]),
                name="one_live_deadline_per_subject_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on} ({self.get_status_display()})"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One e-mail to one recipient, written in the transaction that decided to send it.

    The unique key makes writing it twice harmless; the delivery task sends it at least
    once, with a Message-ID derived from the key so a resend is recognisably the same.
    """

    key = models.CharField(_("key"), max_length=255, unique=True)
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    template = models.CharField(_("template"), max_length=100)
    recipient_email = models.EmailField(_("recipient"))
    recipient_name = models.CharField(_("recipient's name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    context = models.JSONField(_("context"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["enqueued_at"],
                name="outbox_pending",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_email} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """Stable for the key: a resend after a crash carries the same Message-ID."""

        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        return f"<{digest}@xunshi.outbox>"
