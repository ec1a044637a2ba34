"""The engine's admin: the read-only audit trail, and admin actions that take transitions through services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflows.errors import ApplicationError
from workflows.models import AuditEntry, WorkingDayOverride
from workflows.transitions import transition_label, transitions_of

# The label is read when the page is drawn, in the reader's language, not at import.
lazy_transition_label = lazy(transition_label, str)


@dataclass(frozen=True)
class ServiceCall:
    """How an admin action takes one transition: the service, and the keyword it takes the object by.

    The action passes only the object and `actor`; the service's other arguments keep their
    defaults (the event's date is today).
    """

    service: Callable[..., Any]
    subject: str


def transition_actions(
    model: type[models.Model], calls: Mapping[str, ServiceCall]
) -> list[Callable[..., None]]:
    """One admin action per transition name, each running the transition's service per object."""
    return [_transition_action(model, name, call) for name, call in calls.items()]


def _transition_action(model: type[models.Model], name: str, call: ServiceCall):
    transitions_of(model, name)  # a misspelt name fails at start-up, not on the first click

    def take_transition(modeladmin, request, queryset) -> None:
        done = 0
        # Each service owns its transaction, so one refusal leaves the others' work in place.
        for obj in queryset:
            try:
                call.service(**{call.subject: obj, "actor": request.user})
            except ApplicationError as error:
                modeladmin.message_user(request, f"{obj}: {error}", level=messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                gettext("“%(action)s” done for %(count)d %(objects)s.")
                % {
                    "action": transition_label(model, name),
                    "count": done,
                    "objects": model_ngettext(modeladmin.opts, done),
                },
                level=messages.SUCCESS,
            )

    take_transition.__name__ = name
    take_transition.__qualname__ = f"{model.__name__}.{name}"
    return admin.action(description=lazy_transition_label(model, name))(take_transition)


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
