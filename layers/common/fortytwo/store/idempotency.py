"""Idempotency records (30-bookings §9) as a Powertools persistence layer over the single table.

This module holds what the booking transactions need (reservations, completion entries); the
Powertools layer itself is `store/idempotency_layer.py`, imported only by a write (Powertools'
idempotency package imports boto3 at once: a read-only request or a cold import need neither).

Powertools' idempotency utility runs the protocol (reserve, replay, in progress, release on failure)
through its documented extension point, a `BasePersistenceLayer` subclass ("bring your own
persistence store": `_get_record`, `_put_record`, `_update_record`, `_delete_record`). This layer
adds the contract's rules in those four methods only:

- **Per-organization keys.** One layer per request, built for its `Reservation`: the record lives
  at pk `IDEMPOTENCY#<organization>`, sk = Powertools' key (`KEY#<sha256 of the JSON key>`).
- **The contract fingerprint** (§9.2) is stored as is; a stored record with another fingerprint
  raises Powertools' `IdempotencyValidationError` (→ 409 `idempotency_key_conflict`).
- **Attempt tokens.** The reservation carries a random `attempt_token`; taking over an expired
  reservation replaces it. Completion and deletion are conditional on it, so a stale attempt never
  completes or removes the record of the attempt that took it over.
- **A series write's subject** (35-series §11.1): a series create records the series uid on its
  reservation (`series_uid`) in the transaction that writes the series. Such a reservation is never
  deleted on failure, and an attempt that takes it over (same fingerprint, the first attempt's
  invocation expired) keeps the uid (`continued_series_uid`): it continues that series instead of
  creating a second one.
- **Completion in the write's transaction.** `completion_action` is the TransactWriteItems entry
  that switches the record to completed; a write that committed it calls `mark_completed`, and
  Powertools' own completion (`_update_record`) then writes nothing. Writes that commit nothing
  (the no-op cancel) complete through `_update_record`, conditional on the token as well.

Attribute names (docs/single-table.md): `state`, `ttl` (epoch s, 24 h after the reservation, the
table's TTL), `in_progress_expires_at` (epoch ms), `response` (JSON: status, body, request id,
headers), `fingerprint`, `attempt_token`, `organization_id`, `reserved_at`, `expires_at`,
`request_id`, `credential_id`, `series_uid` (series create only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fortytwo.store import dynamo, keys

RETENTION = timedelta(hours=24)
STATE_INPROGRESS = "INPROGRESS"
STATE_COMPLETED = "COMPLETED"


@dataclass(frozen=True, slots=True)
class Reservation:
    """One request's claim on (organization, key)."""

    organization_id: str
    fingerprint: str
    attempt_token: str
    request_id: str
    credential_id: str
    reserved_at: datetime


@dataclass(frozen=True, slots=True)
class Completion:
    """Switch the record `sort_key` of the organization to completed with `response` (JSON text)."""

    organization_id: str
    sort_key: str
    attempt_token: str
    response: str


@dataclass(frozen=True, slots=True)
class SeriesMark:
    """Record `series_uid` on the reservation `sort_key` (the create's transaction (a))."""

    organization_id: str
    sort_key: str
    attempt_token: str
    series_uid: str


class StaleAttempt(Exception):
    """The reservation was taken over by another attempt: this one must not complete it."""


def completion_action(completion: Completion) -> dict[str, Any]:
    """The TransactWriteItems entry completing the record; it fails (and with it the whole write)
    when another attempt took the record over."""
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(keys.idempotency_partition(completion.organization_id), completion.sort_key),
            **completion_update(completion.response, completion.attempt_token),
        }
    }


def series_mark_action(mark: SeriesMark) -> dict[str, Any]:
    """The TransactWriteItems entry recording the series on the reservation; it fails (and with it
    the whole transaction) when another attempt took the reservation over."""
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(keys.idempotency_partition(mark.organization_id), mark.sort_key),
            **series_update(mark.series_uid, mark.attempt_token),
        }
    }


def series_update(series_uid: str, token: str) -> dict[str, Any]:
    return {
        "UpdateExpression": "SET series_uid = :series",
        "ConditionExpression": "attempt_token = :mine AND #state = :progress",
        "ExpressionAttributeNames": {"#state": "state"},
        "ExpressionAttributeValues": dynamo.values(
            {":series": series_uid, ":mine": token, ":progress": STATE_INPROGRESS}
        ),
    }


def completion_update(response: str, token: str) -> dict[str, Any]:
    return {
        "UpdateExpression": "SET #state = :done, #response = :response",
        "ConditionExpression": "attempt_token = :mine AND #state = :progress",
        "ExpressionAttributeNames": {"#state": "state", "#response": "response"},
        "ExpressionAttributeValues": dynamo.values(
            {":done": STATE_COMPLETED, ":response": response, ":mine": token, ":progress": STATE_INPROGRESS}
        ),
    }
