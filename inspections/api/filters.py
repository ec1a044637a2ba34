"""The query filters of each list (django-filter): state, colour, round, batch, team, unit, kind, dates.

Ids are filtered as plain numbers, never checked against the table: a check would answer
"invalid choice" for a row that does not exist and "no results" for one the user may not
see, which tells the two apart.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from inspections.models import (
    Batch,
    Finding,
    FindingCategory,
    Inspection,
    InspectionKind,
    InspectionState,
    ItemState,
    Lead,
    LeadState,
    RectificationItem,
    Round,
    RoundState,
    Route,
    Team,
    TeamState,
    Unit,
)
from workflows.models import AuditEntry, Colour, Deadline, DeadlineStatus

MAX_ID = 2**63 - 1


class StrictFilterSet(filters.FilterSet):
    """A filter given with no value is refused, not ignored: `?due_before=` is a mistake."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        empty = [
            name for name in self.filters if name in self.data and "" in self.data.getlist(name)
        ]
        for name in empty:
            self.form.add_error(name, _("Give a value, or leave the filter out."))
        return valid and not empty


class StrictBooleanFilter(filters.BooleanFilter):
    """true or false, nothing else (django-filter's own also takes "null" and "unknown")."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        # Not django-filter's BooleanWidget, which reads "null" as "no filter".
        kwargs["widget"] = forms.Select
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """A record id: a whole positive number."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class RoundFilter(StrictFilterSet):
    state = filters.MultipleChoiceFilter(choices=RoundState.choices)
    term = filters.NumberFilter(field_name="term__number", min_value=1, max_value=32767)

    class Meta:
        model = Round
        fields = ["state", "term"]


class BatchFilter(StrictFilterSet):
    round = IdFilter(field_name="round_id")

    class Meta:
        model = Batch
        fields = ["round"]


class UnitFilter(StrictFilterSet):
    name = filters.CharFilter(lookup_expr="icontains", max_length=200)
    round = IdFilter(field_name="inspections__round_id", distinct=True)

    class Meta:
        model = Unit
        fields = ["name", "round"]


class TeamFilter(StrictFilterSet):
    state = filters.MultipleChoiceFilter(choices=TeamState.choices)
    round = IdFilter(field_name="round_id")

    class Meta:
        model = Team
        fields = ["state", "round"]


class InspectionFilter(StrictFilterSet):
    state = filters.MultipleChoiceFilter(choices=InspectionState.choices)
    kind = filters.MultipleChoiceFilter(choices=InspectionKind.choices)
    round = IdFilter(field_name="round_id")
    batch = IdFilter(field_name="batch_id")
    team = IdFilter(field_name="team_id")
    unit = IdFilter(field_name="unit_id")

    class Meta:
        model = Inspection
        fields = ["state", "kind", "round", "batch", "team", "unit"]


class _OfInspection(StrictFilterSet):
    """Filters of records that belong to an inspection."""

    inspection = IdFilter(field_name="inspection_id")
    round = IdFilter(field_name="inspection__round_id")
    batch = IdFilter(field_name="inspection__batch_id")
    team = IdFilter(field_name="inspection__team_id")
    unit = IdFilter(field_name="inspection__unit_id")


class FindingFilter(_OfInspection):
    category = filters.MultipleChoiceFilter(choices=FindingCategory.choices)

    class Meta:
        model = Finding
        fields = ["inspection", "round", "batch", "team", "unit", "category"]


class LeadFilter(_OfInspection):
    state = filters.MultipleChoiceFilter(choices=LeadState.choices)
    route = filters.ChoiceFilter(choices=Route.choices)

    class Meta:
        model = Lead
        fields = ["state", "route", "inspection", "round", "batch", "team", "unit"]


COLOUR_CHOICES = [*Colour.choices, ("none", "no live deadline")]


class RectificationItemFilter(_OfInspection):
    state = filters.MultipleChoiceFilter(choices=ItemState.choices)
    colour = filters.ChoiceFilter(choices=COLOUR_CHOICES, method="filter_colour")
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")
    is_immediate = StrictBooleanFilter()

    class Meta:
        model = RectificationItem
        fields = ["state", "colour", "inspection", "round", "batch", "team", "unit"]

    def filter_colour(self, queryset, name, value):
        # `colour` is annotated by selectors.api.with_colour.
        if value == "none":
            return queryset.filter(colour__isnull=True)
        return queryset.filter(colour=value)


class DeadlineFilter(StrictFilterSet):
    state = filters.MultipleChoiceFilter(field_name="status", choices=DeadlineStatus.choices)
    colour = filters.MultipleChoiceFilter(choices=Colour.choices)
    kind = filters.CharFilter(max_length=64)
    responsible = filters.CharFilter(max_length=32)
    subject_type = filters.ChoiceFilter(
        field_name="content_type__model",
        choices=[
            ("inspection", "inspection"),
            ("rectificationitem", "rectification item"),
            ("lead", "lead"),
        ],
    )
    subject = IdFilter(field_name="object_id")
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Deadline
        fields = ["state", "colour", "kind", "responsible", "subject_type", "subject"]


class AuditEntryFilter(StrictFilterSet):
    subject_type = filters.CharFilter(field_name="content_type__model", max_length=100)
    subject = IdFilter(field_name="object_id")
    action = filters.CharFilter(max_length=64)
    actor = IdFilter(field_name="actor_id")
    after = filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    before = filters.IsoDateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["subject_type", "subject", "action", "actor", "after", "before"]
