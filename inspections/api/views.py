"""The API's views: read what the selectors let a user see, and take actions through `take`.

Thin by design (STYLE.md): a view fetches through a visibility selector, asks the rules
through the actions catalogue, calls `inspections.actions.take`, and renders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action as view_action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from inspections.actions import action_named, actions_for, actions_of, field_specs, take
from inspections.api import filters, serializers
from inspections.api.errors import error_body
from inspections.api.schema import ApiAutoSchema
from inspections.selectors import api as selectors
from inspections.selectors import (
    inspections_visible_to,
    items_visible_to,
    leads_visible_to,
    rounds_visible_to,
)
from workflows.errors import InvalidInput, NotFound
from workflows.steps import Step

ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="Bad input (code: invalid)."),
    401: OpenApiResponse(serializers.ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(serializers.ErrorSerializer, description="Visible, but not allowed."),
    404: OpenApiResponse(serializers.ErrorSerializer, description="Absent, or not yours to see."),
    409: OpenApiResponse(
        serializers.ErrorSerializer,
        description="wrong_state, condition_failed (see details) or stale (reload, retry).",
    ),
}


class ApiMixin:
    """Every API view: token or session, signed in, and answers in the request's language.

    The pages ignore Accept-Language on purpose (inspections.middleware); a script has no
    language cookie, so here the cookie still wins and Accept-Language comes next.
    """

    schema = ApiAutoSchema()
    # Token first: its WWW-Authenticate header turns "not signed in" into a 401, not a 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        response["Vary"] = ", ".join(
            v for v in (response.get("Vary"), "Accept-Language, Cookie") if v
        )
        return response


class Pages(PageNumberPagination):
    """Numbered pages; a `page_size` that is not a whole number from 1 to 200 is refused."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        asked = request.query_params.getlist(self.page_size_query_param)
        if not asked:
            return self.page_size
        try:
            size = int(asked[-1])
        except ValueError:
            size = 0
        if len(asked) > 1 or not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give one whole number of records per page, from 1 to %(most)d.")
                        % {"most": self.max_page_size}
                    ]
                }
            )
        return size


