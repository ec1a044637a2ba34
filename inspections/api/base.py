"""What every API view shares: sign-in, language, pages, JSON bodies, versions and errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from inspections.api.schema import ApiAutoSchema
from inspections.api.serializers import ErrorSerializer
from workflows.errors import InvalidInput

# The refusals an operation declares in the schema, each with what it means there.
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input (code: invalid)."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Visible, but not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="Absent, or not yours to see."),
    409: OpenApiResponse(
        ErrorSerializer,
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
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from error
        except RecursionError as error:
            # Nested deeper than the parser can follow: no body of ours is, so it is malformed.
            raise exceptions.ParseError(_("The request body is nested too deeply.")) from error
        if _depth(data) > MAX_DEPTH:
            raise exceptions.ParseError(_("The request body is nested too deeply."))
        return data


# Every body the API takes is one object of plain values (or lists of them).
MAX_DEPTH = 4


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed body (a plain value is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                pending.append((child, level + 1))
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def json_object(request) -> dict[str, Any]:
    """The request's body as a new dict; a body that is not a JSON object is malformed."""
    if not isinstance(request.data, dict):
        raise exceptions.ParseError(_("The request body must be a JSON object."))
    return dict(request.data)


class ResourceViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """A collection and its records, limited to what the selector `visible` lets the user see.

    A record's GET carries its `version` as the ETag, which a step takes back as If-Match.
    """

    model: ClassVar[type[Model]]
    visible: ClassVar[Callable[[Any], QuerySet]]
    pagination_class = Pages

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return self.model.objects.none()
        return type(self).visible(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = etag(response.data["version"])
        return response


def etag(version: int) -> str:
    """The ETag of a record at `version`: the number in quotes, as If-Match sends it back."""
    return f'"{version}"'


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def with_version(request, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the `version` of the If-Match header, which must agree with the body's."""
    header = request.headers.get("If-Match")
    if header is None:
        return data
    match = _IF_MATCH.match(header)
    if match is None:
        raise InvalidInput(fields={"If-Match": [_('Give the version, e.g. "3".')]})
    seen = int(match.group(1))
    if "version" in data and data["version"] != seen:
        raise InvalidInput(fields={"version": [_("The version and the If-Match header disagree.")]})
    return {**data, "version": seen}


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
