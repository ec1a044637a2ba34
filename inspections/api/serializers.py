"""How each record looks to an API client (read-only), and the request body of each action.

Records are written only through the actions' services: every serializer here is read-only,
and each action's body serializer is made from the same Django form the pages use.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import (
    Batch,
    Finding,
    Grade,
    Inspection,
    Lead,
    RectificationItem,
    Round,
    Route,
    Team,
    TeamMember,
    Unit,
)
from workflows.models import AuditEntry, Colour, Deadline
from workflows.steps import Step

# Kinds of record the API serves, by the route name of their collection.
ROUTE_OF_MODEL: dict[type, str] = {
    Round: "round",
    Batch: "batch",
    Unit: "unit",
    Team: "team",
    Inspection: "inspection",
    Finding: "finding",
    Lead: "lead",
    RectificationItem: "rectification-item",
    Deadline: "deadline",
    AuditEntry: "audit-entry",
}


def absolute(request: Any, route: str, pk: Any) -> str:
    """The absolute address of route `route` for the record `pk`."""
    return request.build_absolute_uri(reverse(f"api:{route}", args=[pk]))


class StatefulSerializer(serializers.ModelSerializer):
    """A record with a state machine: its state (and label), version and links."""

    url = serializers.SerializerMethodField()
    transitions_url = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Any) -> str:
        return absolute(self.context["request"], f"{ROUTE_OF_MODEL[type(obj)]}-detail", obj.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_transitions_url(self, obj: Any) -> str:
        return absolute(self.context["request"], f"{ROUTE_OF_MODEL[type(obj)]}-transitions", obj.pk)


class PlainSerializer(serializers.ModelSerializer):
    """A record without a state machine: its link only."""

    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Any) -> str:
        return absolute(self.context["request"], f"{ROUTE_OF_MODEL[type(obj)]}-detail", obj.pk)


class RoundSerializer(StatefulSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    term = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "url",
            "transitions_url",
            "name",
            "term",
            "number",
            "title",
            "state",
            "state_label",
            "version",
            "approved_on",
            "mobilized_on",
            "concluded_on",
            "archived_on",
        ]
        read_only_fields = fields


class BatchSerializer(PlainSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Batch
        fields = ["id", "url", "name", "round", "number"]
        read_only_fields = fields


class UnitSerializer(PlainSerializer):
    aliases = serializers.SlugRelatedField(many=True, slug_field="name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "url", "name", "aliases", "party_organisation_kind", "category"]
        read_only_fields = fields


class TeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["user", "name", "role"]
        read_only_fields = fields


class TeamSerializer(StatefulSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    members = TeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "url",
            "transitions_url",
            "name",
            "round",
            "number",
            "state",
            "state_label",
            "version",
            "authorized_on",
            "stood_down_on",
            "members",
        ]
        read_only_fields = fields


# The unit's liaison reads an inspection in the reduced view: the team's on-site work and
# the leadership's handling of the report are not theirs to see.
INSPECTION_FULL_ONLY = [
    "reported_on",
    "heard_on",
    "grade",
    "talks",
    "letters_calls_visits",
    "documents_reviewed",
    "questionnaires",
]


class InspectionSerializer(StatefulSerializer):
    """An inspection; fields in INSPECTION_FULL_ONLY are null in the reduced view."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # Blank until the office grades the rectification.
    grade = serializers.ChoiceField(
        choices=Grade.choices, allow_blank=True, allow_null=True, read_only=True
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "url",
            "transitions_url",
            "round",
            "batch",
            "unit",
            "unit_name",
            "team",
            "kind",
            "state",
            "state_label",
            "version",
            "notified_on",
            "planned_stationing_on",
            "stationed_on",
            "withdrawn_on",
            "reported_on",
            "heard_on",
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
            "cancelled_reason",
            "returned_reason",
            "talks",
            "letters_calls_visits",
            "documents_reviewed",
            "questionnaires",
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in INSPECTION_FULL_ONLY}

    def to_representation(self, instance: Inspection) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not user.has_perm("inspections.view_inspection_in_full", instance):
            data.update(dict.fromkeys(INSPECTION_FULL_ONLY))
            # Only the reason the unit's own plan or report came back, never the team's.
            data["returned_reason"] = instance.returned_reason_for_the_unit
        return data


class FindingSerializer(PlainSerializer):
    class Meta:
        model = Finding
        fields = ["id", "url", "inspection", "number", "category", "title", "description"]
        read_only_fields = fields


class LeadSerializer(StatefulSerializer):
    unit_name = serializers.CharField(source="inspection.unit.name", read_only=True)
    # Blank until the leading group decides.
    route = serializers.ChoiceField(choices=Route.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "url",
            "transitions_url",
            "inspection",
            "unit_name",
            "number",
            "summary",
            "persons_named",
            "state",
            "state_label",
            "version",
            "route",
            "receiving_organ",
            "decided_on",
            "handed_over_on",
            "reported_back_on",
            "outcome",
            "closed_on",
        ]
        read_only_fields = fields


