"""Routes of the REST API under /api/v1/: one collection per kind, one route per action."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from inspections.api.actions import StatefulViewSet, TransitionView, offered_actions_of
from inspections.api.auth import TokenView
from inspections.api.base import NotFoundView
from inspections.api.docs import DocsView, SchemaView
from inspections.api.resources import VIEWSET_OF_MODEL, VIEWSETS, RootView
from inspections.api.serializers import ROUTE_OF_MODEL

app_name = "api"

router = SimpleRouter()
for prefix, viewset in VIEWSETS.items():
    router.register(prefix, viewset, basename=ROUTE_OF_MODEL[viewset.model])

# One route per action (not one `<name>` route), so each has its own request body in the schema;
# a file upload is the pages' alone (the API takes JSON only).
action_routes = [
    path(
        f"{prefix}/<int:pk>/transitions/{step.name}/",
        TransitionView.as_view(
            step=step,
            viewset=viewset,
            created=VIEWSET_OF_MODEL[step.creates] if step.creates is not None else None,
        ),
        name=f"{ROUTE_OF_MODEL[viewset.model]}-{step.name}",
    )
    for prefix, viewset in VIEWSETS.items()
    if issubclass(viewset, StatefulViewSet)
    for step in offered_actions_of(viewset.model)
]

urlpatterns = [
    path("", RootView.as_view(), name="root"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *router.urls,
    *action_routes,
    # Last: whatever else is asked under /api/v1/ is a 404 in the API's error shape.
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not-found"),
]
