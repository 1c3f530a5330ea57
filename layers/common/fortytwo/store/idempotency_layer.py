"""The Powertools persistence layer of one request's idempotency record (`store/idempotency.py`
describes the protocol and its rules; this is the `BasePersistenceLayer` subclass)."""

from __future__ import annotations

import time
from collections.abc import Mapping
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
from fortytwo.store.idempotency import (
    RETENTION,
    STATE_INPROGRESS,
    Completion,
    Reservation,
    SeriesMark,
    StaleAttempt,
    completion_update,
    series_update,
)


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
        # The series an expired attempt of this same request had created (35-series §11.1).
        self.continued_series_uid: str | None = None

    @property
    def _pk(self) -> str:
        return keys.idempotency_partition(self.reservation.organization_id)

    def completion(self, response: str) -> Completion:
        assert self.sort_key is not None, "complete only a reserved record"
        return Completion(
            self.reservation.organization_id, self.sort_key, self.reservation.attempt_token, response
        )

    def series_mark(self, series_uid: str) -> SeriesMark:
        assert self.sort_key is not None, "mark only a reserved record"
        return SeriesMark(
            self.reservation.organization_id, self.sort_key, self.reservation.attempt_token, series_uid
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
            answer = dynamo.client().put_item(
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
                ReturnValues="ALL_OLD",
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
        self._keep_series(dynamo.from_item(answer.get("Attributes") or {}), int(now))  # type: ignore[arg-type]

    def _keep_series(self, old: Mapping[str, Any], now: int) -> None:
        """Taking over an expired attempt of the same request that had created a series: keep its
        uid on the new reservation (a crash before this attempt records it again must not lose it)
        and hand it to the write. A record past its retention is a new request, not a retry."""
        series_uid = old.get("series_uid")
        if (
            not series_uid
            or old.get("state") != STATE_INPROGRESS
            or old.get("fingerprint") != self.reservation.fingerprint
            or int(old.get("ttl") or 0) < now
        ):
            return
        assert self.sort_key is not None
        self._update_own(self.sort_key, series_update(str(series_uid), self.reservation.attempt_token))
        self.continued_series_uid = str(series_uid)

    def _update_record(self, data_record: DataRecord) -> None:
        if self.completed_in_transaction:
            return  # the write's transaction already completed the record
        self._update_own(
            data_record.idempotency_key,
            completion_update(data_record.response_data or "", self.reservation.attempt_token),
        )

    def _update_own(self, sort_key: str, update: Mapping[str, Any]) -> None:
        """An update conditional on this attempt still holding the record; StaleAttempt when it was
        taken over meanwhile."""
        try:
            dynamo.client().update_item(
                TableName=dynamo.table_name(), Key=dynamo.key(self._pk, sort_key), **update
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
                ConditionExpression="attempt_token = :mine AND attribute_not_exists(series_uid)",
                ExpressionAttributeValues=dynamo.values({":mine": self.reservation.attempt_token}),
            )
        except ClientError as exc:
            if not dynamo.is_conditional_failure(exc):
                raise  # taken over by a newer attempt, or a series exists: not ours to delete
