"""Table contents and queued messages in `<data-dir>/state.json`: restored on start, saved on
exit, and snapshotted while running (at most 10 s after a write; temporary file then rename,
so a killed process leaves the previous snapshot intact)."""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fortytwo_local.devstack import moto_internals
from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.pollers import json_item
from fortytwo_local.devstack.template import Template

log = logging.getLogger("fortytwo.devstack")

STATE_FILE = "state.json"
STATE_FORMAT = "42min-devstack-state"
STATE_VERSION = 1

# A snapshot waits for writes to pause this long, but never longer than MAX_DELAY after the
# first unsaved write: bursts cost one scan, and nothing waits more than ~10 s.
QUIET_S = 1.0
MAX_DELAY_S = 8.0
CHECK_INTERVAL_S = 0.5


def boto_attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB JSON (binary as base64) → a boto3 AttributeValue (binary as bytes)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: boto_attribute_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [boto_attribute_value(v) for v in inner]}
    return {kind: inner}


@dataclass(frozen=True)
class RestoreSummary:
    items: int
    messages: int


class Persistence:
    def __init__(self, data_dir: Path, template: Template, emulator: Emulator) -> None:
        self.path = data_dir / STATE_FILE
        self.template = template
        self.emulator = emulator
        self._save_lock = threading.Lock()

    def has_state(self) -> bool:
        return self.path.exists()

    # --- save --------------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        ddb = self.emulator.client("dynamodb")
        tables = {}
        for table in self.template.tables.values():
            items: list[dict[str, Any]] = []
            for page in ddb.get_paginator("scan").paginate(TableName=table.name, ConsistentRead=True):
                items.extend(json_item(item) for item in page.get("Items", []))
            tables[table.logical_id] = {"name": table.name, "items": items}
        queues = {}
        for queue in self.template.queues.values():
            try:
                with self.emulator.sqs_lock:
                    messages = moto_internals.queue_messages(
                        self.emulator.account_id, self.emulator.region, queue.name
                    )
            except Exception as exc:  # noqa: BLE001 - moto internals moved: save the table anyway
                log.warning("devstack: cannot read queue %s for saving: %s", queue.name, exc)
                messages = []
            queues[queue.logical_id] = {"name": queue.name, "messages": messages}
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "saved_at": time.time(),
            "tables": tables,
            "queues": queues,
        }

    def save(self) -> None:
        with self._save_lock:
            state = self.dump()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(state, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)

    # --- restore -----------------------------------------------------------------------------

    def restore(self) -> RestoreSummary:
        state = json.loads(self.path.read_text(encoding="utf-8"))
        if state.get("format") != STATE_FORMAT or state.get("version") != STATE_VERSION:
            raise ValueError(f"{self.path}: not a state file this version understands")
        items = messages = 0
        ddb = self.emulator.client("dynamodb")
        for logical_id, saved in (state.get("tables") or {}).items():
            table = self.template.tables.get(logical_id)
            if table is None:
                log.warning(
                    "devstack: %s holds table %s, which the template no longer has; skipped",
                    self.path,
                    logical_id,
                )
                continue
            batch = [boto_item(item) for item in saved.get("items", [])]
            for start in range(0, len(batch), 25):
                requests = {table.name: [{"PutRequest": {"Item": i}} for i in batch[start : start + 25]]}
                while requests:
                    requests = ddb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            items += len(batch)
        for logical_id, saved in (state.get("queues") or {}).items():
            queue = self.template.queues.get(logical_id)
            if queue is None:
                log.warning(
                    "devstack: %s holds queue %s, which the template no longer has; skipped",
                    self.path,
                    logical_id,
                )
                continue
            for message in saved.get("messages", []):
                self._restore_message(queue.name, self.emulator.physical[logical_id].ref, queue.fifo, message)
                messages += 1
        return RestoreSummary(items, messages)

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
        else:
            # Fallback if moto's internals cannot be adjusted below: SQS delays at most 15 minutes.
            kwargs["DelaySeconds"] = min(900, int(saved.get("visible_in_ms") or 0) // 1000)
        message_id = sqs.send_message(**kwargs)["MessageId"]
        try:
            with self.emulator.sqs_lock:
                moto_internals.restore_message_state(
                    self.emulator.account_id, self.emulator.region, queue_name, message_id, saved
                )
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "devstack: restored message %s without its receive count/visibility: %s",
                saved.get("message_id"),
                exc,
            )


def boto_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: boto_attribute_value(value) for name, value in item.items()}


class Snapshotter:
    """Saves the state soon after writes, watching the emulator's write counter."""

    def __init__(self, persistence: Persistence, emulator: Emulator) -> None:
        self.persistence = persistence
        self.emulator = emulator
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="devstack-snapshot", daemon=True)
        self._saved_count = emulator.write_count

    def start(self) -> None:
        self._saved_count = self.emulator.write_count
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        dirty_since: float | None = None
        last_count = self._saved_count
        last_change = time.monotonic()
        while not self._stop.wait(CHECK_INTERVAL_S):
            count = self.emulator.write_count
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
                if dirty_since is None:
                    dirty_since = now
            if dirty_since is None:
                continue
            if now - last_change < QUIET_S and now - dirty_since < MAX_DELAY_S:
                continue
            try:
                self.persistence.save()
                self._saved_count = count
                dirty_since = None if self.emulator.write_count == count else now
            except Exception as exc:  # noqa: BLE001 - keep running; the next write retries
                log.warning("devstack: snapshot failed: %s", exc)
