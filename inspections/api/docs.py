"""The schema (OpenAPI 3) and a reference page drawn from it on the server, with no script or CDN.

Offices run the product on networks without the internet, so the page must not fetch
Swagger UI or Redoc from a CDN: it is plain HTML rendered from the same schema document.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections.api.base import ApiMixin

METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(ApiMixin, SpectacularAPIView):
    """GET the OpenAPI 3 document (YAML by default, JSON with ?format=json or Accept)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_of(schema: dict[str, Any]) -> str:
    """A short human reading of a schema: `string (date)`, `Inspection`, `array of Action`."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combiner in ("oneOf", "allOf", "anyOf"):
        if combiner in schema:
            return " | ".join(_type_of(part) for part in schema[combiner])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "format" in schema:
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("nullable"):
        kind += ", or null"
    return kind


def _properties(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type_of(prop),
            "required": name in required,
            "read_only": prop.get("readOnly", False),
            "description": prop.get("description", "") or prop.get("title", ""),
            "max_length": prop.get("maxLength"),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            operations.append(
                {
                    "id": operation.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _type_of(body["schema"]) if body else "",
                    "responses": [
                        {
                            "status": status,
                            "type": _type_of(
                                response.get("content", {})
                                .get("application/json", {})
                                .get("schema", {})
                            )
                            if response.get("content")
                            else "",
                            "description": response.get("description", ""),
                        }
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return operations


class DocsView(ApiMixin, APIView):
    """The API reference as one HTML page, in the request's language."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [TemplateHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request):
        schema = SchemaGenerator().get_schema(request=request, public=True)
        components = schema.get("components", {}).get("schemas", {})
        context = {
            "info": schema.get("info", {}),
            "operations": _operations(schema),
            "components": [
                {
                    "name": name,
                    "description": component.get("description", ""),
                    "properties": _properties(component),
                    "raw": json.dumps(component, ensure_ascii=False, indent=1)
                    if "properties" not in component
                    else "",
                }
                for name, component in sorted(components.items())
            ],
        }
        return Response(context, template_name="api/docs.html")
