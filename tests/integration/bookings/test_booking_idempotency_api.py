"""Idempotency of the four writes (30-bookings §9) on Powertools' utility, persisted in the table."""

from __future__ import annotations

import hashlib
import json
import time

import boto3

from fortytwo.store import dynamo

from .conftest import Api, outbox_events


def _sort_key(key: str) -> str:
    """The record's sort key: Powertools' `KEY#` + SHA-256 of the JSON-encoded key (single-table.md)."""
    return "KEY#" + hashlib.sha256(json.dumps(key).encode()).hexdigest()


def _record(api: Api, key: str) -> dict:
    items = boto3.client("dynamodb").query(
        TableName=dynamo.table_name(),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"IDEMPOTENCY#{api.seed['organization_id']}"}},
    )["Items"]
    wanted = _sort_key(key)
    [item] = [i for i in items if i["sk"]["S"] == wanted]
    return dynamo.from_item(item) or {}


def test_replay_is_byte_for_byte_with_the_original_request_id(api: Api) -> None:
    day = api.fresh_day()
    headers = api.headers(key="replay-1")
    body = api.create_body(start=api.at(day, "10:00"))
    first = api.call("POST", "/v1/bookings", headers=headers, body=body)
    assert first.status == 201
    # Same key, same request (member order and whitespace do not matter), another credential of the org.
    import json

    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = api.call(
        "POST",
        "/v1/bookings",
        headers={**api.headers("second", key="replay-1"), "content-type": "application/json"},
        body=reordered,
    )
    assert again.status == 201 and again.text == first.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-request-id"] == first.headers["x-request-id"]
    assert again.headers["etag"] == '"1"' and "x-ratelimit-remaining" in again.headers
    created = [e for e in outbox_events() if e["data"]["booking"]["id"] == first.json()["data"]["uid"]]
    assert len(created) == 1  # a replay writes no event
    record = _record(api, "replay-1")
    assert record["state"] == "COMPLETED" and record["ttl"] - time.time() > 23.9 * 3600
    assert (
        record["fingerprint"]
        and record["attempt_token"]
        and record["request_id"] == first.headers["x-request-id"]
    )
    assert record["in_progress_expires_at"] / 1000 - time.time() <= 30


def test_a_replay_needs_the_scope_and_stays_after_the_slot_is_gone(api: Api) -> None:
    day = api.fresh_day()
    body = api.create_body(start=api.at(day, "10:00"))
    first = api.call("POST", "/v1/bookings", headers=api.headers(key="scoped"), body=body)
    uid = first.json()["data"]["uid"]
    api.call("POST", f"/v1/bookings/{uid}/cancel")
    api.create("intro", api.at(day, "10:00"))  # somebody else takes the time
    narrow = api.call("POST", "/v1/bookings", headers=api.headers("narrow", key="scoped"), body=body)
    assert narrow.status == 403
    replay = api.call("POST", "/v1/bookings", headers=api.headers(key="scoped"), body=body)
    assert replay.status == 201 and replay.json()["data"]["uid"] == uid


def test_key_conflicts(api: Api) -> None:
    day = api.fresh_day()
    first = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="k-conflict"),
        body=api.create_body(start=api.at(day, "10:00")),
    )
    uid = first.json()["data"]["uid"]
    other_body = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="k-conflict"),
        body=api.create_body(start=api.at(day, "11:00")),
    )
    assert (other_body.status, other_body.json()["error"]["code"]) == (409, "idempotency_key_conflict")
    assert "idempotent-replayed" not in other_body.headers
    other_route = api.call("POST", f"/v1/bookings/{uid}/cancel", headers=api.headers(key="k-conflict"))
    assert other_route.json()["error"]["code"] == "idempotency_key_conflict"
    # Quotes are part of the key, and surrounding blanks are not.
    quoted = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key='"k-conflict"'),
        body=api.create_body(start=api.at(day, "11:00")),
    )
    assert quoted.status == 201
    padded = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key=" \tk-conflict "),
        body=api.create_body(start=api.at(day, "10:00")),
    )
    assert padded.headers.get("idempotent-replayed") == "true"


def test_failures_are_not_stored(api: Api) -> None:
    day = api.fresh_day()
    api.create("intro", api.at(day, "10:00"))
    body = api.create_body(start=api.at(day, "10:00"))
    busy = api.call("POST", "/v1/bookings", headers=api.headers(key="retry-me"), body=body)
    assert busy.json()["error"]["details"] == {"reason": "slot_busy"}
    assert busy.status == 409
    # The time frees up; the same key now runs afresh.
    uid = [
        b
        for b in api.call(
            "GET",
            "/v1/bookings",
            headers=api.headers(key=None),
            query={"start_date": api.at(day, "10:00"), "end_date": api.at(day, "10:00")},
        ).json()["data"]
    ][0]["uid"]
    api.call("POST", f"/v1/bookings/{uid}/cancel")
    retry = api.call("POST", "/v1/bookings", headers=api.headers(key="retry-me"), body=body)
    assert retry.status == 201 and "idempotent-replayed" not in retry.headers


def _reserve(api: Api, key: str, *, fingerprint: str, in_progress_ms: int) -> None:
    """Another attempt's reservation, as Powertools writes it."""
    pk = f"IDEMPOTENCY#{api.seed['organization_id']}"
    now = time.time()
    boto3.client("dynamodb").put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(
            {
                "pk": pk,
                "sk": _sort_key(key),
                "state": "INPROGRESS",
                "fingerprint": fingerprint,
                "ttl": int(now) + 86400,
                "in_progress_expires_at": int(now * 1000) + in_progress_ms,
                "attempt_token": "someone-else",
            }
        ),
    )


