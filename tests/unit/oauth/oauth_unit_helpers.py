"""Builders and constants shared by the OAuth domain unit tests (imported by name; no package)."""

from __future__ import annotations

from datetime import UTC, datetime

from fortytwo.domain.oauth.artifacts import hash_secret
from fortytwo.domain.oauth.models import OAuthClient

PEPPER = b"p" * 32
NOW = datetime(2026, 5, 20, 10, 0, 0, tzinfo=UTC)
CLIENT_ID = "42min_01KR8N8N804DGCA9ZJ80BF7N5J"
PUBLIC_ID = "42min_01KR8N8N804DGCA9ZJ80BF7N5K"
SECRET = "42min_cs_6k6cuT4oTzTHqwWShN2Bb1Wqo1el2XIsSim8RRJRVXQ"


def make_client(
    client_id: str = CLIENT_ID,
    *,
    confidential: bool = True,
    redirect_uris: tuple[str, ...] = ("https://app.example.com/callback", "http://127.0.0.1/callback"),
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token"),
    secret: str = SECRET,
) -> OAuthClient:
    return OAuthClient(
        client_id=client_id,
        client_name="Example app",
        client_type="confidential" if confidential else "public",
        token_endpoint_auth_method="client_secret_basic" if confidential else "none",
        redirect_uris=redirect_uris,
        grant_types=grant_types,
        response_types=("code",),
        secret_hash=hash_secret(PEPPER, secret) if confidential else None,
        organization_id="019daa55-2500-79de-b384-95d253bafe93",
        registered_via="admin",
        created_at=NOW,
    )
