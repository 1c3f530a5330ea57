"""`/v1/webhooks…` through the WebhooksFunction handler against moto (40-webhooks §2–§5)."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.webhooks.conftest import Api, unique_seed
from tests.integration.webhooks.receiver import check_signature

SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9_-]{43}$")
WEBHOOK_KEYS = [
    "id",
    "url",
    "events",
    "status",
    "description",
    "paused_reason",
    "last_delivery_at",
    "last_delivery_ok",
    "created_at",
    "updated_at",
]
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# Worked example 1 of 40-webhooks §7.2.
VECTOR_SECRET = "whsec_OnJy_V6TRdRWicAK7HLpq5-MY5lJ4P4e7R2xE-NVGts"
VECTOR_T = 1779267900
VECTOR_BODY = (
    b'{"id":"evt_019e44a1-9260-706c-9eb1-c66e79f74d60","event":"booking.created",'
    b'"createdAt":"2026-05-20T09:05:00.000Z","apiVersion":"2026-04-01","data":{"test":true}}'
)
VECTOR_V1 = "a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d"

# Every DNS name goes through the fake resolver: no test depends on the network.
pytestmark = pytest.mark.usefixtures("resolver")


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


@pytest.fixture
def insecure_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from fortytwo.config import reset_settings

    monkeypatch.setenv("FORTYTWO_ALLOW_INSECURE_WEBHOOKS", "false")
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def oauth_token(org_id: str, user_id: str, client_id: str, scopes: list[str]) -> str:
    """An access token as the OAuth function stores it (HMAC-keyed item plus its grant)."""
    from fortytwo.domain.hashing import pepper_hmac
    from fortytwo.domain.ids import uuid7
    from fortytwo.domain.oauth.models import AccessToken, Grant
    from fortytwo.store import dynamo
    from fortytwo.store import oauth as oauth_store
    from fortytwo.store.pepper import get_pepper

    token = "42min_at_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    now = datetime.now(UTC)
    grant = Grant(uuid7(), client_id, user_id, org_id, tuple(scopes), now)
    access = AccessToken(
        pepper_hmac(get_pepper(), token),
        grant.grant_id,
        client_id,
        user_id,
        org_id,
        tuple(scopes),
        now,
        now + timedelta(hours=1),
    )
    for item in (oauth_store.ACCESS_TOKEN.encode(access), oauth_store.GRANT.encode(grant)):
        dynamo.client().put_item(TableName=dynamo.table_name(), Item=dynamo.to_item(item))
    return token


# --- create / get / list ------------------------------------------------------------------------


def test_create_returns_the_secret_once_and_the_contract_shape(api: Any, receiver: Any) -> None:
    a: Api = api()
    response = a.create(
        receiver.url("/hook?b=1&a=2"),
        ["booking_created", "booking_canceled", "booking_created"],
        description="CRM sync",
        status="paused",  # ignored on create
        id="nope",  # unknown fields are ignored
    )
    assert response.status == 201, response.text
    assert "etag" not in response.headers
    data = response.json()["data"]
    assert list(data) == [*WEBHOOK_KEYS, "signing_secret"]
    assert SECRET_RE.match(data["signing_secret"])
    assert data["url"] == receiver.url("/hook?b=1&a=2")
    assert data["events"] == ["booking_created", "booking_canceled"]
    assert data["status"] == "active" and data["paused_reason"] is None
    assert data["last_delivery_at"] is None and data["last_delivery_ok"] is None
    assert TS_RE.match(data["created_at"]) and data["created_at"] == data["updated_at"]
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", data["id"])

    got = a.get(data["id"])
    assert got.status == 200
    assert got.json()["data"] == {k: data[k] for k in WEBHOOK_KEYS}
    assert "signing_secret" not in got.text and data["signing_secret"] not in a.list().text


def test_list_is_newest_first_and_not_paginated(api: Any, receiver: Any) -> None:
    a: Api = api()
    ids = [a.created(receiver.url(f"/h{i}"))["id"] for i in range(3)]
    response = a.call("GET", "/v1/webhooks", query={"limit": "1", "cursor": "x"})
    assert response.status == 200
    body = response.json()
    assert [w["id"] for w in body["data"]] == list(reversed(ids))
    assert body["meta"] == {"request_id": response.headers["x-request-id"]}


def test_description_rules(api: Any, receiver: Any) -> None:
    a: Api = api()
    assert a.created(receiver.url("/d1"), description="")["description"] is None
    assert a.created(receiver.url("/d2"))["description"] is None
    assert a.created(receiver.url("/d3"), description="é" * 255)["description"] == "é" * 255
    error = _error(a.create(receiver.url("/d4"), description="x" * 256), 400, "validation_error")
    assert error["details"]["fields"][0]["field"] == "description"


def test_validation_errors_are_in_body_order_and_hint_underscore_names(api: Any) -> None:
    a: Api = api()
    response = a.call(
        "POST",
        "/v1/webhooks",
        body={
            "events": ["booking.created", "booking_updated", 7],
            "description": 5,
            "url": "ftp://x.example",
        },
    )
    fields = _error(response, 400, "validation_error")["details"]["fields"]
    assert [f["field"] for f in fields] == ["events[0]", "events[2]", "description", "url"]
    assert "booking_created" in fields[0]["message"]

    missing = _error(a.call("POST", "/v1/webhooks", body={}), 400, "validation_error")
    assert [f["field"] for f in missing["details"]["fields"]] == ["url", "events"]
    for events in (None, [], "booking_created"):
        body = {"url": "https://hooks.example.com/x", "events": events}
        error = _error(a.call("POST", "/v1/webhooks", body=body), 400, "validation_error")
        assert error["details"]["fields"][0]["field"] == "events"
    null_url = a.call("POST", "/v1/webhooks", body={"url": None, "events": ["booking_created"]})
    assert _error(null_url, 400, "validation_error")["details"]["fields"][0]["field"] == "url"


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@hooks.example.com/x",
        "https://hooks.example.com/x#frag",
        "https://127.1/x",
        "https://0x7f.1/x",
        "https://2130706433/x",
        "https://hooks.example.com:0/x",
        "https://bücher.example/x",
        "https://hooks.example.com/a b",
        "https://" + "a" * 1990 + ".example/x",
        "hooks.example.com/x",
    ],
)
def test_url_syntax_is_a_validation_error(api: Any, url: str) -> None:
    error = _error(api().create(url), 400, "validation_error")
    assert error["details"]["fields"] == [
        {"field": "url", "message": error["details"]["fields"][0]["message"]}
    ]


def test_http_and_loopback_need_the_development_setting(api: Any, insecure_off: None) -> None:
    a: Api = api()
    _error(a.create("http://hooks.example.com/x"), 400, "validation_error")
    error = _error(a.create("https://127.0.0.1:8443/x"), 422, "webhook_url_forbidden")
    assert error["details"] == {} and "127.0.0.1" in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/x",
        "https://169.254.169.254/latest",
        "https://100.64.1.1/x",
        "https://192.0.2.10/x",
        "https://[fd00::1]/x",
        "https://[fe80::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://[64:ff9b::a00:1]/x",
        "https://[2002:a00:1::1]/x",
        "https://0.0.0.0/x",
        "https://255.255.255.255/x",
    ],
)
def test_forbidden_literal_addresses(api: Any, url: str) -> None:
    error = _error(api().create(url), 422, "webhook_url_forbidden")
    assert error["details"] == {}


def test_every_resolved_address_is_checked(api: Any, resolver: dict[str, list[str]]) -> None:
    a: Api = api()
    resolver["mixed.example.com"] = ["93.184.216.34", "2606:2800:220:1::1", "10.1.2.3"]
    resolver["public.example.com"] = ["93.184.216.34", "2606:2800:220:1::1"]
    error = _error(a.create("https://mixed.example.com/x"), 422, "webhook_url_forbidden")
    assert "mixed.example.com" in error["message"]
    assert a.create("https://public.example.com/x").status == 201
    # A name that does not resolve is accepted; its attempts fail with dns_failure later.
    assert a.create("https://nxdomain.example.com/x").status == 201


def test_patch_resolves_the_url_again_even_when_unchanged(api: Any, resolver: dict[str, list[str]]) -> None:
    a: Api = api()
    resolver["moving.example.com"] = ["93.184.216.34"]
    hook = a.created("https://moving.example.com/x")
    resolver["moving.example.com"] = ["192.168.1.20"]
    _error(a.patch(hook["id"], {"url": hook["url"]}), 422, "webhook_url_forbidden")
    assert a.patch(hook["id"], {"description": "fine"}).status == 200  # no url: no DNS check


# --- sandbox isolation --------------------------------------------------------------------------


def test_a_credential_sees_and_changes_only_its_own_sandbox(api: Any, receiver: Any) -> None:
    owner, other, member = api("full"), api("other"), api("member")
    hook = owner.created(receiver.url("/mine"))
    assert other.list().json()["data"] == []
    for response in (
        other.get(hook["id"]),
        other.patch(hook["id"], {"status": "paused"}),
        other.delete(hook["id"]),
        other.rotate(hook["id"]),
        other.test(hook["id"]),
        other.deliveries(hook["id"]),
    ):
        assert _error(response, 404, "not_found")["details"] == {}
    assert receiver.received == []  # the foreign test call sent nothing
    # The same URL in another sandbox is a second real subscriber, not a duplicate.
    assert other.create(receiver.url("/mine")).status == 201
    # Role does not widen the view: the member's PAT sees only its own (empty) sandbox too.
    assert member.list().json()["data"] == []
    assert [w["id"] for w in owner.list().json()["data"]] == [hook["id"]]
    assert owner.get(hook["id"]).json()["data"]["status"] == "active"


def test_oauth_client_sandbox_is_shared_by_its_tokens_and_separate_from_pats(
    api: Any, invoke: Any, seeded: dict[str, Any], receiver: Any
) -> None:
    org = seeded["organization_id"]
    ada, bob = seeded["users"].values()
    scopes = ["webhooks:read", "webhooks:write"]
    first = Api(invoke, oauth_token(org, ada, "42min_01JV3W5Q8R2T6Y9B4N7M1K0XZA", scopes))
    second = Api(invoke, oauth_token(org, bob, "42min_01JV3W5Q8R2T6Y9B4N7M1K0XZA", scopes))
    stranger = Api(invoke, oauth_token(org, ada, "42min_01JV3W5Q8R2T6Y9B4N7M1K0XZB", scopes))
    pat = api("full")
    hook = first.created(receiver.url("/oauth"))
    assert [w["id"] for w in second.list().json()["data"]] == [hook["id"]]  # another user's consent
    assert second.get(hook["id"]).status == 200
    assert stranger.list().json()["data"] == [] and stranger.get(hook["id"]).status == 404
    assert pat.list().json()["data"] == [] and pat.get(hook["id"]).status == 404
    pat_hook = pat.created(receiver.url("/oauth"))  # same URL, other sandbox
    assert first.get(pat_hook["id"]).status == 404


def test_regenerating_a_pat_moves_it_to_a_new_empty_sandbox(
    invoke: Any, seeded: dict[str, Any], receiver: Any
) -> None:
    from fortytwo.services import pats
    from fortytwo.store import webhooks as store

    before = Api(invoke, seeded["pats"]["full"]["token"])
    hook = before.created(receiver.url("/regen"))
    record = pats.get(seeded["pats"]["full"]["id"])
    _, token = pats.regenerate(record)
    after = Api(invoke, token)
    assert after.list().json()["data"] == []
    assert after.get(hook["id"]).status == 404
    assert after.create(receiver.url("/regen")).status == 201  # the URL is free in the new sandbox
    kept = store.get(hook["id"])
    assert kept is not None and kept.status == "active"
    assert kept.owner_key == f"pat:{seeded['pats']['full']['id']}:1"


def test_another_organization_is_invisible(api: Any, invoke: Any, receiver: Any) -> None:
    stranger_seed = unique_seed("Globex")
    stranger = Api(invoke, stranger_seed["pats"]["full"]["token"])
    hook = api().created(receiver.url("/acme"))
    assert stranger.get(hook["id"]).status == 404
    assert stranger.create(receiver.url("/acme")).status == 201


def test_scopes(api: Any, receiver: Any) -> None:
    hook = api().created(receiver.url("/scoped"))
    read, write = api("read"), api("write")
    # Scope passes, then the sandbox decides: these credentials see only their own sandboxes.
    assert read.list().status == 200 and read.get(hook["id"]).status == 404
    for response in (
        read.create(receiver.url("/x")),
        read.patch(hook["id"], {}),
        read.delete(hook["id"]),
        read.rotate(hook["id"]),
        read.test(hook["id"]),
    ):
        error = _error(response, 403, "insufficient_scope")
        assert error["details"] == {"required_scope": "webhooks:write"}
        assert 'scope="webhooks:write"' in response.headers["www-authenticate"]
    own = write.created(receiver.url("/own"))  # write does not imply read
    for response in (write.list(), write.get(own["id"]), write.deliveries(own["id"])):
        assert _error(response, 403, "insufficient_scope")["details"] == {"required_scope": "webhooks:read"}
    assert write.patch(own["id"], {"description": "w"}).status == 200


def test_unauthenticated_and_unknown_method(invoke: Any, api: Any, receiver: Any) -> None:
    response = invoke("webhooks", "GET", "/v1/webhooks")
    _error(response, 401, "invalid_token")
    hook = api().created(receiver.url("/m"))
    put = api().call("PUT", f"/v1/webhooks/{hook['id']}", body={})
    _error(put, 405, "method_not_allowed")
    assert put.headers["allow"] == "GET, PATCH, DELETE"


# --- body handling --------------------------------------------------------------------------------


def test_body_media_type_size_and_parse_errors(api: Any) -> None:
    a: Api = api()
    body = json.dumps({"url": "https://hooks.example.com/x", "events": ["booking_created"]})
    _error(a.call("POST", "/v1/webhooks", body=body), 415, "unsupported_media_type")
    _error(
        a.call(
            "POST", "/v1/webhooks", body=body, headers={"Content-Type": "application/json; charset=latin1"}
        ),
        415,
        "unsupported_media_type",
    )
    ok = a.call(
        "POST", "/v1/webhooks", body=body, headers={"Content-Type": "Application/JSON; charset=UTF-8"}
    )
    assert ok.status == 201, ok.text
    json_headers = {"Content-Type": "application/json"}
    for raw in ("", "{", "[1]", '{"url": 1, "url": 2}'):
        _error(a.call("POST", "/v1/webhooks", body=raw, headers=json_headers), 400, "invalid_request")
    huge = json.dumps(
        {"url": "https://hooks.example.com/y", "events": ["booking_created"], "pad": "x" * 65536}
    )
    error = _error(a.call("POST", "/v1/webhooks", body=huge, headers=json_headers), 413, "payload_too_large")
    assert error["details"] == {"max_bytes": 65536}


def test_bodiless_routes_ignore_bodies_but_not_their_size(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/bodiless"))
    junk = {"Content-Type": "text/plain"}
    assert (
        a.call("POST", f"/v1/webhooks/{hook['id']}/rotate-secret", body="not json", headers=junk).status
        == 200
    )
    assert a.call("POST", f"/v1/webhooks/{hook['id']}/test", body="{", headers=junk).status == 200
    too_big = a.call("DELETE", f"/v1/webhooks/{hook['id']}", body="x" * 65537, headers=junk)
    _error(too_big, 413, "payload_too_large")
    assert a.call("DELETE", f"/v1/webhooks/{hook['id']}", body="nonsense", headers=junk).status == 204


def test_idempotency_key_and_if_match_are_ignored(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/ignored"))
    response = a.call(
        "PATCH",
        f"/v1/webhooks/{hook['id']}",
        body={"description": "d"},
        headers={"If-Match": '"999"', "Idempotency-Key": "\x01bad"},
    )
    assert response.status == 200 and "etag" not in response.headers


# --- duplicate URL and limit ----------------------------------------------------------------------


def test_duplicate_url_uses_the_comparison_key(api: Any, resolver: dict[str, list[str]]) -> None:
    a: Api = api()
    first = a.created("https://Hooks.Example.com/Path?q=1")
    for same in ("https://hooks.example.com/Path?q=1", "HTTPS://HOOKS.EXAMPLE.COM/Path?q=1"):
        error = _error(a.create(same), 409, "duplicate_url")
        assert error["details"] == {"webhook_id": first["id"]}
    for different in (
        "https://hooks.example.com/path?q=1",
        "https://hooks.example.com/Path/?q=1",
        "https://hooks.example.com:443/Path?q=1",
        "https://hooks.example.com/Path?q=%31",
    ):
        assert a.create(different).status == 201, different


def test_duplicate_check_comes_after_destination_and_before_limit(api: Any) -> None:
    from fortytwo.store import webhooks as store

    a: Api = api()
    first = a.created("https://nx1.example.com/a")
    for i in range(store.MAX_PER_SANDBOX - 1):
        a.created(f"https://nx1.example.com/{i}")
    # Full sandbox: a duplicate still answers 409 (checked before the limit) …
    assert (
        _error(a.create("https://nx1.example.com/a"), 409, "duplicate_url")["details"]["webhook_id"]
        == first["id"]
    )
    # … a forbidden destination still answers 422 webhook_url_forbidden (checked before both).
    _error(a.create("https://10.0.0.1/a"), 422, "webhook_url_forbidden")
    error = _error(a.create("https://nx1.example.com/new"), 422, "webhook_limit_reached")
    assert error["details"] == {"limit": 25}
    assert len(a.list().json()["data"]) == 25
    # Other sandboxes have their own 25.
    assert api("other").create("https://nx1.example.com/new").status == 201
    # A delete frees a slot and the URL.
    assert a.delete(first["id"]).status == 204
    assert a.create("https://nx1.example.com/a").status == 201
    _error(a.create("https://nx1.example.com/new"), 422, "webhook_limit_reached")


def test_patch_url_moves_the_duplicate_key(api: Any) -> None:
    a: Api = api()
    one = a.created("https://nx2.example.com/one")
    two = a.created("https://nx2.example.com/two")
    error = _error(a.patch(two["id"], {"url": "https://NX2.example.com/one"}), 409, "duplicate_url")
    assert error["details"] == {"webhook_id": one["id"]}
    # Its own comparison key is not a conflict, even spelled differently.
    same = a.patch(one["id"], {"url": "HTTPS://nx2.EXAMPLE.com/one"})
    assert same.status == 200 and same.json()["data"]["url"] == "HTTPS://nx2.EXAMPLE.com/one"
    moved = a.patch(one["id"], {"url": "https://nx2.example.com/three"})
    assert moved.status == 200
    assert a.create("https://nx2.example.com/one").status == 201  # released
    _error(a.create("https://nx2.example.com/three"), 409, "duplicate_url")


def test_a_failed_patch_changes_nothing(api: Any) -> None:
    a: Api = api()
    one = a.created("https://nx3.example.com/one")
    two = a.created("https://nx3.example.com/two", description="keep")
    a.patch(two["id"], {"url": "https://nx3.example.com/one", "description": "lost", "status": "paused"})
    current = a.get(two["id"]).json()["data"]
    assert current == {k: two[k] for k in WEBHOOK_KEYS}
    assert a.get(one["id"]).json()["data"]["url"] == "https://nx3.example.com/one"


# --- PATCH, DELETE, rotate ------------------------------------------------------------------------


def test_patch_fields_and_status_transitions(api: Any, receiver: Any) -> None:
    from fortytwo.store import webhooks as store

    a: Api = api()
    hook = a.created(receiver.url("/p"), ["booking_created"], description="before")
    response = a.patch(
        hook["id"].upper(),
        {"events": ["event_type_updated", "booking_created", "event_type_updated"], "description": None},
    )
    assert response.status == 200, response.text
    data = response.json()["data"]
    assert data["events"] == ["event_type_updated", "booking_created"]
    assert data["description"] is None and data["status"] == "active"
    assert data["updated_at"] >= hook["updated_at"] and "signing_secret" not in data

    paused = a.patch(hook["id"], {"status": "paused"}).json()["data"]
    assert paused["status"] == "paused" and paused["paused_reason"] is None
    edited = a.patch(hook["id"], {"description": "still paused"}).json()["data"]
    assert edited["status"] == "paused"  # editing alone never resumes
    # {} is a valid no-op update that still resets the counter and sets updated_at.
    _set_failures(hook["id"], 3)
    empty = a.patch(hook["id"], {})
    assert empty.status == 200 and empty.json()["data"]["updated_at"] >= edited["updated_at"]
    assert store.get(hook["id"]).health.failures == 0  # type: ignore[union-attr]
    resumed = a.patch(hook["id"], {"status": "active"}).json()["data"]
    assert resumed["status"] == "active" and resumed["paused_reason"] is None
    for bad in ({"status": None}, {"status": "disabled"}, {"events": []}, {"url": None}):
        _error(a.patch(hook["id"], bad), 400, "validation_error")


def _set_failures(webhook_id: str, failures: int) -> None:
    """Put the internal consecutive-failure counter where a test needs it."""
    from fortytwo.store import dynamo, keys

    dynamo.client().update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(*keys.webhook(webhook_id)),
        UpdateExpression="SET failures = :n",
        ExpressionAttributeValues=dynamo.values({":n": failures}),
    )


def test_patch_checks_the_body_before_the_id(api: Any) -> None:
    a: Api = api()
    missing = "019e449c-fe80-783c-af56-4652466de486"
    _error(a.patch(missing, {"status": "bogus"}), 400, "validation_error")
    _error(
        a.call("PATCH", f"/v1/webhooks/{missing}", body="x", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
    )
    _error(a.patch(missing, {"status": "paused"}), 404, "not_found")
    _error(a.patch("not-a-uuid", {}), 404, "not_found")
    _error(a.get("not-a-uuid"), 404, "not_found")


def test_delete_frees_everything_and_second_delete_is_404(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/del"))
    response = a.delete(hook["id"])
    assert response.status == 204 and response.text == ""
    assert "content-type" not in response.headers and response.headers["x-request-id"].startswith("req_")
    assert "x-ratelimit-limit" in response.headers
    for follow_up in (a.get(hook["id"]), a.delete(hook["id"]), a.deliveries(hook["id"]), a.test(hook["id"])):
        _error(follow_up, 404, "not_found")
    assert a.create(receiver.url("/del")).status == 201


def test_racing_deletes_release_the_slot_once(api: Any, receiver: Any, seeded: dict[str, Any]) -> None:
    from fortytwo.services import webhooks as service
    from fortytwo.store import dynamo, keys
    from fortytwo.store import webhooks as store

    a: Api = api()
    keep = a.created(receiver.url("/keep"))
    hook = a.created(receiver.url("/race"))
    stale = store.get(hook["id"])
    assert stale is not None
    assert service.remove(stale) is True
    assert service.remove(stale) is False  # the loser of the race: the handler answers 204 too
    counter = dynamo.get(
        *keys.webhook_sandbox_counter(stale.organization_id, stale.owner_key), consistent=True
    )
    assert counter is not None and counter["count"] == 1
    assert store.get(keep["id"]) is not None


def test_rotate_secret(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/rot"))
    a.patch(hook["id"], {"status": "paused"})
    response = a.rotate(hook["id"])
    assert response.status == 200
    data = response.json()["data"]
    assert list(data) == [*WEBHOOK_KEYS, "signing_secret"]
    assert SECRET_RE.match(data["signing_secret"]) and data["signing_secret"] != hook["signing_secret"]
    assert data["status"] == "paused" and data["updated_at"] >= hook["updated_at"]
    assert "signing_secret" not in a.get(hook["id"]).text


# --- test deliveries ------------------------------------------------------------------------------


def test_test_delivery_is_signed_and_recorded(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/t"), ["booking_rescheduled", "booking_created"])
    receiver.secrets["/t"] = [hook["signing_secret"]]
    response = a.test(hook["id"])
    assert response.status == 200, response.text
    record = response.json()["data"]
    assert record["event"] == "booking_rescheduled" and record["attempt"] == 1
    assert record["status_code"] == 204 and record["error"] is None and record["next_retry_at"] is None
    assert record["delivered_at"] >= record["created_at"]
    (got,) = receiver.received
    assert got.verify_error is None
    assert got.delivery_id == record["id"] and got.attempt == 1
    assert got.event == "booking.rescheduled"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "42min-Webhooks/1"
    assert int(got.headers["content-length"]) == len(got.body)
    body = got.json()
    assert list(body) == ["id", "event", "createdAt", "apiVersion", "data"]
    assert body["event"] == "booking.rescheduled" and body["data"] == {"test": True}
    assert body["apiVersion"] == "2026-04-01" and body["id"].startswith("evt_")
    assert b" " not in got.body  # compact JSON
    # Fresh ids every time.
    again = a.test(hook["id"]).json()["data"]
    assert again["id"] != record["id"] and receiver.received[1].json()["id"] != body["id"]
    rows = a.deliveries(hook["id"]).json()["data"]
    assert [r["id"] for r in rows] == [again["id"], record["id"]]
    assert rows[1] == record


def test_test_delivery_failures_are_200_and_change_nothing(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/gone"))
    receiver.statuses["/gone"] = 410
    a.patch(hook["id"], {"status": "paused"})
    before = a.get(hook["id"]).json()["data"]
    record = a.test(hook["id"]).json()["data"]
    assert (
        record["status_code"] == 410 and record["error"] == "endpoint_gone" and record["delivered_at"] is None
    )
    receiver.statuses["/gone"] = 500
    assert a.test(hook["id"]).json()["data"]["error"] == "http_error"
    after = a.get(hook["id"]).json()["data"]
    assert after == before  # status, paused_reason, last_delivery_*, updated_at untouched

    closed = a.created(receiver.url("/x").replace(str(receiver.port), str(_free_port())))
    failure = a.test(closed["id"]).json()["data"]
    assert failure["status_code"] is None and failure["error"] == "connection_failed"
    assert isinstance(failure["duration_ms"], int)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_test_delivery_rechecks_the_destination(api: Any, resolver: dict[str, list[str]]) -> None:
    a: Api = api()
    resolver["rebind.example.com"] = ["93.184.216.34"]
    hook = a.created("https://rebind.example.com/x")
    resolver["rebind.example.com"] = ["127.0.0.1", "10.0.0.5"]
    record = a.test(hook["id"]).json()["data"]
    assert record["error"] == "forbidden_address" and record["status_code"] is None


# --- deliveries log -------------------------------------------------------------------------------


def _write_rows(webhook_id: str, count: int, start: datetime) -> list[tuple[str, int, str]]:
    """Rows as the delivery worker writes them: (delivery id, attempt, created_at)."""
    from fortytwo.domain.ids import uuid7
    from fortytwo.domain.webhooks.delivery_state import AttemptError, AttemptRecord
    from fortytwo.domain.webhooks.envelope import epoch_ms
    from fortytwo.store import deliveries

    written = []
    for i in range(count):
        created = start + timedelta(seconds=i // 2)  # two rows share each instant
        did = "whd_" + uuid7(epoch_ms(created))
        record = AttemptRecord(i % 3 + 1, 500, AttemptError.HTTP_ERROR, created, 12, None, None)
        deliveries.put_attempt(webhook_id, did, "booking_created", record)
        written.append((did, record.attempt, created.strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"))
    return written


def test_deliveries_are_newest_first_with_bound_cursors(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/log"))
    other = a.created(receiver.url("/log2"))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    written = _write_rows(hook["id"], 7, start)
    expected = sorted(written, key=lambda r: (r[2], r[0], r[1]), reverse=True)

    seen: list[tuple[str, int]] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        body = a.deliveries(hook["id"], **query).json()
        seen.extend((r["id"], r["attempt"]) for r in body["data"])
        pages += 1
        assert body["meta"]["has_more"] is (body["meta"]["next_cursor"] is not None)
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [(d, n) for d, n, _ in expected]

    first = a.deliveries(hook["id"], limit="2").json()["meta"]["next_cursor"]
    # Bound to the subscription, tamper-evident, validated before the id is looked up.
    _error(a.deliveries(other["id"], cursor=first), 400, "invalid_query_param")
    tampered = first[:-2] + ("A" if first[-2] != "A" else "B") + first[-1]
    assert _error(a.deliveries(hook["id"], cursor=tampered), 400, "invalid_query_param")["details"] == {
        "param": "cursor"
    }
    _error(a.deliveries("019e449c-fe80-783c-af56-4652466de486", cursor=first), 400, "invalid_query_param")
    assert a.deliveries(hook["id"].upper(), cursor=first).status == 200


def test_deliveries_limit_rules_and_retention(api: Any, receiver: Any) -> None:
    a: Api = api()
    hook = a.created(receiver.url("/lim"))
    now = datetime.now(UTC).replace(microsecond=0)
    _write_rows(hook["id"], 1, now - timedelta(days=31))
    _write_rows(hook["id"], 2, now - timedelta(days=29))
    body = a.deliveries(hook["id"]).json()
    assert len(body["data"]) == 2 and body["meta"] == {
        "request_id": body["meta"]["request_id"],
        "next_cursor": None,
        "has_more": False,
    }
    assert len(a.deliveries(hook["id"], limit="100000000000000000000").json()["data"]) == 2
    for bad in ("0", "-1", "abc", "1.5", "+5"):
        assert _error(a.deliveries(hook["id"], limit=bad), 400, "invalid_query_param")["details"] == {
            "param": "limit"
        }
    dup = a.call("GET", f"/v1/webhooks/{hook['id']}/deliveries", query="limit=1&limit=2")
    _error(dup, 400, "invalid_query_param")
    empty = a.created(receiver.url("/empty"))
    assert a.deliveries(empty["id"]).json()["data"] == []


def test_check_signature_helper_accepts_the_contract_vector() -> None:
    # The independent verifier itself, against the §7.2 vector and tampered copies.
    header = f"t={VECTOR_T},v1={VECTOR_V1}"
    assert check_signature(VECTOR_BODY, header, [VECTOR_SECRET], now=VECTOR_T + 300) is None
    assert (
        check_signature(VECTOR_BODY, f"v1={VECTOR_V1}, t={VECTOR_T}", [VECTOR_SECRET], now=VECTOR_T) is None
    )
    assert check_signature(VECTOR_BODY, header, ["whsec_old", VECTOR_SECRET], now=VECTOR_T) is None
    assert check_signature(VECTOR_BODY + b" ", header, [VECTOR_SECRET], now=VECTOR_T)
    assert check_signature(VECTOR_BODY, header, [VECTOR_SECRET], now=VECTOR_T + 301)
    assert check_signature(VECTOR_BODY, f"t={VECTOR_T + 1},v1={VECTOR_V1}", [VECTOR_SECRET], now=VECTOR_T)
    assert check_signature(VECTOR_BODY, header, ["whsec_other"], now=VECTOR_T)
    assert check_signature(VECTOR_BODY, f"t=1e9,v1={VECTOR_V1}", [VECTOR_SECRET], now=VECTOR_T)