def test_in_progress_and_takeover(api: Api) -> None:
    from fortytwo.domain.bookings.headers import fingerprint

    day = api.fresh_day()
    body = api.create_body(start=api.at(day, "10:00"))
    same = fingerprint("POST", "/v1/bookings", {}, body)
    _reserve(api, "busy-key", fingerprint=same, in_progress_ms=20_000)
    running = api.call("POST", "/v1/bookings", headers=api.headers(key="busy-key"), body=body)
    assert (running.status, running.json()["error"]["code"]) == (409, "idempotency_in_progress")
    assert running.headers["retry-after"] == "1"
    different = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="busy-key"),
        body=api.create_body(start=api.at(day, "11:00")),
    )
    assert different.json()["error"]["code"] == "idempotency_key_conflict"
    # The first attempt died: its reservation expired, the next request takes over and runs.
    _reserve(api, "dead-key", fingerprint="whatever", in_progress_ms=-1000)
    taken = api.call("POST", "/v1/bookings", headers=api.headers(key="dead-key"), body=body)
    assert taken.status == 201
    assert _record(api, "dead-key")["attempt_token"] != "someone-else"


def test_a_stale_attempt_cannot_complete_or_delete_the_record(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While this request runs, another attempt takes its reservation over: the commit fails its
    idempotency condition, writes nothing and answers 409 idempotency_in_progress."""
    from fortytwo.store import bookings as store

    day = api.fresh_day()
    real_commit = store.commit

    def hijack(plan, completion=None):  # type: ignore[no-untyped-def]
        _reserve(api, "hijacked", fingerprint="theirs", in_progress_ms=20_000)
        return real_commit(plan, completion)

    monkeypatch.setattr(store, "commit", hijack)
    response = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="hijacked"),
        body=api.create_body(start=api.at(day, "10:00")),
    )
    monkeypatch.undo()
    assert (response.status, response.json()["error"]["code"]) == (409, "idempotency_in_progress")
    assert _record(api, "hijacked")["attempt_token"] == "someone-else"  # not deleted by the loser
    listed = api.call(
        "GET",
        "/v1/bookings",
        headers=api.headers(key=None),
        query={"start_date": api.at(day, "00:00"), "end_date": api.at(day, "23:59")},
    )
    assert listed.json()["data"] == []


def test_expired_completed_record_is_a_new_key(api: Api) -> None:
    day = api.fresh_day()
    first = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="old-key"),
        body=api.create_body(start=api.at(day, "10:00")),
    )
    assert first.status == 201
    boto3.client("dynamodb").update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(f"IDEMPOTENCY#{api.seed['organization_id']}", _record(api, "old-key")["sk"]),
        UpdateExpression="SET #t = :past",
        ExpressionAttributeNames={"#t": "ttl"},
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    fresh = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="old-key"),
        body=api.create_body(start=api.at(day, "11:00")),
    )
    assert fresh.status == 201 and fresh.json()["data"]["uid"] != first.json()["data"]["uid"]


def test_the_record_is_consulted_after_the_body_and_before_endpoint_checks(api: Api) -> None:
    day = api.fresh_day()
    uid = api.create("intro", api.at(day, "10:00"))["data"]["uid"]
    patch_headers = api.headers(key="patch-once", **{"if-match": '"1"'})
    first = api.call("PATCH", f"/v1/bookings/{uid}", headers=patch_headers, body={"metadata": {"a": 1}})
    assert first.status == 200
    # A retried PATCH whose If-Match is now stale still replays its 200.
    again = api.call("PATCH", f"/v1/bookings/{uid}", headers=patch_headers, body={"metadata": {"a": 1}})
    assert again.status == 200 and again.text == first.text and again.headers["etag"] == '"2"'
    # Invalid bodies never reach the record: a schema error with a used key is still a 400.
    bad = api.call("PATCH", f"/v1/bookings/{uid}", headers=patch_headers, body={"metadata": 5})
    assert bad.json()["error"]["code"] == "validation_error"
    # …but the immutable-field check comes after it: a used key with another body is a conflict.
    immutable = api.call("PATCH", f"/v1/bookings/{uid}", headers=patch_headers, body={"status": "x"})
    assert immutable.json()["error"]["code"] == "idempotency_key_conflict"


def test_keys_are_scoped_to_the_organization(api: Api) -> None:
    from fortytwo_local.seed import apply_seed

    other = apply_seed(
        {
            "organization": {"name": "Keyspace"},
            "users": [{"username": "kim", "email": "kim@keyspace.test", "timezone": "UTC", "role": "owner"}],
            "event_types": [
                {
                    "key": "chat",
                    "owner": "kim",
                    "slug": "chat",
                    "title": "Chat",
                    "minimum_notice_minutes": 0,
                    "future_limit_days": 365,
                }
            ],
            "pats": [{"key": "k", "user": "kim", "name": "k", "scopes": ["bookings:read", "bookings:write"]}],
        }
    )
    day = api.fresh_day()
    mine = api.call(
        "POST",
        "/v1/bookings",
        headers=api.headers(key="shared-key"),
        body=api.create_body(start=api.at(day, "10:00")),
    )
    theirs = api.call(
        "POST",
        "/v1/bookings",
        headers={"authorization": f"Bearer {other['pats']['k']['token']}", "idempotency-key": "shared-key"},
        body={
            "event_type_id": other["event_types"]["chat"],
            "start": api.at(day, "10:00"),
            "attendee": {"email": "b@example.com"},
        },
    )
    assert mine.status == theirs.status == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["data"]["uid"] != theirs.json()["data"]["uid"]
