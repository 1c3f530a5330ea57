"""The local stack's durable state: a snapshot (`<data-dir>/state.json`) plus a write-ahead journal
(`journal-<n>.log`), so an acknowledged write survives anything, `kill -9` included.

Every DynamoDB write and every SQS change is captured by the emulator's front door while it still
holds the service lock (so the journal's order is the order changes were applied) and fsynced
before the call's response leaves (journal.Journal, group commit). What is journalled is the
result, not the request: for DynamoDB the full image (or absence) of every item the call named,
for SQS every message whose state changed (sent, received, made visible, moved to a dead-letter
queue, deleted). Replaying is therefore exact and idempotent: the snapshot, then the journal
generations it does not contain, folded to one final state. Compaction writes a new snapshot when
the journal grows past COMPACT_BYTES, on stop and after start-up, then drops the journal files
the snapshot covers. The table's stream is durable too: each write journals the stream records it
made, the stream pollers report how far they are done (`consumed`), and records not yet done when
the stack died are handed to the pollers again after a restart, as DynamoDB Streams keeps them.
Not journalled: SQS FIFO deduplication windows.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fortytwo_local.devstack import moto_internals
from fortytwo_local.devstack.attribute_values import boto_item
from fortytwo_local.devstack.background import BackgroundThread
from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.journal import Journal, fsync_directory, generations, journal_path, read_records
from fortytwo_local.devstack.template import TableDef, Template

log = logging.getLogger("fortytwo.devstack")

STATE_FILE = "state.json"
STATE_FORMAT = "42min-devstack-state"
STATE_VERSION = 2  # 2: messages carry the absolute time they are visible; + journal generation
READABLE_VERSIONS = (1, 2)
COMPACT_BYTES = 4 * 1024 * 1024
CHECK_INTERVAL_S = 0.5

D = TypeVar("D")  # a table or queue definition

# The DynamoDB calls that change items, and where each names them.
_DDB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def _named_items(action: str, request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table name, item or key) for every item a write call names."""
    if action == "PutItem":
        return [(request["TableName"], request["Item"])]
    if action in ("UpdateItem", "DeleteItem"):
        return [(request["TableName"], request["Key"])]
    named: list[tuple[str, dict[str, Any]]] = []
    if action == "BatchWriteItem":
        for table, requests in (request.get("RequestItems") or {}).items():
            for entry in requests:
                if "PutRequest" in entry:
                    named.append((table, entry["PutRequest"]["Item"]))
                elif "DeleteRequest" in entry:
                    named.append((table, entry["DeleteRequest"]["Key"]))
    elif action == "TransactWriteItems":
        for entry in request.get("TransactItems") or []:
            for kind, part in ("Put", "Item"), ("Update", "Key"), ("Delete", "Key"):
                if kind in entry:
                    named.append((entry[kind]["TableName"], entry[kind][part]))
    return named


@dataclass(frozen=True)
class RestoreSummary:
    items: int
    messages: int
    journal_records: int
    stream_backlog: dict[str, list[dict[str, Any]]]  # table name -> records not yet processed


