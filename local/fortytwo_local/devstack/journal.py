"""The write-ahead journal of the local stack: every acknowledged change, on disk before its answer.

One JSON object per line, appended in the order the changes were applied (the caller holds the
service lock while appending) and fsynced before the call's response is returned. fsync is group
commit: a caller whose record a concurrent fsync already covered does not fsync again. A file
is one generation (`journal-<n>.log`); compaction starts the next generation, and the snapshot
records the generation its content ends before. A torn last line (a crash mid-write) was never
acknowledged and is ignored on reading.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("fortytwo.devstack")

_NAME = re.compile(r"^journal-(\d+)\.log$")


class JournalCorrupt(ValueError):
    """A line in the middle of a journal file is not a record: refuse to guess."""


def journal_path(data_dir: Path, generation: int) -> Path:
    return data_dir / f"journal-{generation}.log"


def generations(data_dir: Path) -> list[int]:
    found = (_NAME.match(p.name) for p in data_dir.iterdir()) if data_dir.is_dir() else iter(())
    return sorted(int(m.group(1)) for m in found if m)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    data = path.read_bytes()
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    for number, line in enumerate(complete, 1):
        try:
            record = json.loads(line)
        except ValueError:
            if number == len(complete) and not tail:
                log.warning("devstack: %s: ignoring a torn last record (never acknowledged)", path)
                return
            raise JournalCorrupt(f"{path}: line {number} is not a journal record") from None
        yield record
    if tail:
        log.warning("devstack: %s: ignoring a torn last record (never acknowledged)", path)


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """Appends records to the current generation's file; `sync(seq)` makes record `seq` durable."""

    def __init__(self, data_dir: Path, generation: int) -> None:
        self.data_dir = data_dir
        self.generation = generation
        self._lock = threading.Lock()  # file position and sequence numbers
        self._sync_lock = threading.Lock()  # one fsync at a time (taken before _lock)
        self._seq = 0
        self._durable = 0
        self._fd = self._open(generation)
        self.size = os.fstat(self._fd).st_size

    def _open(self, generation: int) -> int:
        path = journal_path(self.data_dir, generation)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_directory(self.data_dir)  # the file itself must survive a crash, not only its bytes
        return fd

    def append(self, record: dict[str, Any]) -> int:
        """Write one record (not yet durable); its sequence number for `sync`."""
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        with self._lock:
            os.write(self._fd, line)
            self.size += len(line)
            self._seq += 1
            return self._seq

    def sync(self, seq: int) -> None:
        """Return once record `seq` (and every one before it) is on disk."""
        if self._durable >= seq:
            return
        with self._sync_lock:
            if self._durable >= seq:
                return  # a concurrent fsync covered it
            with self._lock:
                target, fd = self._seq, self._fd
            os.fdatasync(fd)  # the data and the length; other metadata can wait
            self._durable = target

    def next_generation(self) -> int:
        """Start the next file (callers hold every service lock, so nothing is appended meanwhile);
        the previous one is fully durable when this returns."""
        with self._sync_lock, self._lock:
            os.fsync(self._fd)
            os.close(self._fd)
            self._durable = self._seq
            self.generation += 1
            self._fd = self._open(self.generation)
            self.size = 0
            return self.generation

    def close(self) -> None:
        with self._sync_lock, self._lock:
            if self._fd >= 0:
                os.fsync(self._fd)
                os.close(self._fd)
                self._durable = self._seq
                self._fd = -1
