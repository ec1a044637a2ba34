"""The engine's admin: the read-only audit trail, and admin actions that take steps through their services."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflows.errors import ApplicationError
from workflows.models import AuditEntry, Deadline, DeadlinePolicy, OutboxMessage, WorkingDayOverride
from workflows.policies import EDITABLE, policy_is_date_set, policy_update, validate_policy
from workflows.steps import Step


def step_actions(steps: Iterable[Step]) -> list[Callable[..., None]]:
    """One admin action per step the entries offer to the admin (`admin=True`), each running
    the step's service per selected object with its defaults (the event's date is today)."""
    return [_step_action(step) for step in steps if step.admin]


def _step_action(step: Step):
    def take_step(modeladmin, request, queryset) -> None:
        done = 0
        # Each service owns its transaction, so one refusal leaves the others' work in place.
        for obj in queryset:
            try:
                step.service(**{step.subject: obj, "actor": request.user})
            except ApplicationError as error:
                modeladmin.message_user(request, f"{obj}: {error}", level=messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                gettext("“%(action)s” done for %(count)d %(objects)s.")
                % {
                    "action": step.label,
                    "count": done,
                    "objects": model_ngettext(modeladmin.opts, done),
                },
                level=messages.SUCCESS,
            )

    take_step.__name__ = step.name
    take_step.__qualname__ = f"{step.model.__name__}.{step.name}"
    # The label is lazy: read when the page is drawn, in the reader's language.
    return admin.action(description=step.label)(take_step)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is append-only: everyone, superusers included, may only read it."""

    list_display = ("at", "actor", "content_type", "object_id", "action", "from_state", "to_state")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    fields = (
        "at",
        "actor",
        "content_type",
        "object_id",
        "subject_link",
        "action",
        "from_state",
        "to_state",
        "note",
        "data",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        # An entry tells about its subject: only those who may see the subject may read it.
        return obj is None or request.user.has_perm(
            f"{obj.content_type.app_label}.view_{obj.content_type.model}", obj.subject
        )

    @admin.display(description=_("subject"))
    def subject_link(self, entry: AuditEntry) -> str:
        subject = entry.subject
        if subject is None:
            return str(entry.object_id)
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                args=[entry.object_id],
            )
        except NoReverseMatch:
            return str(subject)
        return format_html('<a href="{}">{}</a>', url, subject)


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    """The office declares the working days and days off published after the `holidays` release."""

    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    ordering = ("-date",)

    # The office's right comes from the rules, which Django's model permissions do not know of.
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("workflows.view_workingdayoverride") or (
            self.has_change_permission(request, obj)
        )

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("workflows.add_workingdayoverride")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("workflows.change_workingdayoverride")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("workflows.delete_workingdayoverride")

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or any(self.get_model_perms(request).values())


# Deadline policies, deadlines and the outbox -------------------------------------------------


class DeadlinePolicyForm(forms.ModelForm):
    """The policy form checks what the service checks (validate_policy), field by field."""

    class Meta:
        model = DeadlinePolicy
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty list is a value here ([] for nobody at yellow), and validate_policy says
        # which lists may be empty; Django's "required" would refuse [] before it is asked.
        for name in ("yellow_audiences", "red_audiences"):
            if name in self.fields:  # absent from the form of someone who may only read
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        # Fields that failed their own checks are absent, so they are not judged twice. The
        # instance still holds the stored values here (the form copies its values after clean).
        values = {name: cleaned[name] for name in EDITABLE if name in cleaned}
        for field, problems in validate_policy(
            values, date_set=policy_is_date_set(self.instance)
        ).items():
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)
        return cleaned


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """The office edits how long obligations run and who is told; the service writes the audit row."""

    form = DeadlinePolicyForm
    list_display = (
        "key",
        "name",
        "duration",
        "unit",
        "reminder_days",
        "yellow_days",
        "overdue_first_interval_days",
        "overdue_max_interval_days",
    )
    list_filter = ("unit",)
    search_fields = ("key", "name")
    fields = ("key", *EDITABLE)
    readonly_fields = ("key",)
    ordering = ("key",)

    def save_model(self, request, obj, form, change) -> None:
        # The form has already copied its values onto `obj`; the service re-reads the row
        # under lock, checks the permission and the values again, saves and audits.
        policy_update(
            policy=obj,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE},
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("workflows.view_deadlinepolicy") or (
            self.has_change_permission(request, obj)
        )

    # Policies are not added or deleted here, whatever the rules allow: the domain's deadline
    # table (inspections/deadlines.py) names them by key, so a new one would never be used
    # and a deleted one would break the step that opens it. The data migration creates them.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("workflows.change_deadlinepolicy")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or any(self.get_model_perms(request).values())


def _subject_link(subject, content_type: ContentType, object_id: int) -> str:
    if subject is None:
        return f"{content_type.model} #{object_id}"
    try:
        url = reverse(
            f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id]
        )
    except NoReverseMatch:
        return str(subject)
    return format_html('<a href="{}">{}</a>', url, subject)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the engine writes: the office reads them, nobody edits them by hand."""

    view_permission = ""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self.view_permission)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or any(self.get_model_perms(request).values())


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Every obligation and where it stands.

    There is deliberately no "extend" action: an extension needs a new date and a reason for
    each deadline (workflows.deadlines.deadline_extend records both in the audit trail), and a
    bulk action can ask for neither. Opening, meeting and cancelling follow the subject's steps.
    """

    view_permission = "workflows.view_deadline"
    list_display = (
        "subject_display",
        "kind",
        "responsible_name",
        "due_on",
        "status",
        "colour",
        "next_action_at",
    )
    list_filter = ("status", "colour", "kind")
    list_select_related = ("content_type", "policy")
    date_hierarchy = "due_on"
    ordering = ("due_at", "pk")
    fields = (
        "subject_display",
        "kind",
        "policy",
        "responsible",
        "responsible_name",
        "starts_on",
        "due_on",
        "due_at",
        "status",
        "colour",
        "next_action_at",
        "overdue_reminders",
        "extensions",
        "extension_reason",
        "closed_at",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The subjects come in one query per kind of subject, each with the rows its name is
        # made of (an inspection's round and unit), instead of several queries per line.
        type_ids = Deadline.objects.order_by().values_list("content_type", flat=True).distinct()
        subject_querysets = [
            content_type.model_class()._default_manager.select_related()
            for content_type in map(ContentType.objects.get_for_id, type_ids)
            if content_type.model_class() is not None
        ]
        queryset = super().get_queryset(request).select_related("content_type", "policy")
        if not subject_querysets:
            return queryset
        return queryset.prefetch_related(GenericPrefetch("subject", subject_querysets))

    @admin.display(description=_("subject"))
    def subject_display(self, deadline: Deadline) -> str:
        return _subject_link(deadline.subject, deadline.content_type, deadline.object_id)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """The e-mails the system decided to send, and whether they went."""

    view_permission = "workflows.view_outboxmessage"
    list_display = (
        "key",
        "template",
        "recipient_email",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    )
    list_filter = ("status", "template")
    search_fields = ("key", "recipient_email")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = (
        "key",
        "deadline",
        "template",
        "recipient_email",
        "recipient_name",
        "language",
        "context",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "enqueued_at",
        "sent_at",
    )
    readonly_fields = fields
