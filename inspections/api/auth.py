"""Signing in to the API: a username and password for a token, under django-axes' lockout."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections.api import serializers
from inspections.api.base import ERRORS, ApiMixin, LimitedJSONParser, json_object
from inspections.api.errors import error_body


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
        given = serializers.TokenRequestSerializer(data=json_object(request))
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
    """Why a sign-in is refused while django-axes holds the account, and for how long."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return ngettext(
        "Too many failed sign-ins: this account is locked for %(minutes)d minute. "
        "Try again later, or ask the inspection office to unlock it.",
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later, or ask the inspection office to unlock it.",
        minutes,
    ) % {"minutes": minutes}