class Persistence:
    def __init__(self, data_dir: Path, template: Template, emulator: Emulator) -> None:
        self.data_dir = data_dir
        self.path = data_dir / STATE_FILE
        self.template = template
        self.emulator = emulator
        self.journal: Journal | None = None
        self._key_attributes = {
            t.name: [k["AttributeName"] for k in t.key_schema] for t in template.tables.values()
        }
        self._queue_names = [q.name for q in template.queues.values()]
        self._queues: dict[str, dict[str, dict[str, Any]]] = {}  # last journalled state, per queue
        self._streams = [t.name for t in template.tables.values() if t.stream_view_type]
        self._stream_last: dict[str, int | None] = {}  # last stream record journalled, per table
        self._unconsumed: dict[str, list[dict[str, Any]]] = {name: [] for name in self._streams}
        self._consumers: dict[str, dict[str, int]] = {}  # table -> consumer -> done through
        self._consumed_lock = threading.Lock()
        self._compact_lock = threading.Lock()

    def has_state(self) -> bool:
        return self.path.exists() or bool(generations(self.data_dir))

    # --- capture: called by the emulator's front door -----------------------------------------

    def capture(self, service: str, action: str, request: dict[str, Any] | None) -> int | None:
        """Journal what the call just changed (caller holds the service lock); the sequence number
        to `sync` before answering, or None when there is nothing to make durable."""
        journal = self.journal
        if journal is None:
            return None  # restoring, or stopped
        if service == "dynamodb":
            if action not in _DDB_WRITES or request is None:
                return None
            changes = self._item_changes(action, request)
            if not changes:
                return None
            record: dict[str, Any] = {"ddb": changes}
            streams = self._new_stream_records()
            if streams:
                record["stream"] = streams
            return journal.append(record)
        changed = self._queue_changes()
        return journal.append({"sqs": changed}) if changed else None

    def sync(self, seq: int) -> None:
        journal = self.journal
        if journal is not None:
            journal.sync(seq)

    def _item_changes(self, action: str, request: dict[str, Any]) -> list[list[Any]]:
        changes: list[list[Any]] = []
        seen: set[str] = set()
        for table, attributes in _named_items(action, request):
            names = self._key_attributes.get(table)
            if names is None:
                continue  # not a template table: not the stack's state
            key = {name: attributes[name] for name in names}
            marker = json.dumps([table, key], sort_keys=True)
            if marker in seen:
                continue
            seen.add(marker)
            image = moto_internals.item_image(self.emulator.account_id, self.emulator.region, table, key)
            changes.append([table, key, image])
        return changes

    def _new_stream_records(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for table in self._streams:
            records, last = moto_internals.stream_records_after(
                self.emulator.account_id, self.emulator.region, table, self._stream_last.get(table)
            )
            self._stream_last[table] = last
            if records:
                found[table] = records
                with self._consumed_lock:
                    self._unconsumed[table].extend(records)
        return found

    def consumed(self, table: str, consumer: str, through: int) -> None:
        """A stream poller is done with `table`'s records up to `through` (no sync: losing this
        only means a record is processed again, as Lambda may)."""
        with self._consumed_lock:
            done = self._consumers.setdefault(table, {})
            done[consumer] = through
            position = min(done.values())
            pending = self._unconsumed.get(table, [])
            kept = [r for r in pending if int(r["dynamodb"]["SequenceNumber"]) > position]
            if len(kept) == len(pending):
                return
            self._unconsumed[table] = kept
        journal = self.journal
        if journal is not None:
            journal.append({"done": {table: position}})

    def register_consumer(self, table: str, consumer: str) -> None:
        with self._consumed_lock:
            self._consumers.setdefault(table, {})[consumer] = -1

    def _current_queues(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            name: moto_internals.queue_state(self.emulator.account_id, self.emulator.region, name)
            for name in self._queue_names
        }

    def _queue_changes(self) -> dict[str, dict[str, Any]]:
        changed: dict[str, dict[str, Any]] = {}
        for name, now in self._current_queues().items():
            before = self._queues.get(name, {})
            put = [image for message_id, image in now.items() if before.get(message_id) != image]
            gone = [message_id for message_id in before if message_id not in now]
            if put or gone:
                changed[name] = {"put": put, "del": gone}
            self._queues[name] = now
        return changed

    # --- snapshot and compaction ---------------------------------------------------------------

    def _dump(self, generation: int) -> dict[str, Any]:
        # Read in-process: the caller holds the service locks a request would need.
        tables = {
            table.logical_id: {
                "name": table.name,
                "items": moto_internals.table_items(
                    self.emulator.account_id, self.emulator.region, table.name
                ),
            }
            for table in self.template.tables.values()
        }
        current = self._current_queues()
        queues = {
            queue.logical_id: {"name": queue.name, "messages": list(current[queue.name].values())}
            for queue in self.template.queues.values()
        }
        with self._consumed_lock:
            streams = {table: list(records) for table, records in self._unconsumed.items() if records}
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "generation": generation,
            "streams": streams,
            "saved_at": time.time(),
            "tables": tables,
            "queues": queues,
        }

    def save(self) -> None:
        """Compact: a snapshot of everything, then the journal files it covers go."""
        with self._compact_lock:
            # Every service lock: nothing changes between the dump and the journal's switch.
            with self.emulator.dynamodb_lock, self.emulator.sqs_lock:
                if self.journal is None:
                    generation = max([*generations(self.data_dir), self._saved_generation()]) + 1
                    self.journal = Journal(self.data_dir, generation)
                else:
                    generation = self.journal.next_generation()
                state = self._dump(generation)
                for table in self._streams:  # what later writes' records follow
                    self._stream_last[table] = moto_internals.stream_records_after(
                        self.emulator.account_id, self.emulator.region, table, None
                    )[1]
                self._queues = {
                    q["name"]: {m["message_id"]: m for m in q["messages"]} for q in state["queues"].values()
                }
            self._write_state(state)
            for old in generations(self.data_dir):
                if old < generation:
                    journal_path(self.data_dir, old).unlink(missing_ok=True)

    def _write_state(self, state: dict[str, Any]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        fsync_directory(self.data_dir)

    def _saved_generation(self) -> int:
        if not self.path.exists():
            return 0
        return int(self._read_state().get("generation") or 0)

    def close(self) -> None:
        """Stop journalling (after a final save); later writes are the emulator's reset."""
        journal, self.journal = self.journal, None
        if journal is not None:
            journal.close()

    # --- restore -------------------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        if state.get("format") != STATE_FORMAT or state.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"{self.path}: not a state file this version understands")
        return state

    def _still_declared(
        self, state: dict[str, Any], kind: str, declared: Mapping[str, D]
    ) -> Iterator[tuple[D, dict[str, Any]]]:
        """The saved `kind`s (table, queue) the template still declares, with what was saved of each."""
        for logical_id, saved in (state.get(f"{kind}s") or {}).items():
            definition = declared.get(logical_id)
            if definition is None:
                log.warning(
                    "devstack: %s holds %s %s, which the template no longer has", self.path, kind, logical_id
                )
                continue
            yield definition, saved

    def _snapshot_tables(self, state: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        tables: dict[str, dict[str, dict[str, Any]]] = {}
        for table_def, saved in self._still_declared(state, "table", self.template.tables):
            folded = tables.setdefault(table_def.name, {})
            for item in saved.get("items", []):
                folded[self._marker(table_def, item)] = item
        return tables

    def _snapshot_queues(self, state: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            queue_def.name: {m["message_id"]: m for m in saved.get("messages", [])}
            for queue_def, saved in self._still_declared(state, "queue", self.template.queues)
        }

    def _replay(
        self,
        record: dict[str, Any],
        tables: dict[str, dict[str, dict[str, Any]]],
        queues: dict[str, dict[str, dict[str, Any]]],
        streams: dict[str, list[dict[str, Any]]],
    ) -> None:
        """Apply one journal record (item images, stream records, checkpoints, queue changes)."""
        names = {t.name: t for t in self.template.tables.values()}
        for table_name, key, image in record.get("ddb", []):
            if table_name in names:
                marker = self._marker(names[table_name], key)
                if image is None:
                    tables.setdefault(table_name, {}).pop(marker, None)
                else:
                    tables.setdefault(table_name, {})[marker] = image
        for table_name, records in (record.get("stream") or {}).items():
            streams.setdefault(table_name, []).extend(records)
        for table_name, through in (record.get("done") or {}).items():
            streams[table_name] = [
                r for r in streams.get(table_name, []) if int(r["dynamodb"]["SequenceNumber"]) > through
            ]
        for queue_name, change in (record.get("sqs") or {}).items():
            messages = queues.setdefault(queue_name, {})
            for message_id in change.get("del", []):
                messages.pop(message_id, None)
            for message in change.get("put", []):
                messages[message["message_id"]] = message

    def restore(self) -> RestoreSummary:
        """Load the snapshot and replay the journal into the (empty) emulator. Journalling starts
        with the next `save`, which the stack calls right after."""
        state = self._read_state() if self.path.exists() else {"tables": {}, "queues": {}}
        tables = self._snapshot_tables(state)  # table name -> key marker -> item
        queues = self._snapshot_queues(state)  # queue name -> message id -> message
        streams: dict[str, list[dict[str, Any]]] = {
            table: list(records) for table, records in (state.get("streams") or {}).items()
        }
        replayed = 0
        first = int(state.get("generation") or 0)
        for generation in generations(self.data_dir):
            if generation < first:
                continue
            for record in read_records(journal_path(self.data_dir, generation)):
                replayed += 1
                self._replay(record, tables, queues, streams)
        items = self._load_items(tables)
        messages = self._load_messages(queues)
        backlog = {
            table: records for table, records in streams.items() if table in self._unconsumed and records
        }
        with self._consumed_lock:
            for table, records in backlog.items():
                self._unconsumed[table] = list(records)
        return RestoreSummary(items, messages, replayed, backlog)

    @staticmethod
    def _marker(table: TableDef, item: dict[str, Any]) -> str:
        return json.dumps([item[k["AttributeName"]] for k in table.key_schema], sort_keys=True)

    def _load_items(self, tables: dict[str, dict[str, dict[str, Any]]]) -> int:
        ddb = self.emulator.client("dynamodb")
        count = 0
        for table_name, folded in tables.items():
            batch = [boto_item(item) for item in folded.values()]
            for start in range(0, len(batch), 25):
                requests = {table_name: [{"PutRequest": {"Item": i}} for i in batch[start : start + 25]]}
                while requests:
                    requests = ddb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            count += len(batch)
        return count

    def _load_messages(self, queues: dict[str, dict[str, dict[str, Any]]]) -> int:
        by_name = {q.name: q for q in self.template.queues.values()}
        count = 0
        for queue_name, messages in queues.items():
            queue = by_name.get(queue_name)
            if queue is None:
                continue
            url = self.emulator.physical[queue.logical_id].ref
            for message in messages.values():
                self._restore_message(queue_name, url, queue.fifo, message)
                count += 1
        return count

    def _restore_message(self, queue_name: str, queue_url: str, fifo: bool, saved: dict[str, Any]) -> None:
        sqs = self.emulator.client("sqs")
        attributes = {}
        for name, value in (saved.get("message_attributes") or {}).items():
            entry = {"DataType": value["DataType"]}
            if "StringValue" in value:
                entry["StringValue"] = value["StringValue"]
            if "BinaryValue" in value:
                entry["BinaryValue"] = base64.b64decode(value["BinaryValue"])
            attributes[name] = entry
        kwargs: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": saved["body"]}
        if attributes:
            kwargs["MessageAttributes"] = attributes
        if fifo:
            kwargs["MessageGroupId"] = saved.get("group_id") or "default"
            kwargs["MessageDeduplicationId"] = saved.get("deduplication_id") or saved["message_id"]
        message_id = sqs.send_message(**kwargs)["MessageId"]
        with self.emulator.sqs_lock:
            moto_internals.restore_message_state(
                self.emulator.account_id, self.emulator.region, queue_name, message_id, saved
            )


class Compactor(BackgroundThread):
    """Compacts the journal into a snapshot once it grows past COMPACT_BYTES."""

    join_timeout_s = 30.0

    def __init__(self, persistence: Persistence, threshold: int = COMPACT_BYTES) -> None:
        super().__init__("devstack-compactor")
        self.persistence = persistence
        self.threshold = threshold

    def _run(self) -> None:
        while not self._stop.wait(CHECK_INTERVAL_S):
            journal = self.persistence.journal
            if journal is None or journal.size < self.threshold:
                continue
            try:
                self.persistence.save()
            except Exception:  # keep running: the journal stays complete, only longer
                log.exception("devstack: compaction failed; the journal keeps growing until it works")