class LimitedJSONParser(parsers.JSONParser):
    """JSON bodies only, no larger than DATA_UPLOAD_MAX_MEMORY_SIZE, with no NaN or Infinity.

    Django checks the size when DRF reads `request.body`; the parser checks it again so the
    limit holds however a later DRF reads the body (older ones streamed it past the check).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise exceptions.ParseError(_("The request body is too large."))
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from error


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


class ResourceViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """A collection and its records, limited to what the selector `visible` lets the user see."""

    visible: ClassVar[Callable[[Any], QuerySet]]
    pagination_class = Pages

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return self.model.objects.none()
        return type(self).visible(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response


class StatefulViewSet(ResourceViewSet):
    """A collection whose records have actions: adds `GET <id>/transitions/`."""

    model: ClassVar[type[Model]]

    @extend_schema(
        summary="What this user may do to the record now",
        responses={200: serializers.ActionSerializer(many=True), **ERRORS},
        filters=False,
    )
    @view_action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def transitions(self, request, pk=None):
        record = self.get_object()
        route = serializers.ROUTE_OF_MODEL[self.model]
        data = [
            {
                "name": action.name,
                "label": action.label,
                "is_transition": action.is_transition,
                "target": action.target,
                "url": serializers.absolute(request, f"{route}-{action.name}", record.pk),
                "fields": field_specs(action, record),
            }
            for action in actions_for(record, request.user)
            if is_offered(action)
        ]
        return Response(serializers.ActionSerializer(data, many=True).data)


def _viewset(
    name: str,
    model: type[Model],
    visible: Callable[[Any], QuerySet],
    serializer: type,
    filterset: type,
    base: type = ResourceViewSet,
    doc: str = "",
) -> type:
    attrs = {
        "visible": staticmethod(visible),
        "serializer_class": serializer,
        "filterset_class": filterset,
        "model": model,
        "__doc__": doc,
        "__module__": __name__,
    }
    return type(name, (base,), attrs)


def _items_visible_to(user: Any) -> QuerySet:
    return selectors.with_colour(items_visible_to(user))


def _leads_visible_to(user: Any) -> QuerySet:
    return leads_visible_to(user).select_related("inspection__unit")


def _teams_visible_to(user: Any) -> QuerySet:
    return selectors.teams_visible_to(user).prefetch_related("members__user")


def _units_visible_to(user: Any) -> QuerySet:
    return selectors.units_visible_to(user).prefetch_related("aliases")


RoundViewSet = _viewset(
    "RoundViewSet",
    serializers.RoundSerializer.Meta.model,
    rounds_visible_to,
    serializers.RoundSerializer,
    filters.RoundFilter,
    StatefulViewSet,
    "Rounds (轮): leadership and office see all, team members their own rounds.",
)
BatchViewSet = _viewset(
    "BatchViewSet",
    serializers.BatchSerializer.Meta.model,
    selectors.batches_visible_to,
    serializers.BatchSerializer,
    filters.BatchFilter,
    doc="Batches (批) of the rounds the user may see.",
)
UnitViewSet = _viewset(
    "UnitViewSet",
    serializers.UnitSerializer.Meta.model,
    _units_visible_to,
    serializers.UnitSerializer,
    filters.UnitFilter,
    doc="Inspected units: all for leadership and office, else those of the user's inspections.",
)
TeamViewSet = _viewset(
    "TeamViewSet",
    serializers.TeamSerializer.Meta.model,
    _teams_visible_to,
    serializers.TeamSerializer,
    filters.TeamFilter,
    StatefulViewSet,
    "Teams (巡视组): leadership and office, and each team's members.",
)
InspectionViewSet = _viewset(
    "InspectionViewSet",
    serializers.InspectionSerializer.Meta.model,
    inspections_visible_to,
    serializers.InspectionSerializer,
    filters.InspectionFilter,
    StatefulViewSet,
    "Inspections: leadership, office and the team; the unit's liaison in a reduced view.",
)
FindingViewSet = _viewset(
    "FindingViewSet",
    serializers.FindingSerializer.Meta.model,
    selectors.findings_visible_to,
    serializers.FindingSerializer,
    filters.FindingFilter,
    doc="Findings (问题): the team and oversight; the unit once feedback is given.",
)
LeadViewSet = _viewset(
    "LeadViewSet",
    serializers.LeadSerializer.Meta.model,
    _leads_visible_to,
    serializers.LeadSerializer,
    filters.LeadFilter,
    StatefulViewSet,
    "Leads (问题线索): confidential; oversight, the team's leaders, the organ handed them.",
)
RectificationItemViewSet = _viewset(
    "RectificationItemViewSet",
    serializers.RectificationItemSerializer.Meta.model,
    _items_visible_to,
    serializers.RectificationItemSerializer,
    filters.RectificationItemFilter,
    StatefulViewSet,
    "Rectification items (整改事项) with the colour of their live deadline.",
)
DeadlineViewSet = _viewset(
    "DeadlineViewSet",
    serializers.DeadlineSerializer.Meta.model,
    selectors.deadlines_visible_to,
    serializers.DeadlineSerializer,
    filters.DeadlineFilter,
    doc="Deadlines of the inspections, items and leads the user may see.",
)
AuditEntryViewSet = _viewset(
    "AuditEntryViewSet",
    serializers.AuditEntrySerializer.Meta.model,
    selectors.audit_entries_visible_to,
    serializers.AuditEntrySerializer,
    filters.AuditEntryFilter,
    doc="The audit trail (append-only, read-only) of the records the user may see in full.",
)

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


# Taking an action ------------------------------------------------------------------------------


def is_offered(action: Step) -> bool:
    """Whether the JSON API takes `action`: all but a file upload, which only the pages take."""
    return not action.multipart


def offered_actions_of(model: type[Model]) -> list[Step]:
    """The catalogue's actions of `model` that have a route in the API."""
    return [action for action in actions_of(model) if is_offered(action)]


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


class TransitionView(ApiMixin, APIView):
    """POST one action on one record: the body is the action's fields and `version`."""

    viewset: ClassVar[type[StatefulViewSet]]
    action_name: ClassVar[str]
    body: ClassVar[type]
    parser_classes = [LimitedJSONParser]

    def post(self, request, pk: int):
        viewset = self.viewset
        try:
            record = viewset.visible(request.user).get(pk=pk)
        except viewset.model.DoesNotExist as error:
            raise NotFound() from error
        action: Step = action_named(viewset.model, self.action_name)
        # Refused before the body is read: no field feedback for what one may not do.
        if not action.is_allowed(record, request.user):
            raise exceptions.PermissionDenied(_("You are not allowed to do this."))
        data = self._body_with_version(request)
        unknown = sorted(set(data) - set(self.body().fields))
        if unknown:
            raise InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
        body = self.body(data=data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        version = fields.pop("version")
        result = take(
            action, instance=record, actor=request.user, data=fields, version=version, strict=True
        )
        if action.creates is not None:
            return self._answer(request, VIEWSET_OF_MODEL[action.creates], result, status=201)
        if action.removes:
            return Response(status=204)
        return self._answer(request, viewset, record, status=200)

    def _answer(self, request, viewset: type[ResourceViewSet], record: Model, status: int):
        """The record as a GET would show it now, read again through the same selector."""
        fresh = viewset.visible(request.user).filter(pk=record.pk).first()
        if fresh is None:  # the action moved it out of the user's sight
            fresh = viewset.model.objects.get(pk=record.pk)
        data = viewset.serializer_class(fresh, context={"request": request}).data
        headers = {"ETag": f'"{fresh.version}"'} if "version" in data else {}
        if status == 201:
            headers["Location"] = data["url"]
        return Response(data, status=status, headers=headers)

    def _body_with_version(self, request) -> dict[str, Any]:
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("The request body must be a JSON object."))
        data = dict(data)
        header = request.headers.get("If-Match")
        if header is not None:
            match = _IF_MATCH.match(header)
            if match is None:
                raise InvalidInput(fields={"If-Match": [_('Give the version, e.g. "3".')]})
            seen = int(match.group(1))
            if "version" in data and data["version"] != seen:
                raise InvalidInput(
                    fields={"version": [_("The version and the If-Match header disagree.")]}
                )
            data["version"] = seen
        return data


