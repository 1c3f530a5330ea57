"""THE adapter between the local stack and moto/botocore internals: nothing else in the devstack
imports `moto` or patches botocore.

Everything else talks to moto over its AWS API like the functions do. What lives here exists
because the API cannot express it (an in-flight SQS message's visibility, restoring a message's
receive count, the item images a write left behind), because moto keeps state the API never
frees, or because moto's generic code is too slow for a stack that serves a test suite (the
serialiser, the whole-table transaction copy, the TCP hop). Each of these reads moto's private
structures, so the adapter is written for ONE moto version: `require_pinned_moto()` refuses to
run on any other (a clear error at stack start and a failing test, never a silent slow path).
Upgrading moto = re-reading the sources listed in `_PINNED_SOURCES`, then updating the pins.
Callers hold the emulator's service lock so moto's request threads never see a half-done change.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import importlib.metadata
import inspect
import io
import json
import logging
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.handlers import BUILTIN_HANDLERS

log = logging.getLogger("fortytwo.devstack")

# The moto release this adapter was written against (pyproject.toml pins the same, exactly).
MOTO_VERSION = "5.2.6"

WsgiApp = Callable[..., Iterable[bytes]]


class MotoMismatchError(RuntimeError):
    """The installed moto is not the one this adapter was written for."""


def installed_moto_version() -> str:
    return importlib.metadata.version("moto")


def require_pinned_moto() -> None:
    """Raise MotoMismatchError unless moto is exactly MOTO_VERSION with the sources read here."""
    installed = installed_moto_version()
    if installed != MOTO_VERSION:
        raise MotoMismatchError(
            f"the local stack needs moto=={MOTO_VERSION} (installed: {installed}); its adapter "
            "(fortytwo_local/devstack/moto_internals.py) reads moto internals of that release. "
            f"Install the pinned version (pip install 'moto=={MOTO_VERSION}') or port the adapter."
        )
    wrong = _pinned_mismatches()
    if wrong:
        raise MotoMismatchError(
            f"moto {installed} is not the moto {MOTO_VERSION} this adapter was written for: "
            "these internals differ: " + ", ".join(wrong)
        )


# --- moto's server and the in-process transport --------------------------------------------------


class MotoServer:
    """moto's threaded server on loopback; `wrap` sees (and may serialise) every AWS call.

    The functions run in the same process as moto's server, yet every AWS call would cross a
    fresh TCP connection (moto's werkzeug server closes each one) and a new server thread:
    about half of a call's cost. Unless `over_http`, a botocore `before-send` hook hands
    requests for this endpoint straight to the same wrapped WSGI app (same locks, same
    journal), so only the socket is skipped. Other processes (the `42min` CLI) use HTTP.
    """

    def __init__(self, wrap: Callable[[WsgiApp], WsgiApp], over_http: bool = False) -> None:
        require_pinned_moto()
        from moto.server import ThreadedMotoServer

        install_fast_dynamodb_serializer()
        # werkzeug would log every AWS call of every request to stderr.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        wsgi_server = self._server._server  # the werkzeug server ThreadedMotoServer just bound
        self.app = wrap(wsgi_server.app)
        wsgi_server.app = self.app
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self._in_process = not over_http
        if self._in_process:
            _install_transport(self.endpoint_url, self.app)

    def stop(self) -> None:
        if self._in_process:
            _uninstall_transport(self.endpoint_url)
        uninstall_fast_dynamodb_serializer()
        self._server.stop()


_apps: dict[str, WsgiApp] = {}  # endpoint URL → app
_transport_lock = threading.Lock()


class _RawBody:
    """What AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


def _install_transport(endpoint_url: str, app: WsgiApp) -> None:
    """Serve `endpoint_url` in-process for every botocore session created from now on."""
    with _transport_lock:
        _apps[endpoint_url.rstrip("/")] = app
        if ("before-send", _before_send) not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(("before-send", _before_send))


def _uninstall_transport(endpoint_url: str) -> None:
    with _transport_lock:
        _apps.pop(endpoint_url.rstrip("/"), None)


def _before_send(request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
    url = request.url or ""
    for endpoint, app in list(_apps.items()):
        if url == endpoint or url.startswith(endpoint + "/") or url.startswith(endpoint + "?"):
            return _call(app, request)
    return None  # not ours: botocore sends it over the network


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)  # botocore may retry with the same stream
        return data if isinstance(data, bytes) else data.encode("utf-8")
    return bytes(body)


def _call(app: WsgiApp, request: AWSPreparedRequest) -> AWSResponse:
    parts = urlsplit(request.url)
    body = _body_bytes(request.body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path or "/",
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "127.0.0.1",
        "SERVER_PORT": str(parts.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": parts.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = text
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[..., Any]:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers
        return lambda _data: None

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return AWSResponse(request.url, captured["status"], dict(captured["headers"]), _RawBody(data))


# --- state moto keeps that the API cannot reach ---------------------------------------------------


def reset_backends(attempts: int = 5) -> None:
    """Forget every resource, as `POST /moto-api/reset` does, but in this process: the backends are
    process-global, and a reset over loopback HTTP can time out on a loaded machine and leave a
    table behind for the next stack.

    moto iterates its backend dicts while resetting; a thread of the stopping stack still finishing
    (past its join timeout on a loaded machine) can add a region backend meanwhile, and the reset
    dies half done with "dictionary changed size during iteration": retried."""
    from moto.moto_api._internal.models import moto_api_backend

    for attempt in range(attempts):
        try:
            moto_api_backend.reset()
            return
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


def leftover_resources(account_id: str, region: str) -> list[str]:
    """Tables and queues already in this process's moto: what a previous stack left behind."""
    from moto.sqs.models import sqs_backends

    return sorted(_dynamodb(account_id, region).tables) + sorted(sqs_backends[account_id][region].queues)


def _dynamodb(account_id: str, region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[account_id][region]


def _streams(account_id: str, region: str) -> Any:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodbstreams_backends[account_id][region]


def _sqs_queue(account_id: str, region: str, queue_name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region].queues[queue_name]


def take_stream_records(
    account_id: str, region: str, table_name: str, after: int | None, limit: int
) -> list[dict[str, Any]]:
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
    taken = shard.items[first : first + limit]
    records = [copy.deepcopy(item.to_json()) for item in taken]
    consumed = min(len(shard.items), first + len(taken))
    if consumed:
        del shard.items[:consumed]
        shard.starting_sequence_number += consumed
    return records


def stream_records_after(
    account_id: str, region: str, table_name: str, after: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Copies (JSON-safe) of the stream records after sequence number `after` (all when None),
    left in place, and the last sequence number the stream has issued (None: no stream)."""
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is None:
        return [], None
    last = shard.starting_sequence_number + len(shard.items) - 1
    first = 0 if after is None else max(0, after + 1 - shard.starting_sequence_number)
    records = [item.to_json() for item in shard.items[first:]]
    copies: list[dict[str, Any]] = json.loads(json.dumps(_without_none(records), default=_json_default))
    return copies, last


def advance_stream(account_id: str, region: str, table_name: str, past: int) -> None:
    """Make the stream's next sequence number greater than `past` (a previous process's records,
    replayed after a restart, must keep sorting before new ones: moto starts every shard at the
    same number)."""
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is not None and shard.starting_sequence_number + len(shard.items) <= past:
        shard.starting_sequence_number = past + 1 - len(shard.items)


def skip_stream(account_id: str, region: str, table_name: str) -> int | None:
    """Drop every record in the stream; the sequence number of the last one (None if empty)."""
    shard = _dynamodb(account_id, region).get_table(table_name).stream_shard
    if shard is None or not shard.items:
        return None
    last = shard.starting_sequence_number + len(shard.items) - 1
    shard.items.clear()
    shard.starting_sequence_number = last + 1
    return last


def item_image(account_id: str, region: str, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The item stored under `key` (DynamoDB JSON, binary as base64), or None: what the journal
    records after a write. Read in-process: no request, no serialiser, no empty bucket left."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = _dynamodb(account_id, region).get_table(table_name)
    hash_key = DynamoType(key[table.hash_key_attr])
    bucket = table.items.get(hash_key)
    if table.range_key_attr is None:
        item = bucket
    else:
        item = bucket.get(DynamoType(key[table.range_key_attr])) if bucket else None
    if item is None:
        return None
    image: dict[str, Any] = json.loads(
        json.dumps(_without_none(item.to_json()["Attributes"]), default=_json_default)
    )
    return image


def table_items(account_id: str, region: str, table_name: str) -> list[dict[str, Any]]:
    """Every item of a table (DynamoDB JSON, binary as base64), read in-process for a snapshot."""
    table = _dynamodb(account_id, region).get_table(table_name)
    buckets = table.items.values() if table.range_key_attr else [{None: i} for i in table.items.values()]
    attributes = [item.to_json()["Attributes"] for bucket in buckets for item in bucket.values()]
    images: list[dict[str, Any]] = json.loads(json.dumps(_without_none(attributes), default=_json_default))
    return images


def _saved_message(message: Any, **timing: Any) -> dict[str, Any]:
    """One message as the state file keeps it; `timing` says when it is visible again."""
    return {
        "message_id": message.id,
        "body": message.body,
        "message_attributes": _json_message_attributes(message.message_attributes),
        "sent_timestamp": message.sent_timestamp,
        "receive_count": message.approximate_receive_count,
        "first_receive_timestamp": message.approximate_first_receive_timestamp,
        **timing,
        "group_id": message.group_id,
        "deduplication_id": message.deduplication_id,
    }


def _visible_at_ms(message: Any) -> float:
    return max(float(message.visible_at or 0), float(message.delayed_until or 0))


def queue_state(account_id: str, region: str, queue_name: str) -> dict[str, dict[str, Any]]:
    """Every message of a queue by id, with the absolute time (epoch ms) it is visible again:
    the same message reads the same until something changes it."""
    return {
        message.id: _saved_message(message, visible_at_ms=int(_visible_at_ms(message)))
        for message in list(_sqs_queue(account_id, region, queue_name)._messages)
    }


def has_visible_messages(account_id: str, region: str, queue_name: str) -> bool:
    """Whether ReceiveMessage would find anything (cheap; lets idle pollers skip the call)."""
    messages = list(_sqs_queue(account_id, region, queue_name)._messages)
    return any(m.visible and not m.delayed for m in messages)


def queue_messages(account_id: str, region: str, queue_name: str) -> list[dict[str, Any]]:
    """Every message of a queue, visible or in flight, with the time until it is visible."""
    now_ms = time.time() * 1000
    return [
        _saved_message(message, visible_in_ms=max(0, int(_visible_at_ms(message) - now_ms)))
        for message in list(_sqs_queue(account_id, region, queue_name)._messages)
    ]


def _json_message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
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


def restore_message_state(
    account_id: str, region: str, queue_name: str, new_message_id: str, saved: dict[str, Any]
) -> None:
    """Give a re-sent message back its identity, receive count and remaining invisibility."""
    queue = _sqs_queue(account_id, region, queue_name)
    message = next(m for m in queue._messages if m.id == new_message_id)
    message.id = saved["message_id"]
    if saved.get("sent_timestamp"):
        message.sent_timestamp = saved["sent_timestamp"]
    message.approximate_receive_count = int(saved.get("receive_count") or 0)
    message.approximate_first_receive_timestamp = saved.get("first_receive_timestamp")
    if saved.get("visible_at_ms") is not None:
        message.visible_at = float(saved["visible_at_ms"])
    else:  # state files before the journal kept the time left
        message.visible_at = time.time() * 1000 + int(saved.get("visible_in_ms") or 0)
    message.delayed_until = 0.0


# DynamoDB data-plane operations whose results are plain DynamoDB JSON once DynamoType values
# are expanded (moto does that in DynamoResult); verified equal to moto's own serialiser.
_FAST_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


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

    install_transaction_journal()
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

    uninstall_transaction_journal()
    original = vars(DynamoResult).get("_fortytwo_original")
    if original is not None:
        DynamoResult.execute_result = original  # type: ignore[method-assign]
        del DynamoResult._fortytwo_original  # type: ignore[attr-defined]


# --- TransactWriteItems rollback -----------------------------------------------------------------
#
# moto's transact_write_items deep-copies every table a transaction names before applying it (and
# puts the copy back on failure): 0.4 s at 500 items, 2.3 s at 3,000, on every booking write. The
# patch runs moto's own function unchanged except that `copy.deepcopy` of a table returns the table
# itself (so its rollback assignment is a no-op), after journalling the pre-transaction state of
# exactly the items the transaction names; on any failure the journal puts those back.
#
# What a transaction can change, read from moto 5.2.6: `table.items[hash]` (hash-only tables) or
# `table.items[hash][range]` (range tables; a read of a missing hash inserts an empty bucket, the
# defaultdict), an Item's attributes in place (UpdateItem), and `stream_shard.items` (appended).
# Secondary indexes hold no state of their own: Query/Scan on an index derive from `table.items`.
# The journal relies on that, so the sources it was read from are pinned below with the rest of
# what this adapter reads; any difference refuses to start (require_pinned_moto).

_PINNED_SOURCES = {  # "module:Class.attr" -> sha256 prefix of inspect.getsource (moto 5.2.6)
    "moto.dynamodb.models:DynamoDBBackend.transact_write_items": "81db2cb7d94e39c9",
    "moto.dynamodb.models:DynamoDBBackend.get_table": "a738146035fc206b",
    "moto.dynamodb.models:DynamoDBBackend.get_item": "290b95c46b38bc5a",
    "moto.dynamodb.models:DynamoDBBackend.get_keys_value": "1f948797496ddc2c",
    "moto.dynamodb.models:DynamoDBBackend.put_item": "f5d9a5042c77b89e",
    "moto.dynamodb.models:DynamoDBBackend.update_item": "218984588dd689a5",
    "moto.dynamodb.models:DynamoDBBackend.delete_item": "083a4bb1af18f6fd",
    "moto.dynamodb.models.table:Table.get_item": "b08e98fe37b7e583",
    "moto.dynamodb.models.table:Table.put_item": "de23933013ef8426",
    "moto.dynamodb.models.table:Table.delete_item": "1594f7b07616c8cb",
    "moto.dynamodb.models.table:StreamShard.add": "357dc6da267e5dd7",
    "moto.dynamodb.models.table:StreamShard.__init__": "5b521e4bd51c467e",
    "moto.dynamodb.models.table:StreamRecord.to_json": "99dcfe1e37055a23",
    "moto.dynamodb.models.dynamo_type:Item.to_json": "cf0a9332389d6fd9",
    "moto.dynamodbstreams.models:DynamoDBStreamsBackend.__init__": "074dec7c828aa7e5",
    "moto.sqs.models:Queue.__init__": "0a4781ed5a21a050",
    "moto.sqs.models:Message.__init__": "4ab16d5eb16ec41c",
    "moto.server:ThreadedMotoServer.start": "1cbbc8072bb9b6e7",
    "moto.moto_api._internal.models:MotoAPIBackend.reset": "b0bd0f1d8f560496",
    "moto.server:ThreadedMotoServer.get_host_and_port": "726672b606765815",
}
_ORIGINAL_TRANSACT = "_fortytwo_original_transact_write_items"


class _KeepTable:
    """Stands in for the `copy` module inside the cloned transact_write_items only."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value


class _WholeTable(Exception):
    """This table needs moto's whole-table copy (journalling it per item would not be exact)."""


class _Journal:
    """Pre-transaction state of the items (and stream length) a transaction can touch."""

    def __init__(self) -> None:
        self.whole: dict[str, Any] = {}  # table name -> deep copy, as moto would take
        # (table, hash, range or None, bucket before or None, item copy or None)
        self.items: dict[tuple[int, Any, Any], tuple[Any, Any, Any, dict[Any, Any] | None, Any]] = {}
        self.streams: dict[int, tuple[Any, list[Any], int]] = {}  # id(shard) -> (shard, list, length)

    @classmethod
    def capture(cls, backend: Any, transact_items: Any) -> _Journal:
        journal = cls()
        for entry in transact_items if isinstance(transact_items, list) else []:
            try:
                op_type, op = next(iter(entry.items()))
                table = backend.get_table(op.get("TableName"))
            except Exception:  # noqa: BLE001 - moto fails this operation before it writes anything
                continue
            name = next((n for n, t in backend.tables.items() if t is table), None)
            if name is None or name in journal.whole:
                continue
            try:
                journal._record(table, op_type, op)
            except _WholeTable:
                journal._drop(table)
                journal.whole[name] = copy.deepcopy(table)
        return journal

    def _record(self, table: Any, op_type: str, op: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        if table.lambda_event_source_mappings or not isinstance(table.items, dict):
            raise _WholeTable  # moto may hand the stream to Lambda and reset it mid-transaction
        try:
            source = op["Item"] if op_type == "Put" else op["Key"]  # where moto reads the key
            hash_key = DynamoType(source[table.hash_key_attr])
            range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
            slot = (id(table), hash_key, range_key)
        except Exception as exc:  # noqa: BLE001 - a key moto may read differently: copy it all
            raise _WholeTable from exc
        if slot not in self.items:
            bucket = table.items.get(hash_key)
            if range_key is None:
                before, kept_bucket = bucket, None
            elif isinstance(bucket, dict):
                before, kept_bucket = bucket.get(range_key), bucket
            elif bucket is None:
                before, kept_bucket = None, None
            else:
                raise _WholeTable  # not the layout this journal knows how to put back
            self.items[slot] = (table, hash_key, range_key, kept_bucket, copy.deepcopy(before))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.streams:
            self.streams[id(shard)] = (shard, shard.items, len(shard.items))

    def _drop(self, table: Any) -> None:
        self.items = {k: v for k, v in self.items.items() if v[0] is not table}
        self.streams = {k: v for k, v in self.streams.items() if v[0].table is not table}

    def restore(self, backend: Any) -> None:
        emptied: list[tuple[Any, Any]] = []
        for table, hash_key, range_key, bucket, before in self.items.values():
            if range_key is None:
                if before is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = before
                continue
            if bucket is None:  # the hash had no bucket: everything in it is this transaction's
                emptied.append((table, hash_key))
                continue
            table.items[hash_key] = bucket  # the same dict object, as moto left it before
            if before is None:
                bucket.pop(range_key, None)
            else:
                bucket[range_key] = before
        for table, hash_key in emptied:
            table.items.pop(hash_key, None)
        for shard, records, length in self.streams.values():
            shard.items = records
            del records[length:]
        for name, table in self.whole.items():
            backend.tables[name] = table


def _pinned_mismatches() -> list[str]:
    import importlib

    wrong = []
    for where, expected in _PINNED_SOURCES.items():
        module_name, _, qualname = where.partition(":")
        owner_name, _, attr = qualname.partition(".")
        try:
            owner = vars(importlib.import_module(module_name))[owner_name]
            source = inspect.getsource(vars(owner)[attr])
        except (ImportError, KeyError, OSError, TypeError):
            wrong.append(qualname)
            continue
        if hashlib.sha256(source.encode()).hexdigest()[:16] != expected:
            wrong.append(qualname)
    return wrong


def _journalled(original: Callable[..., Any]) -> Callable[..., Any]:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        journal = _Journal.capture(self, transact_items)
        # A fresh globals view per call so later changes to moto's module (test mocks) still apply.
        scope = dict(original.__globals__, copy=_KeepTable)
        run = types.FunctionType(original.__code__, scope, original.__name__, original.__defaults__)
        try:
            run(self, transact_items)
        except BaseException:
            journal.restore(self)
            raise

    transact_write_items.__wrapped__ = original  # type: ignore[attr-defined]
    return transact_write_items


def install_transaction_journal() -> None:
    """Make TransactWriteItems roll back per item instead of copying whole tables.

    Raises MotoMismatchError when moto is not the release this was read from.
    """
    from moto.dynamodb.models import DynamoDBBackend

    if _ORIGINAL_TRANSACT in vars(DynamoDBBackend):
        return
    require_pinned_moto()
    original = vars(DynamoDBBackend)["transact_write_items"]
    if original.__code__.co_freevars or "copy" not in original.__code__.co_names:
        raise MotoMismatchError("moto's transact_write_items no longer has the shape this adapter patches")
    setattr(DynamoDBBackend, _ORIGINAL_TRANSACT, original)
    DynamoDBBackend.transact_write_items = _journalled(original)  # type: ignore[method-assign]


def uninstall_transaction_journal() -> None:
    """Give moto its own transact_write_items back."""
    from moto.dynamodb.models import DynamoDBBackend

    original = vars(DynamoDBBackend).get(_ORIGINAL_TRANSACT)
    if original is not None:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]
        delattr(DynamoDBBackend, _ORIGINAL_TRANSACT)
