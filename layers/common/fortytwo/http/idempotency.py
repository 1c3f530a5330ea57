"""Idempotency of the four booking writes (30-bookings §9) on Powertools' idempotency utility.

Powertools' `IdempotencyHandler` runs the protocol: a conditional "in progress" put (taking over an
expired record or one whose invocation died), replay of a completed record, `in progress` and
payload-mismatch detection, and deletion of the record when the work raises (so only 2xx results
are ever stored). `DynamoDBPersistenceLayer` persists it in the single table.

Three rules of the contract are beyond the stock utility; `BookingIdempotencyStore` extends it
minimally for them:

1. **Per-organization keys.** The record lives at pk `IDEMPOTENCY#<organization>`, sk
   `KEY#<sha256 of the key>` (docs/single-table.md). Powertools uses one static pk per persistence
   layer, so `_get_key` takes the organization of the current attempt.
2. **The contract's fingerprint** (§9.2) is stored as is (`fingerprint` attribute) instead of a
   hash of a hash: `_get_hashed_payload` returns it.
3. **Attempt tokens and atomic completion** (§9.3). The reservation put carries a random
   `attempt_token` (plus audit fields), stamped on by the client Powertools writes through. The
   booking transaction completes the record itself, conditional on that token, so "completed" and
   the booking change are one commit; Powertools' own `save_success` is then skipped. The no-op
   cancel completes through `save_success`, conditional on the token as well. Deleting the record
   after a failure is conditional on the token too, so a stale attempt never removes the record of
   the attempt that took it over.

In-progress records expire with the invocation: the Lambda context (Mangum passes it as
`request.scope["aws.context"]`) is registered on the config, so `in_progress_expires_at` is the
arrival time plus the function's remaining time (at most 30 s), and a crashed attempt's record is
taken over by the next request with the same key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.base import IdempotencyHandler
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from botocore.exceptions import ClientError
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract.errors import (
    IdempotencyInProgress,
    IdempotencyKeyConflict,
    ServiceUnavailable,
)
from fortytwo.domain.bookings.headers import fingerprint as request_fingerprint
from fortytwo.domain.timefmt import format_ts
from fortytwo.store import dynamo

RETENTION = timedelta(hours=24)
MAX_IN_PROGRESS_MS = 30_000
FALLBACK_TIMEOUT_MS = 20_000  # BookingsFunction's Timeout in template.yaml
KEY_PREFIX = "KEY"
STATE_INPROGRESS = "INPROGRESS"
STATE_COMPLETED = "COMPLETED"


def record_pk(account_id: str) -> str:
    return f"IDEMPOTENCY#{account_id}"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A 2xx answer exactly as sent: replays repeat it byte for byte (§9.4)."""

    status: int
    body: str
    request_id: str
    headers: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "body": self.body,
            "request_id": self.request_id,
            "headers": self.headers,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredResponse:
        return cls(
            status=int(data["status"]),
            body=str(data["body"]),
            request_id=str(data["request_id"]),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        )

    def response(self, *, replayed: bool) -> Response:
        headers = {"Content-Type": "application/json", **self.headers}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
            headers["X-Request-Id"] = self.request_id  # the original request's id (00-conventions §6)
        return Response(self.body.encode("utf-8"), status_code=self.status, headers=headers)


def serialize_response(response: Mapping[str, Any]) -> str:
    """The `response` attribute, in the same form Powertools writes in `save_success`."""
    return json.dumps(dict(response), sort_keys=True)


class StaleAttempt(Exception):
    """The reservation was taken over by another attempt: this one must not complete it."""