def transition_view(viewset: type[StatefulViewSet], action: Step) -> type[TransitionView]:
    """The view of one action, with its own request body in the schema."""
    body = serializers.body_serializer_for(action)
    route = serializers.ROUTE_OF_MODEL[viewset.model]
    schema = extend_schema(
        operation_id=f"{route.replace('-', '_')}_{action.name}",
        summary=str(action.label),
        description=_describe(action),
        request=body,
        responses={**_success(action, viewset), **ERRORS},
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='The version as an ETag ("3"), instead of `version` in the body.',
            )
        ],
        tags=[route],
    )

    def post(self, request, pk: int):
        return TransitionView.post(self, request, pk)

    return type(
        f"{viewset.model.__name__}{action.name.title().replace('_', '')}View",
        (TransitionView,),
        {
            "viewset": viewset,
            "action_name": action.name,
            "body": body,
            "post": schema(post),
            "__module__": __name__,
            "__doc__": str(action.label),
        },
    )


def _success(action: Step, viewset: type[StatefulViewSet]) -> dict[int, Any]:
    """What the action answers when it goes through: the new record, nothing, or the record."""
    if action.creates is not None:
        created = VIEWSET_OF_MODEL[action.creates]
        return {201: OpenApiResponse(created.serializer_class, description="The new record.")}
    if action.removes:
        return {204: OpenApiResponse(description="Done: the record is gone.")}
    return {200: viewset.serializer_class}


def _describe(action: Step) -> str:
    if action.is_transition:
        return (
            f"Transition `{action.name}` to `{action.target}`. Permission and state are "
            f"checked by the service; see `GET …/transitions/` for what the user may take now."
        )
    text = (
        f"Write `{action.name}` (keeps the state; allowed in: {', '.join(action.sources)}). "
        f"Recorded in the audit trail."
    )
    if action.creates is not None:
        text += (
            f" Answers 201 with the new {action.creates._meta.model_name} (its `url` also in"
            f" `Location`); the record's `version` is left alone, so it is not checked."
        )
    if action.removes:
        text += " Answers 204 with no body: the record is gone."
    return text


# Signing in with a token -----------------------------------------------------------------------


class TokenView(ApiMixin, APIView):
    """POST username and password for a token; wrong passwords count towards django-axes' lockout."""

    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        request=serializers.TokenRequestSerializer,
        responses={
            200: serializers.TokenSerializer,
            400: ERRORS[400],
            429: OpenApiResponse(serializers.ErrorSerializer, description="Locked out."),
        },
        auth=[],
        summary="Get a token: send it as `Authorization: Token <token>`",
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise exceptions.ParseError(_("The request body must be a JSON object."))
        given = serializers.TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # Django's own request: django-axes counts failures and locks out on it.
        http_request = request._request
        user = authenticate(http_request, **given.validated_data)
        if getattr(http_request, "axes_locked_out", False):
            # Answer in the API's shape; the middleware would otherwise swap in the HTML page.
            http_request.axes_locked_out = False
            return Response(error_body("locked_out", locked_out_message()), status=429)
        if user is None or not user.is_active:
            return Response(
                error_body(
                    "invalid_credentials", _("The username or the password is not correct.")
                ),
                status=400,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def locked_out_message() -> str:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return ngettext(
        "Too many failed sign-ins: this account is locked for %(minutes)d minute. "
        "Try again later, or ask the inspection office to unlock it.",
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later, or ask the inspection office to unlock it.",
        minutes,
    ) % {"minutes": minutes}


# The rest ---------------------------------------------------------------------------------------


class RootView(ApiMixin, APIView):
    """The collections, the schema and the docs."""

    @extend_schema(exclude=True)
    def get(self, request):
        links = {name: reverse(f"api:{name_of(name)}-list", request=request) for name in VIEWSETS}
        for name in ("schema", "docs", "token"):
            links[name] = reverse(f"api:{name}", request=request)
        return Response(links)


def name_of(collection: str) -> str:
    return serializers.ROUTE_OF_MODEL[VIEWSETS[collection].model]


class NotFoundView(ApiMixin, APIView):
    """Any address under /api/v1/ that names nothing: a 404 in the API's error shape."""

    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.request = self.initialize_request(request, *args, **kwargs)
        self.headers = self.default_response_headers
        try:
            self.initial(self.request, *args, **kwargs)
            raise exceptions.NotFound()
        except Exception as error:
            response = self.handle_exception(error)
        self.response = self.finalize_response(self.request, response, *args, **kwargs)
        return self.response
