"""The schema generator of the API: every operation documents the errors it can answer with.

drf-spectacular documents only what a view declares; a client (and schemathesis) must also
know that any operation may say 400, 401, 403, 404 or 405 in the one error shape.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

# Status: what it means everywhere (an operation's own description wins where it has one).
COMMON_ERRORS = {
    "400": "Bad input: a field, a filter or the body (code: invalid or malformed).",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed (or a browser write without its CSRF token).",
    "404": "No such record, or not yours to see.",
    "405": "This method is not offered here.",
}


class ApiAutoSchema(AutoSchema):
    """Adds the common error answers, in the error shape, to every operation."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        from inspections.api.serializers import ErrorSerializer

        for status, description in COMMON_ERRORS.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    ErrorSerializer, status, direction=direction
                )
                responses[status]["description"] = description
        return responses


def forbid_unknown_fields(result: dict, generator, request, public) -> dict:
    """Say in each action's body schema what the action does: a field it does not take is a 400.

    Without `additionalProperties: false` a client (and schemathesis) takes any extra field
    for valid input and is surprised by the refusal.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for path, operations in result.get("paths", {}).items():
        if "/transitions/" not in path:
            continue
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                reference = media.get("schema", {}).get("$ref", "")
                if reference:
                    schemas[reference.rsplit("/", 1)[1]]["additionalProperties"] = False
    return result