@dataclass
class Attempt:
    """This request's reservation, and the completion item of the booking transaction."""

    account_id: str
    key: str
    fingerprint: str
    request_id: str
    credential_id: str
    reserved_at: datetime
    attempt_token: str = field(default_factory=lambda: secrets.token_hex(16))
    completed_in_transaction: bool = False

    def reservation_attributes(self) -> dict[str, Any]:
        """Stored next to Powertools' fields on the reservation put (§9.3 "Stored")."""
        return {
            "type": "idempotency",
            "organization_id": self.account_id,
            "attempt_token": self.attempt_token,
            "reserved_at": format_ts(self.reserved_at),
            "expires_at": format_ts(self.reserved_at + RETENTION),
            "request_id": self.request_id,
            "credential_id": self.credential_id,
        }

    def completion_item(self, stored: StoredResponse) -> dict[str, Any]:
        """The TransactWriteItems entry switching the record to completed with `stored`.

        Fails (and with it the whole booking transaction) when another attempt took the record over.
        Call `mark_completed` once that transaction has committed.
        """
        pk, sk = record_pk(self.account_id), self.sort_key
        return {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(pk, sk),
                "UpdateExpression": "SET #state = :done, #response = :response",
                "ConditionExpression": "attempt_token = :mine AND #state = :progress",
                "ExpressionAttributeNames": {"#state": "state", "#response": "response"},
                "ExpressionAttributeValues": dynamo.values(
                    {
                        ":done": STATE_COMPLETED,
                        ":response": serialize_response(stored.to_dict()),
                        ":mine": self.attempt_token,
                        ":progress": STATE_INPROGRESS,
                    }
                ),
            }
        }

    def mark_completed(self) -> None:
        """The booking transaction committed the completion: Powertools must not write it again."""
        self.completed_in_transaction = True

    @property
    def sort_key(self) -> str:
        return _store().key_for(self.key)


_current: ContextVar[Attempt | None] = ContextVar("fortytwo_idempotency_attempt", default=None)


def _attempt() -> Attempt:
    attempt = _current.get()
    if attempt is None:
        raise RuntimeError("no idempotent booking write in progress")
    return attempt


class _ReservationClient:
    """The DynamoDB client Powertools writes through.

    Every call goes to the shared client; the reservation `put_item` gets this attempt's token and
    audit fields added, since the stock put writes only Powertools' own attributes.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(dynamo.client(), name)

    def put_item(self, **kwargs: Any) -> Any:
        item = dict(kwargs["Item"])
        item.update(dynamo.to_item(_attempt().reservation_attributes()))
        kwargs["Item"] = item
        return dynamo.client().put_item(**kwargs)


class BookingIdempotencyStore(DynamoDBPersistenceLayer):
    """`DynamoDBPersistenceLayer` with per-organization keys, the contract fingerprint and attempt tokens."""

    def __init__(self, table_name: str) -> None:
        super().__init__(
            table_name=table_name,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value="IDEMPOTENCY",
            expiry_attr="ttl",  # the table's TTL attribute: 24 h after the reservation
            in_progress_expiry_attr="in_progress_expires_at",
            status_attr="state",
            data_attr="response",
            validation_key_attr="fingerprint",
            boto3_client=_ReservationClient(),  # type: ignore[arg-type]
        )

    def key_for(self, key: str) -> str:
        """The record's sort key for an `Idempotency-Key` value, derived exactly as Powertools does
        (`KEY#` + SHA-256 of the key)."""
        hashed = self._get_hashed_idempotency_key({"key": key})
        assert hashed is not None
        return hashed

    def _get_key(self, idempotency_key: str) -> dict:
        return {"pk": {"S": record_pk(_attempt().account_id)}, "sk": {"S": idempotency_key}}

    def _get_hashed_payload(self, data: dict[str, Any]) -> str:
        return str(data["fingerprint"]) if self.payload_validation_enabled else ""

    def _update_record(self, data_record: DataRecord) -> None:
        attempt = _attempt()
        if attempt.completed_in_transaction:
            return  # the booking transaction already completed the record
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._get_key(data_record.idempotency_key),
                UpdateExpression="SET #state = :done, #response = :response",
                ConditionExpression="attempt_token = :mine AND #state = :progress",
                ExpressionAttributeNames={"#state": self.status_attr, "#response": self.data_attr},
                ExpressionAttributeValues=dynamo.values(
                    {
                        ":done": STATE_COMPLETED,
                        ":response": data_record.response_data,
                        ":mine": attempt.attempt_token,
                        ":progress": STATE_INPROGRESS,
                    }
                ),
            )
        except ClientError as exc:
            if dynamo.is_conditional_failure(exc):
                raise StaleAttempt() from exc
            raise

    def _delete_record(self, data_record: DataRecord) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=self._get_key(data_record.idempotency_key),
                ConditionExpression="attempt_token = :mine",
                ExpressionAttributeValues=dynamo.values({":mine": _attempt().attempt_token}),
            )
        except ClientError as exc:
            if not dynamo.is_conditional_failure(exc):
                raise  # taken over by a newer attempt: that record is not ours to delete


@lru_cache(maxsize=4)
def _store_for(table_name: str) -> BookingIdempotencyStore:
    # One persistence layer per process: constructing one registers a user-agent hook on the client.
    # It is configured before anyone can use it: Powertools configures a layer on its first handler
    # and marks it configured before setting its fields, which concurrent first requests (the local
    # stack runs invocations in threads) could otherwise observe half done.
    store = BookingIdempotencyStore(table_name)
    store.configure(_base_config(), key_prefix=KEY_PREFIX)
    return store


def _store() -> BookingIdempotencyStore:
    return _store_for(dynamo.table_name())


class _BoundedContext:
    """The Lambda context as Powertools reads it, capped at 30 s of remaining time (§9.3)."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def get_remaining_time_in_millis(self) -> int:
        remaining = FALLBACK_TIMEOUT_MS
        getter = getattr(self._context, "get_remaining_time_in_millis", None)
        if callable(getter):
            remaining = int(getter())
        return max(0, min(remaining, MAX_IN_PROGRESS_MS))


