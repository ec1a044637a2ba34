"""The back office: reference data, and the machines' transitions as admin actions through the services.

Nobody edits a state by hand here: `state` and `version` are read-only on every form, and a
transition is an action that calls its service, which locks, checks, audits and opens the
deadlines exactly as the web pages do.
"""

from __future__ import annotations

import rules
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from inspections import models as m
from inspections.steps import STEPS
from inspections.web.views import exchange as exchange_views
from workflows.admin import step_actions
from workflows.audit import audit_record

# Permissions -----------------------------------------------------------------


class RulesPermissions:
    """Ask inspections/rules.py wherever it names the permission; Django's model permissions elsewhere.

    Superusers pass every check, as `User.has_perm` always lets them.
    """

    def _rule(self, request, action: str, obj) -> bool | None:
        name = f"{self.opts.app_label}.{action}_{self.opts.model_name}"
        return request.user.has_perm(name, obj) if rules.perm_exists(name) else None

    def has_view_permission(self, request, obj=None) -> bool:
        allowed = self._rule(request, "view", obj)
        if allowed is None:
            return super().has_view_permission(request, obj)
        return allowed or self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        allowed = self._rule(request, "add", None)
        return super().has_add_permission(request) if allowed is None else allowed

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = self._rule(request, "change", obj)
        return super().has_change_permission(request, obj) if allowed is None else allowed

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = self._rule(request, "delete", obj)
        return super().has_delete_permission(request, obj) if allowed is None else allowed

    def has_module_permission(self, request) -> bool:
        # The rules grant some people access that Django's model permissions do not know of.
        return super().has_module_permission(request) or any(self.get_model_perms(request).values())


class PartInline(admin.TabularInline):
    """Rows that belong to their parent (batches, aliases, seats, desks).

    They are editable only where the parent is (the admin saves both in one form), and then
    only for those the part's own rule lets, where inspections/rules.py names one.
    """

    extra = 0

    def _allowed(self, request, action: str, parent) -> bool:
        parent_admin = self.admin_site._registry[self.parent_model]
        if action == "view":
            allowed = parent_admin.has_view_permission(request, parent)
        else:
            allowed = parent_admin.has_change_permission(request, parent)
        name = f"{self.opts.app_label}.{action}_{self.opts.model_name}"
        if allowed and rules.perm_exists(name):
            # These rules speak of the person (office, leading group), not of one row.
            allowed = request.user.has_perm(name)
        return allowed

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "view", obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "add", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "delete", obj)


class StatefulAdmin(RulesPermissions, admin.ModelAdmin):
    """A state machine's admin: state and version are never typed in; transitions are actions."""

    readonly_fields: tuple[str, ...] = ("state", "version")
    # Fields that say what the row is (its round, its unit): fixed once it exists.
    identity_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.identity_fields) if obj is not None else fields

    def save_model(self, request, obj, form, change) -> None:
        if change and not form.has_changed():
            super().save_model(request, obj, form, change)
            return
        if change:
            # The services' optimistic lock: pages opened before this edit are now stale.
            obj.version += 1
        super().save_model(request, obj, form, change)
        # The admin wraps this in the request's transaction, as a service would.
        audit_record(
            subject=obj,
            actor=request.user,
            action="admin_change" if change else "admin_add",
            from_state=obj.state if change else "",
            to_state=obj.state,
            data={"fields": list(form.changed_data)},
        )


# Batches and teams are numbered within their round ("第一批", "第一巡视组"): name the round too.


def _in_round(obj) -> str:
    return f"{obj.round} · {obj}"


