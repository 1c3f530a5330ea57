"""OAuth access-token and grant reads needed by bearer authentication.

The OAuth function writes these items; bearer authentication on every API function reads them.
Token items are keyed by HMAC-SHA256(pepper, token), never by the token itself.
"""

from __future__ import annotations

from fortytwo.store import dynamo


def access_token_key(token_hash: str) -> tuple[str, str]:
    return f"OAUTHAT#{token_hash}", "AT"


def grant_key(grant_id: str) -> tuple[str, str]:
    return f"GRANT#{grant_id}", "GRANT"


def get_access_token(token_hash: str) -> dynamo.Item | None:
    return dynamo.get(*access_token_key(token_hash))


def get_grant(grant_id: str) -> dynamo.Item | None:
    return dynamo.get(*grant_key(grant_id))
