"""Idempotent writes (30-bookings §9) on Powertools' idempotency utility, documented surface only.

`run` wraps one write in `idempotent_function` with this request's persistence layer
(`store/idempotency_layer.RecordStore`) and config: the key is the `Idempotency-Key` (Powertools hashes it
into `KEY#<sha256>`), the in-progress record expires with the invocation (the Lambda context,
capped at 30 s), the retention is 24 h, and a replay is recognised by the `response_hook`.

The write gets an `Attempt`: the completion item for its own transaction (`completion`), and
`committed()` once that transaction went through, so the record is completed exactly once and in
the same commit as the change (§9.3 "Atomic completion").
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from fortytwo.contract.errors import IdempotencyInProgress, IdempotencyKeyConflict, ServiceUnavailable
from fortytwo.store import idempotency as records

if TYPE_CHECKING:
    # Powertools' idempotency package imports boto3 on import: `run` imports it when a write runs.
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    from fortytwo.store.idempotency_layer import RecordStore

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

MAX_IN_PROGRESS_MS = 30_000
FALLBACK_TIMEOUT_MS = 20_000  # BookingsFunction's Timeout in template.yaml
KEY_PREFIX = "KEY"
IN_PROGRESS_MESSAGE = "A request with this Idempotency-Key is still being processed; retry shortly"


@dataclass(frozen=True, slots=True)
class Reply:
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
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        return cls(
            status=int(data["status"]),
            body=str(data["body"]),
            request_id=str(data["request_id"]),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        )


def serialize_reply(reply: Reply) -> str:
    """The stored `response` attribute, in the form Powertools writes on completion."""
    return json.dumps(reply.to_dict(), sort_keys=True)


class Completer(Protocol[T_contra]):
    """What a write needs to complete the idempotency record inside its own transaction."""

    def completion(self, result: T_contra) -> records.Completion: ...

    def committed(self) -> None: ...


class SeriesCompleter(Completer[T_contra], Protocol):
    """A series create's reservation (35-series §11.1): it records the series it creates, and
    names the series an expired attempt of the same request created."""

    @property
    def continued_series_uid(self) -> str | None: ...

    def series_mark(self, series_uid: str) -> records.SeriesMark: ...


class Attempt(Generic[T]):
    """This request's reservation, seen by the write it guards."""

    def __init__(self, layer: RecordStore, render: Callable[[T], Reply]) -> None:
        self._layer = layer
        self._render = render
        self._pending: Reply | None = None

    def completion(self, result: T) -> records.Completion:
        self._pending = self._render(result)
        return self._layer.completion(serialize_reply(self._pending))

    def committed(self) -> None:
        self._layer.mark_completed()

    @property
    def continued_series_uid(self) -> str | None:
        return self._layer.continued_series_uid

    def series_mark(self, series_uid: str) -> records.SeriesMark:
        return self._layer.series_mark(series_uid)

    def reply(self, result: T) -> Reply:
        """The answer: the one the transaction stored, or (nothing committed) a fresh one that
        Powertools stores on its own completion."""
        if self._layer.completed_in_transaction and self._pending is not None:
            return self._pending
        return self._render(result)


class _BoundedContext:
    """The Lambda context as Powertools reads it, capped at 30 s of remaining time (§9.3)."""

    def __init__(self, context: object) -> None:
        self._context = context

    def get_remaining_time_in_millis(self) -> int:
        remaining = FALLBACK_TIMEOUT_MS
        getter = getattr(self._context, "get_remaining_time_in_millis", None)
        if callable(getter):
            remaining = int(getter())
        return max(0, min(remaining, MAX_IN_PROGRESS_MS))


@dataclass(frozen=True, slots=True)
class _Replayed:
    response: Mapping[str, Any]


def _replayed(response: Any, idempotent_data: DataRecord) -> _Replayed:  # noqa: ARG001
    return _Replayed(response)


def _config(lambda_context: object) -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    config = IdempotencyConfig(
        event_key_jmespath="key",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=int(records.RETENTION.total_seconds()),
        hash_function="sha256",
        response_hook=_replayed,
    )
    config.register_lambda_context(_BoundedContext(lambda_context))  # type: ignore[arg-type]
    return config


@dataclass(frozen=True, slots=True)
class Request:
    """Who asks, with which key, for which fingerprint (§9.2)."""

    organization_id: str
    credential_id: str
    request_id: str
    key: str
    fingerprint: str
    now: datetime
    lambda_context: object = None


def run(
    request: Request, render: Callable[[T], Reply], write: Callable[[Attempt[T]], T]
) -> tuple[Reply, bool]:
    """(answer, whether it is a replay): replay a completed record, refuse a busy or reused key, or
    run `write` under a fresh reservation. `write` raises a contract error for every non-2xx answer;
    the reservation is then released."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    from fortytwo.store.idempotency_layer import RecordStore

    layer = RecordStore(
        records.Reservation(
            organization_id=request.organization_id,
            fingerprint=request.fingerprint,
            attempt_token=secrets.token_hex(16),
            request_id=request.request_id,
            credential_id=request.credential_id,
            reserved_at=request.now,
        )
    )
    attempt: Attempt[T] = Attempt(layer, render)

    def execute(payload: Mapping[str, str]) -> dict[str, Any]:
        return attempt.reply(write(attempt)).to_dict()

    guarded = idempotent_function(
        execute,
        data_keyword_argument="payload",
        persistence_store=layer,
        config=_config(request.lambda_context),
        key_prefix=KEY_PREFIX,
    )
    try:
        result = guarded(payload={"key": request.key})
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyInProgress(IN_PROGRESS_MESSAGE) from exc
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyConflict(
            "This Idempotency-Key was already used with a different request"
        ) from exc
    except IdempotencyPersistenceLayerError as exc:
        if isinstance(exc.__cause__, records.StaleAttempt):
            raise IdempotencyInProgress(IN_PROGRESS_MESSAGE) from exc
        raise ServiceUnavailable() from exc
    if isinstance(result, _Replayed):
        return Reply.from_dict(result.response), True
    return Reply.from_dict(result), False