class InRoundFilter(admin.RelatedFieldListFilter):
    """A filter on batches or teams whose choices say which round each belongs to."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model.objects.select_related("round__term")
        return [(obj.pk, _in_round(obj)) for obj in related]


# Reference data ----------------------------------------------------------------


@admin.register(m.Term)
class TermAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("__str__", "body", "number")
    list_filter = ("body",)
    search_fields = ("body",)


class BatchInline(PartInline):
    model = m.Batch


@admin.register(m.Round)
class RoundAdmin(StatefulAdmin):
    list_display = (
        "__str__",
        "term",
        "number",
        "state",
        "approved_on",
        "mobilized_on",
        "concluded_on",
        "archived_on",
    )
    list_filter = ("state", "term")
    search_fields = ("title", "term__body")
    list_select_related = ("term",)
    inlines = (BatchInline,)
    actions = step_actions(STEPS[m.Round])


class TeamMemberInline(PartInline):
    model = m.TeamMember
    autocomplete_fields = ("user",)

    def has_add_permission(self, request, obj=None) -> bool:
        return _membership_is_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _membership_is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _membership_is_open(obj) and super().has_delete_permission(request, obj)


def _membership_is_open(team: m.Team | None) -> bool:
    """The authorisation vouches for exactly these people (一次一授权): afterwards they are fixed."""
    return team is None or team.state == m.TeamState.PROPOSED


@admin.register(m.Team)
class TeamAdmin(StatefulAdmin):
    list_display = ("__str__", "round", "state", "authorized_on", "stood_down_on")
    list_filter = ("state", "round")
    search_fields = ("round__title", "members__user__display_name", "members__user__username")
    list_select_related = ("round__term",)
    identity_fields = ("round",)
    inlines = (TeamMemberInline,)
    actions = step_actions(STEPS[m.Team])


class UnitAliasInline(PartInline):
    model = m.UnitAlias


class UnitLiaisonInline(PartInline):
    model = m.UnitLiaison
    autocomplete_fields = ("user",)


@admin.register(m.Unit)
class UnitAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("name", "alias_names", "party_organisation_kind", "category", "email")
    list_filter = ("party_organisation_kind", "category")
    search_fields = ("name", "aliases__name")
    inlines = (UnitAliasInline, UnitLiaisonInline)

    # The import page: the button on the list, and its routes below.
    change_list_template = "exchange/admin/unit_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_names(self, unit: m.Unit) -> str:
        return "、".join(alias.name for alias in unit.aliases.all())

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_import": request.user.has_perm("inspections.import_units"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        def page(view):
            return self.admin_site.admin_view(lambda request, **kw: view(request, self, **kw))

        return [
            path("import/", page(exchange_views.units_import_page), name="inspections_unit_import"),
            path(
                "import/template.xlsx",
                page(exchange_views.units_import_template),
                name="inspections_unit_import_template",
            ),
            path(
                "import/template-<str:kind>.csv",
                page(exchange_views.units_import_template),
                name="inspections_unit_import_template_csv",
            ),
            *super().get_urls(),
        ]


@admin.register(m.Affiliation)
class AffiliationAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("user", "unit", "kind", "detail")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__display_name", "unit__name", "unit__aliases__name")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")


@admin.register(m.LeadingGroupMember)
class LeadingGroupMemberAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("user", "position")
    list_filter = ("position",)
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


@admin.register(m.OfficeMember)
class OfficeMemberAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("user", "title")
    search_fields = ("user__username", "user__display_name", "title")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


class ReceivingOrganDeskInline(PartInline):
    model = m.ReceivingOrganDesk
    autocomplete_fields = ("user",)


@admin.register(m.ReceivingOrgan)
class ReceivingOrganAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("name", "route", "email")
    list_filter = ("route",)
    search_fields = ("name",)
    inlines = (ReceivingOrganDeskInline,)


@admin.register(m.User)
class UserAdmin(RulesPermissions, DjangoUserAdmin):
    """Users, with the product's fields. Only a superuser hands out or touches superuser powers."""

    fieldsets = (
        DjangoUserAdmin.fieldsets[0],
        (
            DjangoUserAdmin.fieldsets[1][0],  # "Personal info"
            {
                "fields": (
                    "display_name",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "language",
                )
            },
        ),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            DjangoUserAdmin.fieldsets[1][0],
            {"classes": ("wide",), "fields": ("display_name", "email", "phone", "language")},
        ),
    )
    list_display = ("username", "display_name", "email", "phone", "is_staff", "is_active")
    list_filter = (*DjangoUserAdmin.list_filter, "language")
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "phone")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        # Rights come from the memberships and the rules, not from these boxes.
        return (*fields, "is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None) -> bool:
        # Changing a superuser (their password above all) would make one of anyone who may.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


# The case: inspections, findings, leads, rectification items ------------------------------


@admin.register(m.Inspection)
class InspectionAdmin(StatefulAdmin):
    list_display = ("unit", "round", "batch", "team", "kind", "state", "grade")
    list_filter = (
        "state",
        "kind",
        "round",
        ("batch", InRoundFilter),
        ("team", InRoundFilter),
        "grade",
    )
    search_fields = ("unit__name", "unit__aliases__name")
    list_select_related = ("round__term", "batch", "unit", "team")
    autocomplete_fields = ("unit",)
    identity_fields = ("round", "unit")
    actions = step_actions(STEPS[m.Inspection])
    fieldsets = (
        (None, {"fields": ("round", "batch", "unit", "team", "kind", "state", "version")}),
        (
            _("Inspection"),
            {
                "fields": (
                    "notified_on",
                    "stationed_on",
                    "withdrawn_on",
                    "reported_on",
                    "heard_on",
                    ("talks", "letters_calls_visits", "documents_reviewed", "questionnaires"),
                )
            },
        ),
        (
            _("Feedback and rectification"),
            {
                "fields": (
                    "feedback_on",
                    "consent_reference",
                    "plan_submitted_on",
                    "plan_signed_by",
                    "plan_signed_on",
                    "plan_approved_on",
                    "rectification_reported_on",
                    "rectification_report",
                    "principal_report",
                    "rectification_accepted_on",
                    "grade",
                    "disclosed_on",
                    "disclosure_reference",
                    "closed_on",
                )
            },
        ),
        (_("Returns and cancelling"), {"fields": ("returned_reason", "cancelled_reason")}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("batch", "team"):
            kwargs["queryset"] = db_field.related_model.objects.select_related("round__term")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("batch", "team"):
            field.label_from_instance = _in_round
        return field


@admin.register(m.Finding)
class FindingAdmin(RulesPermissions, admin.ModelAdmin):
    list_display = ("__str__", "inspection", "category", "recorded_by", "recorded_at")
    list_filter = ("category", "inspection__round")
    search_fields = ("title", "inspection__unit__name", "inspection__unit__aliases__name")
    list_select_related = ("inspection__round__term", "inspection__unit", "recorded_by")
    autocomplete_fields = ("inspection", "recorded_by")
    readonly_fields = ("recorded_at",)


@admin.register(m.Lead)
class LeadAdmin(StatefulAdmin):
    list_display = (
        "__str__",
        "inspection",
        "state",
        "route",
        "receiving_organ",
        "handed_over_on",
        "reported_back_on",
    )
    list_filter = ("state", "route", "receiving_organ", "inspection__round")
    search_fields = ("summary", "persons_named", "inspection__unit__name")
    list_select_related = ("inspection__round__term", "inspection__unit", "receiving_organ")
    autocomplete_fields = ("inspection", "registered_by")
    identity_fields = ("inspection",)
    actions = step_actions(STEPS[m.Lead])


@admin.register(m.RectificationItem)
class RectificationItemAdmin(StatefulAdmin):
    list_display = (
        "__str__",
        "inspection",
        "state",
        "due_on",
        "is_immediate",
        "responsible_person",
    )
    list_filter = (
        "state",
        "is_immediate",
        "inspection__round",
        ("inspection__team", InRoundFilter),
    )
    search_fields = (
        "problem",
        "responsible_person",
        "inspection__unit__name",
        "inspection__unit__aliases__name",
    )
    list_select_related = ("inspection__round__term", "inspection__unit")
    autocomplete_fields = ("inspection", "finding")
    identity_fields = ("inspection",)
    actions = step_actions(STEPS[m.RectificationItem])
