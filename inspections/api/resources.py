"""The API's collections, one class each: which records a user sees, how, and their filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from inspections.api import filters, serializers
from inspections.api.actions import StatefulViewSet
from inspections.api.base import ApiMixin, ResourceViewSet
from inspections.models import (
    Batch,
    Finding,
    Inspection,
    Lead,
    RectificationItem,
    Round,
    Team,
    Unit,
)
from inspections.selectors import api as selectors
from inspections.selectors import visibility
from workflows.models import AuditEntry, Deadline


class RoundViewSet(StatefulViewSet):
    """Rounds (轮): leadership and office see all, team members their own rounds."""

    model = Round
    serializer_class = serializers.RoundSerializer
    filterset_class = filters.RoundFilter
    visible = staticmethod(visibility.rounds_visible_to)


class BatchViewSet(ResourceViewSet):
    """Batches (批) of the rounds the user may see."""

    model = Batch
    serializer_class = serializers.BatchSerializer
    filterset_class = filters.BatchFilter
    visible = staticmethod(visibility.batches_visible_to)


class UnitViewSet(ResourceViewSet):
    """Inspected units: all for leadership and office, else those of the user's inspections."""

    model = Unit
    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter

    @staticmethod
    def visible(user: Any) -> QuerySet:
        return visibility.units_visible_to(user).prefetch_related("aliases")


class TeamViewSet(StatefulViewSet):
    """Teams (巡视组): leadership and office, and each team's members."""

    model = Team
    serializer_class = serializers.TeamSerializer
    filterset_class = filters.TeamFilter

    @staticmethod
    def visible(user: Any) -> QuerySet:
        return visibility.teams_visible_to(user).prefetch_related("members__user")


class InspectionViewSet(StatefulViewSet):
    """Inspections: leadership, office and the team; the unit's liaison in a reduced view."""

    model = Inspection
    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilter
    visible = staticmethod(visibility.inspections_visible_to)


class FindingViewSet(ResourceViewSet):
    """Findings (问题): the team and oversight; the unit once feedback is given."""

    model = Finding
    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilter
    visible = staticmethod(visibility.findings_visible_to)


class LeadViewSet(StatefulViewSet):
    """Leads (问题线索): confidential; oversight, the team's leaders, the organ handed them."""

    model = Lead
    serializer_class = serializers.LeadSerializer
    filterset_class = filters.LeadFilter

    visible = staticmethod(visibility.leads_visible_to)


class RectificationItemViewSet(StatefulViewSet):
    """Rectification items (整改事项) with the colour of their live deadline."""

    model = RectificationItem
    serializer_class = serializers.RectificationItemSerializer
    filterset_class = filters.RectificationItemFilter

    @staticmethod
    def visible(user: Any) -> QuerySet:
        return selectors.with_colour(visibility.items_visible_to(user))


class DeadlineViewSet(ResourceViewSet):
    """Deadlines of the inspections, items and leads the user may see."""

    model = Deadline
    serializer_class = serializers.DeadlineSerializer
    filterset_class = filters.DeadlineFilter
    visible = staticmethod(visibility.deadlines_visible_to)


class AuditEntryViewSet(ResourceViewSet):
    """The audit trail (append-only, read-only) of the records the user may see in full."""

    model = AuditEntry
    serializer_class = serializers.AuditEntrySerializer
    filterset_class = filters.AuditEntryFilter
    visible = staticmethod(visibility.audit_entries_visible_to)


# Each collection by its address under /api/v1/.
VIEWSETS: dict[str, type[ResourceViewSet]] = {
    "rounds": RoundViewSet,
    "batches": BatchViewSet,
    "units": UnitViewSet,
    "teams": TeamViewSet,
    "inspections": InspectionViewSet,
    "findings": FindingViewSet,
    "leads": LeadViewSet,
    "rectification-items": RectificationItemViewSet,
    "deadlines": DeadlineViewSet,
    "audit": AuditEntryViewSet,
}

VIEWSET_OF_MODEL: dict[type[Model], type[ResourceViewSet]] = {
    viewset.model: viewset for viewset in VIEWSETS.values()
}


def route_of(collection: str) -> str:
    """The route name of the collection at `collection`, e.g. `rectification-item`."""
    return serializers.ROUTE_OF_MODEL[VIEWSETS[collection].model]


class RootView(ApiMixin, APIView):
    """The collections, the schema and the docs."""

    @extend_schema(exclude=True)
    def get(self, request):
        links = {name: reverse(f"api:{route_of(name)}-list", request=request) for name in VIEWSETS}
        for name in ("schema", "docs", "token"):
            links[name] = reverse(f"api:{name}", request=request)
        return Response(links)
