"""Time to live for the emulated tables: moto records the TTL setting but never deletes.

DynamoDB deletes expired items some time after they expire (with a stream REMOVE record);
here a sweep every minute does the same, so rate-limit counters, idempotency records and OAuth
codes do not pile up in a long-running dev stack. The functions still check expiry on read, as
they must against real DynamoDB.
"""

from __future__ import annotations

import logging
import time

from fortytwo_local.devstack.background import BackgroundThread
from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.template import TableDef

log = logging.getLogger("fortytwo.devstack")

SWEEP_INTERVAL_S = 60.0


def sweep_expired(emulator: Emulator, table: TableDef, now: float | None = None) -> int:
    """Delete the items whose TTL attribute (a number, epoch seconds) is in the past."""
    assert table.ttl_attribute is not None
    ddb = emulator.client("dynamodb")
    now_text = str(int(time.time() if now is None else now))
    names = {"#ttl": table.ttl_attribute, "#h": table.hash_key}
    key_names = [table.hash_key]
    if table.range_key:
        names["#r"] = table.range_key
        key_names.append(table.range_key)
    deleted = 0
    paginator = ddb.get_paginator("scan")
    for page in paginator.paginate(
        TableName=table.name,
        FilterExpression="#ttl < :now",
        ProjectionExpression=", ".join(["#h", "#r"][: len(key_names)]),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":now": {"N": now_text}},
    ):
        for item in page.get("Items", []):
            try:
                # Re-checked at delete time: an item refreshed since the scan stays.
                ddb.delete_item(
                    TableName=table.name,
                    Key={k: item[k] for k in key_names},
                    ConditionExpression="#ttl < :now",
                    ExpressionAttributeNames={"#ttl": table.ttl_attribute},
                    ExpressionAttributeValues={":now": {"N": now_text}},
                )
                deleted += 1
            except ddb.exceptions.ConditionalCheckFailedException:
                pass
    return deleted


class TtlReaper(BackgroundThread):
    join_timeout_s = 10.0

    def __init__(
        self, emulator: Emulator, tables: list[TableDef], interval_s: float = SWEEP_INTERVAL_S
    ) -> None:
        super().__init__("devstack-ttl")
        self.emulator = emulator
        self.tables = [t for t in tables if t.ttl_attribute]
        self.interval_s = interval_s

    def start(self) -> None:
        if self.tables:
            super().start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            for table in self.tables:
                try:
                    sweep_expired(self.emulator, table)
                except Exception as exc:  # noqa: BLE001 - a failed sweep is retried next minute
                    log.warning("devstack: TTL sweep of %s failed: %s", table.name, exc)
