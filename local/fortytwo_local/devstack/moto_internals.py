"""The few places where the local stack reaches into moto's in-process state.

Everything else talks to moto over its HTTP API like the functions do. These helpers exist
because the API cannot express them (an in-flight SQS message's visibility, restoring a
message's receive count) or because moto keeps state the API never frees. Callers hold the
emulator's service lock so moto's request threads never see a half-done change, and treat a
failure here as "feature degraded", never fatal.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from datetime import datetime
from typing import Any


def _dynamodb(account_id: str, region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[account_id][region]


def _streams(account_id: str, region: str) -> Any:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodbstreams_backends[account_id][region]


def _sqs_queue(account_id: str, region: str, queue_name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region].queues[queue_name]


def forget_shard_iterators(account_id: str, region: str) -> None:
    """moto keeps every shard iterator it ever issued; a poller asking twice a second would
    grow that without bound. The pollers are the only stream readers in the process."""
    _streams(account_id, region).shard_iterators.clear()


def trim_stream(account_id: str, region: str, table_name: str, through_sequence: int) -> None:
    """Drop stream records up to and including `through_sequence` (already processed).

    moto deep-copies the whole table, stream records included, on every TransactWriteItems;
    without trimming, each booking would get slower as the stream grows. Sequence numbers stay
    stable because the shard's starting number advances by what is dropped.
    """
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is None:
        return
    drop = min(len(shard.items), through_sequence - shard.starting_sequence_number + 1)
    if drop > 0:
        del shard.items[:drop]
        shard.starting_sequence_number += drop


def take_stream_records(account_id: str, region: str, table_name: str, after: int | None,
                        limit: int) -> list[dict[str, Any]]:
    """Stream records after sequence number `after` (all when None), in GetRecords' shape, and
    drop everything up to the last one returned.

    The same records GetRecords would serialise, minus the serialising: moto's response
    serialiser costs milliseconds per record, and every API request writes at least one
    (its rate-limit counter), so reading over the API made the poller a large share of the
    stack's CPU. Dropping read records also keeps moto's per-transaction table copy small.
    """
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is None:
        return []
    first = 0 if after is None else max(0, after + 1 - shard.starting_sequence_number)
    taken = shard.items[first:first + limit]
    records = [copy.deepcopy(item.to_json()) for item in taken]
    consumed = min(len(shard.items), first + len(taken))
    if consumed:
        del shard.items[:consumed]
        shard.starting_sequence_number += consumed
    return records


def skip_stream(account_id: str, region: str, table_name: str) -> int | None:
    """Drop every record in the stream; the sequence number of the last one (None if empty)."""
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is None or not shard.items:
        return None
    last = shard.starting_sequence_number + len(shard.items) - 1
    shard.items.clear()
    shard.starting_sequence_number = last + 1
    return last


def has_visible_messages(account_id: str, region: str, queue_name: str) -> bool:
    """Whether ReceiveMessage would find anything (cheap; lets idle pollers skip the call)."""
    messages = list(_sqs_queue(account_id, region, queue_name)._messages)
    return any(m.visible and not m.delayed for m in messages)


def queue_messages(account_id: str, region: str, queue_name: str) -> list[dict[str, Any]]:
    """Every message of a queue, visible or in flight, with the time until it is visible."""
    now_ms = time.time() * 1000
    saved = []
    for message in list(_sqs_queue(account_id, region, queue_name)._messages):
        visible_at = max(float(message.visible_at or 0), float(message.delayed_until or 0))
        saved.append({
            "message_id": message.id,
            "body": message.body,
            "message_attributes": _json_message_attributes(message.message_attributes),
            "sent_timestamp": message.sent_timestamp,
            "receive_count": message.approximate_receive_count,
            "first_receive_timestamp": message.approximate_first_receive_timestamp,
            "visible_in_ms": max(0, int(visible_at - now_ms)),
            "group_id": message.group_id,
            "deduplication_id": message.deduplication_id,
        })
    return saved


def _json_message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    import base64

    out = {}
    for name, value in attributes.items():
        entry = {"DataType": value["DataType"]}
        if value.get("StringValue") is not None:
            entry["StringValue"] = value["StringValue"]
        if value.get("BinaryValue") is not None:
            raw = value["BinaryValue"]
            entry["BinaryValue"] = base64.b64encode(raw if isinstance(raw, bytes) else raw.encode()).decode()
        out[name] = entry
    return out


def restore_message_state(account_id: str, region: str, queue_name: str, new_message_id: str,
                          saved: dict[str, Any]) -> None:
    """Give a re-sent message back its identity, receive count and remaining invisibility."""
    queue = _sqs_queue(account_id, region, queue_name)
    message = next(m for m in queue._messages if m.id == new_message_id)
    message.id = saved["message_id"]
    if saved.get("sent_timestamp"):
        message.sent_timestamp = saved["sent_timestamp"]
    message.approximate_receive_count = int(saved.get("receive_count") or 0)
    message.approximate_first_receive_timestamp = saved.get("first_receive_timestamp")
    message.visible_at = time.time() * 1000 + int(saved.get("visible_in_ms") or 0)
    message.delayed_until = 0.0


# DynamoDB data-plane operations whose results are plain DynamoDB JSON once DynamoType values
# are expanded (moto does that in DynamoResult); verified equal to moto's own serialiser.
_FAST_OPERATIONS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
    "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
})


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def install_fast_dynamodb_serializer() -> None:
    """Serialise DynamoDB item results with json.dumps instead of moto's model-driven serialiser.

    moto 5.2 walks the botocore shape for every attribute value: a Query returning 50 items
    of ~30 attributes took ~0.9 s, every list endpoint paid it. Control-plane operations keep
    moto's serialiser.
    """
    from moto.dynamodb.responses import DynamoResult

    if "_fortytwo_original" in vars(DynamoResult):
        return
    original = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in _FAST_OPERATIONS:
            return original(self, context)
        body = json.dumps(_without_none(self.result), default=_json_default, separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    DynamoResult._fortytwo_original = original  # type: ignore[attr-defined]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


def uninstall_fast_dynamodb_serializer() -> None:
    """Give moto its own serialiser back (tests may use moto in this process afterwards)."""
    from moto.dynamodb.responses import DynamoResult

    original = vars(DynamoResult).get("_fortytwo_original")
    if original is not None:
        DynamoResult.execute_result = original  # type: ignore[method-assign]
        del DynamoResult._fortytwo_original  # type: ignore[attr-defined]
