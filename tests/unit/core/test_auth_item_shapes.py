"""The declared schemas write the same attributes the hand-written codecs wrote (docs/single-table.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fortytwo.domain.accounts import Organization, User
from fortytwo.domain.oauth.models import AccessToken, AuthorizationCode, Grant
from fortytwo.domain.pats import Pat
from fortytwo.store import accounts, oauth, pats

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def test_access_token_item() -> None:
    token = AccessToken("h", "g", "c", "u", "o", ("user:read",), NOW, NOW + timedelta(hours=1))
    item = oauth.ACCESS_TOKEN.encode(token)
    assert item["pk"] == "OAUTHAT#h" and item["sk"] == "AT" and item["type"] == "oauth_access_token"
    assert item["expires_at"] == "2026-05-20T11:00:00.000Z" and item["revoked_at"] is None
    assert item["ttl"] == int((NOW + timedelta(hours=1, days=30)).timestamp())
    assert set(item) == {
        *("pk", "sk", "type", "token_hash", "grant_id", "client_id", "user_id", "account_id"),
        *("scopes", "created_at", "expires_at", "revoked_at", "ttl"),
    }
    assert oauth.ACCESS_TOKEN.decode(item) == token


def test_grant_and_code_items() -> None:
    grant = Grant("g", "c", "u", "o", ("a",), NOW)
    item = oauth.grant_item(grant, 99)
    assert (item["pk"], item["gsi1pk"], item["gsi1sk"], item["ttl"]) == (
        "GRANT#g",
        "USER#u#GRANTS",
        "2026-05-20T10:00:00.000Z#g",
        99,
    )
    code = AuthorizationCode(
        "h", "c", "https://a/cb", "x", "u", "o", ("a",), NOW, NOW + timedelta(seconds=60)
    )
    assert oauth.CODE.encode(code)["pk"] == "OAUTHCODE#h"
    assert oauth.CODE.decode(oauth.CODE.encode(code)) == code


def test_pat_item() -> None:
    record = Pat("id1", "LOOKUP", "hash", "ABCD", "n", ("user:read",), "u", "o", NOW)
    item = pats.PAT.encode(record)
    assert (item["pk"], item["sk"], item["gsi1pk"], item["gsi1sk"], item["gsi2pk"], item["gsi2sk"]) == (
        "PAT#LOOKUP",
        "PAT",
        "ORG#o#PATS",
        "2026-05-20T10:00:00.000Z#id1",
        "PATID#id1",
        "PAT",
    )
    assert item["generation"] == 1 and item["version"] == 1 and item["last_used_at"] is None
    assert pats.PAT.decode(item) == record


def test_user_and_org_items_keep_their_pointers() -> None:
    org = Organization("o", "Acme", NOW, "Pro")
    assert [i["pk"] for i in accounts.org_items(org)] == ["ORG#o", "ORGNAME#acme"]
    user = User("u", "o", "Ada@Example.com", NOW, NOW, username="ada", limits={"per_day": None})
    items = accounts.user_items(user)
    assert [(i["pk"], i["sk"]) for i in items] == [
        ("ORG#o", "USER#u"),
        ("USER#u", "USER"),
        ("USERNAME#ada", "USERNAME"),
        ("EMAIL#ada@example.com", "EMAIL"),
    ]
    assert items[0]["created_at"] == "2026-05-20T10:00:00.000Z" and items[0]["version"] == 1
    assert accounts.USER.decode(items[0]) == user
