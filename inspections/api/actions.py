"""A record's steps: `…/transitions/` lists those the user may take, `…/<name>/` takes one.

Thin by design: a view fetches through a visibility selector, asks the rules through the
actions catalogue, calls `inspections.actions.take`, and renders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action as view_action
from rest_framework.response import Response
from rest_framework.utils.formatting import camelcase_to_spaces
from rest_framework.views import APIView

from inspections.actions import actions_for, actions_of, field_specs, take
from inspections.api import serializers
from inspections.api.base import (
    ERRORS,
    ApiMixin,
    LimitedJSONParser,
    ResourceViewSet,
    etag,
    json_object,
    with_version,
)
from inspections.api.schema import ApiAutoSchema
from workflows.errors import InvalidInput, NotFound
from workflows.steps import Step


def is_offered(action: Step) -> bool:
    """Whether the JSON API takes `action`: all but a file upload, which only the pages take."""
    return not action.multipart


def offered_actions_of(model: type[Model]) -> list[Step]:
    """The catalogue's actions of `model` that have a route in the API."""
    return [action for action in actions_of(model) if is_offered(action)]


class StatefulViewSet(ResourceViewSet):
    """A collection whose records have actions: adds `GET <id>/transitions/`."""

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


class TransitionSchema(ApiAutoSchema):
    """The schema of one step's route, read from the step its view takes.

    The route of each step is its own operation, with its own body (the step's form) and
    answers (the record, a new record, or nothing), so a client sees exactly what it takes.
    """

    def get_operation_id(self) -> str:
        return f"{self._route().replace('-', '_')}_{self.view.step.name}"

    def get_summary(self) -> str:
        return str(self.view.step.label)

    def get_description(self) -> str:
        return describe(self.view.step)

    def get_tags(self) -> list[str]:
        return [self._route()]

    def get_override_parameters(self) -> list[Any]:
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='The version as an ETag ("3"), instead of `version` in the body.',
            ),
        ]

    def get_request_serializer(self) -> serializers.ActionBodySerializer:
        return serializers.ActionBodySerializer(step=self.view.step)

    def get_response_serializers(self) -> dict[int, Any]:
        view = self.view
        if view.step.creates is not None:
            success = {
                201: OpenApiResponse(view.created.serializer_class, description="The new record.")
            }
        elif view.step.removes:
            success = {204: OpenApiResponse(description="Done: the record is gone.")}
        else:
            success = {200: view.viewset.serializer_class}
        return {**success, **ERRORS}

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        if isinstance(serializer, serializers.ActionBodySerializer):
            # drf-spectacular adds "Request" once more (COMPONENT_SPLIT_REQUEST): clients
            # know the bodies by these doubled names, so they are kept.
            return serializer.component_name
        return super().get_serializer_name(serializer, direction)

    def _route(self) -> str:
        return serializers.ROUTE_OF_MODEL[self.view.viewset.model]


def describe(action: Step) -> str:
    """What a step's route does, for the schema: where it leads, and what it answers."""
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


class TransitionView(ApiMixin, APIView):
    """POST one step on one record: the body is the step's fields and `version`.

    One view per step, made in urls.py by `as_view(step=…, viewset=…, created=…)`: `viewset`
    is the collection of the record, `created` that of the record the step adds, if any.
    """

    step: Step | None = None
    viewset: type[StatefulViewSet] | None = None
    created: type[ResourceViewSet] | None = None
    schema = TransitionSchema()
    parser_classes = [LimitedJSONParser]

    # What OPTIONS and the browsable API call the view: the step, in the request's language.
    @property
    def name(self) -> str:
        return camelcase_to_spaces(f"{self.step.model.__name__}{_camel(self.step.name)}")

    @property
    def description(self) -> str:
        return str(self.step.label)

    def post(self, request, pk: int):
        viewset = self.viewset
        try:
            record = viewset.visible(request.user).get(pk=pk)
        except viewset.model.DoesNotExist as error:
            raise NotFound() from error
        action = self.step
        # Refused before the body is read: no field feedback for what one may not do.
        if not action.is_allowed(record, request.user):
            raise exceptions.PermissionDenied(_("You are not allowed to do this."))
        data = with_version(request, json_object(request))
        body = serializers.ActionBodySerializer(data=data, step=action)
        unknown = sorted(set(data) - set(body.fields))
        if unknown:
            raise InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        version = fields.pop("version")
        result = take(
            action, instance=record, actor=request.user, data=fields, version=version, strict=True
        )
        if action.creates is not None:
            return self._answer(request, self.created, result, status=201)
        if action.removes:
            return Response(status=204)
        return self._answer(request, viewset, record, status=200)

    def _answer(self, request, viewset: type[ResourceViewSet], record: Model, status: int):
        """The record as a GET would show it now, read again through the same selector."""
        fresh = viewset.visible(request.user).filter(pk=record.pk).first()
        if fresh is None:  # the action moved it out of the user's sight
            fresh = viewset.model.objects.get(pk=record.pk)
        data = viewset.serializer_class(fresh, context={"request": request}).data
        headers = {"ETag": etag(fresh.version)} if "version" in data else {}
        if status == 201:
            headers["Location"] = data["url"]
        return Response(data, status=status, headers=headers)


def _camel(name: str) -> str:
    """`accept_rectification_report` as `AcceptRectificationReport`."""
    return name.title().replace("_", "")
