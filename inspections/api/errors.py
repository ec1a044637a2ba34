"""One error shape for every API refusal: {"code", "detail", "fields"} (+ "details" when reasons).

`code` is stable for programs (the same codes as workflows.errors); `detail` is for people, in
the request's language; `fields` maps each bad input field to its messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from workflows.errors import ApplicationError

# HTTP status of each application error code: each kind of refusal has its own.
STATUS_OF_CODE = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "malformed": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "permission_denied": status.HTTP_403_FORBIDDEN,
    "wrong_state": status.HTTP_409_CONFLICT,
    "condition_failed": status.HTTP_409_CONFLICT,
    "stale": status.HTTP_409_CONFLICT,
}

# DRF's own exceptions, named with codes a client can rely on.
CODE_OF_DRF_ERROR = {
    exceptions.ParseError: "malformed",
    exceptions.ValidationError: "invalid",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(
    code: str, detail: str, *, fields: Mapping[str, Any] | None = None, details: list[str] = ()
) -> dict[str, Any]:
    """The one error shape; `details` appears only when there are reasons to list."""
    body: dict[str, Any] = {"code": code, "detail": str(detail), "fields": dict(fields or {})}
    if details:
        body["details"] = [str(line) for line in details]
    return body


def _flatten(detail: Any, prefix: str = "") -> tuple[dict[str, list[str]], list[str]]:
    """DRF's nested validation detail as per-field messages and general ones."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}{key}"
            if key in ("non_field_errors", "detail") and not prefix:
                general += [str(v) for v in (value if isinstance(value, list) else [value])]
                continue
            if isinstance(value, Mapping):
                nested, more = _flatten(value, prefix=f"{name}.")
                fields.update(nested)
                general += more
            else:
                fields[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    elif isinstance(detail, list):
        general += [str(v) for v in detail]
    else:
        general.append(str(detail))
    return fields, general


def response_for_application_error(error: ApplicationError) -> Response:
    body = error_body(
        error.code,
        str(error.message),
        fields={name: [str(m) for m in messages] for name, messages in error.fields.items()},
        details=[str(line) for line in error.details],
    )
    return Response(body, status=STATUS_OF_CODE.get(error.code, status.HTTP_400_BAD_REQUEST))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: every refusal in the one shape; None lets a 500 be."""
    if isinstance(exc, ApplicationError):
        set_rollback()
        return response_for_application_error(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(_("The request body is too large."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    code = next(
        (code for kind, code in CODE_OF_DRF_ERROR.items() if isinstance(exc, kind)), "error"
    )
    if isinstance(exc, exceptions.ValidationError):
        fields, general = _flatten(exc.detail)
        body = error_body(code, _("The input is not valid."), fields=fields, details=general)
    else:
        body = error_body(code, str(exc.detail))
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