class RectificationItemSerializer(StatefulSerializer):
    colour = serializers.SerializerMethodField(
        help_text="green, yellow or red: the colour of the item's live deadline (null: none)."
    )

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "url",
            "transitions_url",
            "inspection",
            "finding",
            "number",
            "problem",
            "measure",
            "responsible_person",
            "due_on",
            "is_immediate",
            "state",
            "state_label",
            "version",
            "colour",
            "progress",
            "evidence",
            "returned_reason",
            "submitted_on",
            "verified_on",
            "closed_on",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Colour.choices, allow_null=True))
    def get_colour(self, item: RectificationItem) -> str | None:
        # Annotated by selectors.api.with_colour on every queryset the views read.
        return getattr(item, "colour", None) or None


class SubjectMixin(serializers.Serializer):
    """The record a deadline or an audit entry is about, as type, id and link."""

    subject_type = serializers.CharField(source="content_type.model", read_only=True)
    subject_id = serializers.IntegerField(source="object_id", read_only=True)
    subject_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_subject_url(self, obj: Any) -> str | None:
        model = obj.content_type.model_class()
        route = ROUTE_OF_MODEL.get(model)
        if route is None:
            return None
        return absolute(self.context["request"], f"{route}-detail", obj.object_id)


class DeadlineSerializer(SubjectMixin, PlainSerializer):
    class Meta:
        model = Deadline
        fields = [
            "id",
            "url",
            "subject_type",
            "subject_id",
            "subject_url",
            "kind",
            "responsible",
            "responsible_name",
            "starts_on",
            "due_on",
            "due_at",
            "status",
            "colour",
            "extensions",
            "extension_reason",
            "closed_at",
        ]
        read_only_fields = fields


class AuditEntrySerializer(SubjectMixin, PlainSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "url",
            "subject_type",
            "subject_id",
            "subject_url",
            "at",
            "actor",
            "actor_name",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
        ]
        read_only_fields = fields

    def get_actor_name(self, entry: AuditEntry) -> str:
        return str(entry.actor) if entry.actor else ""


# What an action needs --------------------------------------------------------------------------


class FieldSpecSerializer(serializers.Serializer):
    """One field of an action's form, as `inspections.actions.field_specs` describes it."""

    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["date", "integer", "id", "choice", "string"])
    required = serializers.BooleanField()
    label = serializers.CharField()
    max_length = serializers.IntegerField(required=False)
    help_text = serializers.CharField(required=False)
    choices = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="The values allowed: for an `id`, the rows this record allows (value, label).",
    )


class ActionSerializer(serializers.Serializer):
    """An action the user may take now, where to post it, and the fields its body takes."""

    name = serializers.CharField()
    label = serializers.CharField()
    is_transition = serializers.BooleanField()
    target = serializers.CharField(help_text="The state it leads to; empty for a write.")
    url = serializers.URLField()
    fields = FieldSpecSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField(
        help_text="Stable: invalid, malformed, not_authenticated, authentication_failed, "
        "permission_denied, not_found, wrong_state, condition_failed, stale, …"
    )
    detail = serializers.CharField(help_text="For people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The messages of each bad input field.",
    )
    details = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Every reason, one a line, when there are several (a failed condition).",
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class StrictCharField(serializers.CharField):
    """Text, and only text: a number or a list where text belongs is refused, not converted."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON number that is whole: "4" (text) and true (a boolean) are refused, not converted."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


def _body_field(field: forms.Field) -> serializers.Field:
    """The JSON field matching one form field; the form still validates it again in `take`."""
    common: dict[str, Any] = {
        "required": field.required,
        # Lazy, so the schema reads in the language of its request.
        "label": field.label,
        "help_text": field.help_text or None,
    }
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.IntegerField):
        return StrictIntegerField(min_value=field.min_value, max_value=field.max_value, **common)
    if isinstance(field, forms.ModelChoiceField):
        return StrictIntegerField(
            allow_null=not field.required, min_value=1, max_value=2**63 - 1, **common
        )
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(field.choices), **common)
    return StrictCharField(
        max_length=field.max_length, allow_blank=not field.required, trim_whitespace=True, **common
    )


# The request body of one step, built from the step's form when its fields are first read:
# each form field as its JSON field, and the `version` of the record the client saw. (A comment,
# not a docstring: drf-spectacular would copy a docstring into the schema of every body.)
class ActionBodySerializer(serializers.Serializer):
    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        self.step = step
        super().__init__(*args, **kwargs)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = {name: _body_field(field) for name, field in self.step.form.base_fields.items()}
        fields["version"] = StrictIntegerField(
            min_value=1,
            max_value=2**31 - 1,
            help_text="The record's version as the client last read it (or send If-Match).",
        )
        return fields

    @property
    def component_name(self) -> str:
        """The name of this body in the schema, e.g. `InspectionNotifyRequest`."""
        return f"{self.step.model.__name__}{self.step.name.title().replace('_', '')}Request"
