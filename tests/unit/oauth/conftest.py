"""Fixtures for the OAuth domain unit tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from oauth_unit_helpers import PUBLIC_ID, make_client

from fortytwo.domain.oauth.models import OAuthClient


@pytest.fixture
def client() -> OAuthClient:
    return make_client()


@pytest.fixture
def public_client() -> OAuthClient:
    return make_client(PUBLIC_ID, confidential=False)


@pytest.fixture
def lookup(client: OAuthClient, public_client: OAuthClient) -> Callable[[str], OAuthClient | None]:
    clients = {client.client_id: client, public_client.client_id: public_client}
    return clients.get
