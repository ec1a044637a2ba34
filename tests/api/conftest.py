"""API clients signed in as each role of the `world`, with a token as a script would be."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import World

ANONYMOUS = "anonymous"


def client_as(world: World | None, role: str) -> APIClient:
    """A client carrying the token of the world's person in `role` (none when anonymous)."""
    client = APIClient()
    if role != ANONYMOUS:
        user = getattr(world, role)
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(world):
    """`api(role)`: a client for that role of the world."""
    return lambda role: client_as(world, role)