def _base_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="fingerprint",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=int(RETENTION.total_seconds()),
        hash_function="sha256",
    )


def _config(request: Request) -> IdempotencyConfig:
    """This invocation's config: the Lambda context decides when its reservation expires."""
    config = _base_config()
    config.register_lambda_context(_BoundedContext(request.scope.get("aws.context")))  # type: ignore[arg-type]
    return config


def run(
    request: Request,
    *,
    account_id: str,
    credential_id: str,
    request_id: str,
    key: str,
    method: str,
    route: str,
    path_params: Mapping[str, str],
    body: Mapping[str, Any],
    now: datetime,
    work: Callable[[Attempt], StoredResponse],
) -> Response:
    """Consult the record (§5.3 note: after the body checks, before the endpoint checks) and either
    replay, refuse, or run `work` under a fresh reservation.

    `work` raises an `ApiError` for every non-2xx answer; the reservation is then released.
    """
    attempt = Attempt(
        account_id=account_id,
        key=key,
        fingerprint=request_fingerprint(method, route, path_params, body),
        request_id=request_id,
        credential_id=credential_id,
        reserved_at=now,
    )
    token = _current.set(attempt)
    ran = False

    def execute() -> dict[str, Any]:
        nonlocal ran
        ran = True
        attempt.completed_in_transaction = False
        return work(attempt).to_dict()

    try:
        handler = IdempotencyHandler(
            function=execute,
            function_payload={"key": key, "fingerprint": attempt.fingerprint},
            config=_config(request),
            persistence_store=_store(),
            key_prefix=KEY_PREFIX,
            function_args=(),
            function_kwargs={},
        )
        try:
            result = handler.handle()
        except IdempotencyAlreadyInProgressError as exc:
            raise IdempotencyInProgress(
                "A request with this Idempotency-Key is still being processed; retry shortly"
            ) from exc
        except IdempotencyValidationError as exc:
            raise IdempotencyKeyConflict(
                "This Idempotency-Key was already used with a different request"
            ) from exc
        except IdempotencyPersistenceLayerError as exc:
            if isinstance(exc.__cause__, StaleAttempt):
                raise IdempotencyInProgress(
                    "A request with this Idempotency-Key is still being processed; retry shortly"
                ) from exc
            raise ServiceUnavailable() from exc
        return StoredResponse.from_dict(result).response(replayed=not ran)
    finally:
        _current.reset(token)
