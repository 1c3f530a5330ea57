"""Idempotency records (30-bookings §9) as a Powertools persistence layer over the single table.

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
- **Completion in the write's transaction.** `completion_action` is the TransactWriteItems entry
  that switches the record to completed; a write that committed it calls `mark_completed`, and
  Powertools' own completion (`_update_record`) then writes nothing. Writes that commit nothing
  (the no-op cancel) complete through `_update_record`, conditional on the token as well.

Attribute names (docs/single-table.md): `state`, `ttl` (epoch s, 24 h after the reservation, the
table's TTL), `in_progress_expires_at` (epoch ms), `response` (JSON: status, body, request id,
headers), `fingerprint`, `attempt_token`, `organization_id`, `reserved_at`, `expires_at`,
`request_id`, `credential_id`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import format_ts
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


class StaleAttempt(Exception):
    """The reservation was taken over by another attempt: this one must not complete it."""


def completion_action(completion: Completion) -> dict[str, Any]:
    """The TransactWriteItems entry completing the record; it fails (and with it the whole write)
    when another attempt took the record over."""
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(keys.idempotency_partition(completion.organization_id), completion.sort_key),
            **_completion_update(completion.response, completion.attempt_token),
        }
    }


def _completion_update(response: str, token: str) -> dict[str, Any]:
    return {
        "UpdateExpression": "SET #state = :done, #response = :response",
        "ConditionExpression": "attempt_token = :mine AND #state = :progress",
        "ExpressionAttributeNames": {"#state": "state", "#response": "response"},
        "ExpressionAttributeValues": dynamo.values(
            {":done": STATE_COMPLETED, ":response": response, ":mine": token, ":progress": STATE_INPROGRESS}
        ),
    }


def _data_record(item: Mapping[str, Any]) -> DataRecord:
    in_progress = item.get("in_progress_expires_at")
    return DataRecord(
        idempotency_key=str(item["sk"]),
        status=str(item["state"]),
        expiry_timestamp=int(item["ttl"]),
        in_progress_expiry_timestamp=int(in_progress) if in_progress is not None else None,
        response_data=str(item.get("response") or ""),
        payload_hash=str(item.get("fingerprint") or ""),
    )


class RecordStore(BasePersistenceLayer):
    """The persistence layer of one request's reservation."""

    def __init__(self, reservation: Reservation) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated
        self.reservation = reservation
        self.sort_key: str | None = None  # Powertools' key of this request, known once reserved
        self.completed_in_transaction = False

    @property
    def _pk(self) -> str:
        return keys.idempotency_partition(self.reservation.organization_id)

    def completion(self, response: str) -> Completion:
        assert self.sort_key is not None, "complete only a reserved record"
        return Completion(
            self.reservation.organization_id, self.sort_key, self.reservation.attempt_token, response
        )

    def mark_completed(self) -> None:
        """The write's transaction committed the completion: Powertools must not write it again."""
        self.completed_in_transaction = True

    def _check_fingerprint(self, item: Mapping[str, Any]) -> None:
        if item.get("fingerprint") != self.reservation.fingerprint:
            raise IdempotencyValidationError("This Idempotency-Key was already used with a different request")

    def _get_record(self, idempotency_key: str) -> DataRecord:
        item = dynamo.get(self._pk, idempotency_key, consistent=True)
        if item is None:
            raise IdempotencyItemNotFoundError()
        self._check_fingerprint(item)
        return _data_record(item)

    def _put_record(self, data_record: DataRecord) -> None:
        """Reserve: a new key, one past its retention, or an in-progress record whose invocation
        expired (taken over with a new token); otherwise report the record that holds the key."""
        res = self.reservation
        item: dict[str, Any] = {
            "pk": self._pk,
            "sk": data_record.idempotency_key,
            "type": "idempotency",
            "state": data_record.status,
            "ttl": data_record.expiry_timestamp,
            "fingerprint": res.fingerprint,
            "attempt_token": res.attempt_token,
            "organization_id": res.organization_id,
            "reserved_at": format_ts(res.reserved_at),
            "expires_at": format_ts(res.reserved_at + RETENTION),
            "request_id": res.request_id,
            "credential_id": res.credential_id,
        }
        if data_record.in_progress_expiry_timestamp is not None:
            item["in_progress_expires_at"] = data_record.in_progress_expiry_timestamp
        now = time.time()
        try:
            dynamo.client().put_item(
                TableName=dynamo.table_name(),
                Item=dynamo.to_item(item),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR #ttl < :now"
                    " OR (#state = :progress AND in_progress_expires_at < :now_ms)"
                ),
                ExpressionAttributeNames={"#ttl": "ttl", "#state": "state"},
                ExpressionAttributeValues=dynamo.values(
                    {":now": int(now), ":now_ms": int(now * 1000), ":progress": STATE_INPROGRESS}
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not dynamo.is_conditional_failure(exc):
                raise
            old = dynamo.from_item(exc.response.get("Item") or {})  # type: ignore[arg-type]
            if not old:
                raise IdempotencyItemAlreadyExistsError() from exc
            self._check_fingerprint(old)
            raise IdempotencyItemAlreadyExistsError(old_data_record=_data_record(old)) from exc
        self.sort_key = data_record.idempotency_key

    def _update_record(self, data_record: DataRecord) -> None:
        if self.completed_in_transaction:
            return  # the write's transaction already completed the record
        try:
            dynamo.client().update_item(
                TableName=dynamo.table_name(),
                Key=dynamo.key(self._pk, data_record.idempotency_key),
                **_completion_update(data_record.response_data or "", self.reservation.attempt_token),
            )
        except ClientError as exc:
            if dynamo.is_conditional_failure(exc):
                raise StaleAttempt() from exc
            raise

    def _delete_record(self, data_record: DataRecord) -> None:
        try:
            dynamo.client().delete_item(
                TableName=dynamo.table_name(),
                Key=dynamo.key(self._pk, data_record.idempotency_key),
                ConditionExpression="attempt_token = :mine",
                ExpressionAttributeValues=dynamo.values({":mine": self.reservation.attempt_token}),
            )
        except ClientError as exc:
            if not dynamo.is_conditional_failure(exc):
                raise  # taken over by a newer attempt: that record is not ours to delete
