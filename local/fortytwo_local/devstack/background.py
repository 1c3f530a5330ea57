"""The local stack's background threads (pollers, compactor, TTL reaper): daemon threads that run
until `stop()` sets their event, then get `join_timeout_s` to finish their step."""

from __future__ import annotations

import abc
import threading


class BackgroundThread(abc.ABC):
    join_timeout_s = 15.0

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.join_timeout_s if timeout is None else timeout)

    @abc.abstractmethod
    def _run(self) -> None:
        """The thread's loop; it ends soon after `self._stop` is set."""
