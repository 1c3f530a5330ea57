"""The template's functions, loaded in this process and invoked the way Lambda calls them.

Every function's entry module is `app.py`, so each is imported from its file under a module
name of its own. All functions share one process environment: a function's own variables are
applied while its module is imported. Modules they share (the layer) are imported once, by the
first function, so a logger built at import would log every function under the first one's
POWERTOOLS_SERVICE_NAME; each invocation therefore stamps its records with its own service name
(`service` on every log record made during it, which Powertools' formatter prints).
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib.util
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from fortytwo_local.devstack.template import FunctionDef

log = logging.getLogger("fortytwo.devstack")

# Lambda's synchronous invoke limits: the event must be smaller than 6,291,456 bytes
# (RequestEntityTooLargeException), the response at most 6 MB.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_RESPONSE_BYTES = 6 * 1024 * 1024

_import_lock = threading.RLock()
_thread_state = threading.local()
_service: contextvars.ContextVar[str | None] = contextvars.ContextVar("devstack_service", default=None)


def _install_service_records() -> None:
    """Every log record made while a function runs carries that function's service name."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_devstack_service", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        service = _service.get()
        if service is not None:
            record.service = service
        return record

    factory._devstack_service = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class FunctionError(Exception):
    """The invocation failed the way Lambda reports a function error (exception, timeout, init)."""


class RequestTooLarge(Exception):
    """Lambda refused the invocation: the event is over the invoke payload limit."""


class FakeLambdaContext:
    """The attributes and method of the Python runtime's context object that code uses."""

    def __init__(self, fn: FunctionDef, region: str, account_id: str) -> None:
        self.function_name = fn.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{fn.name}"
        self.memory_limit_in_mb = fn.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{fn.name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + fn.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Invocation:
    result: Any
    duration_s: float


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _ensure_event_loop() -> None:
    """Mangum runs the ASGI app on the thread's current event loop; gateway and poller threads
    have none, and Python 3.12 no longer creates one implicitly outside the main thread."""
    if getattr(_thread_state, "loop", None) is None:
        _thread_state.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_thread_state.loop)


def release_thread_loop() -> None:
    loop = getattr(_thread_state, "loop", None)
    if loop is not None:
        _thread_state.loop = None
        asyncio.set_event_loop(None)
        loop.close()


class LocalFunction:
    def __init__(
        self, definition: FunctionDef, environment: dict[str, str], region: str, account_id: str
    ) -> None:
        self.definition = definition
        self.environment = environment
        self.region = region
        self.account_id = account_id
        self.module: ModuleType | None = None
        self._handler: Callable[[Any, Any], Any] | None = None
        self.init_error: str | None = None

    @property
    def name(self) -> str:
        return self.definition.logical_id

    def load(self) -> bool:
        """Import the handler (the cold start). A failure is kept and retried on the next
        invocation, as Lambda re-runs a failed init."""
        with _import_lock:
            if self._handler is not None:
                return True
            fn = self.definition
            module_name = f"fortytwo_devstack_fn_{fn.logical_id}"
            try:
                if not fn.module_file.is_file():
                    raise FileNotFoundError(f"{fn.module_file} does not exist (Handler {fn.handler})")
                self.module = _import_from_file(module_name, fn.module_file, fn.code_dir, self.environment)
                handler = getattr(self.module, fn.handler_attr, None)
                if not callable(handler):
                    raise AttributeError(f"{fn.module_file} has no callable {fn.handler_attr!r}")
                self._handler = handler
                self.init_error = None
                return True
            except FileNotFoundError as exc:
                self.init_error = str(exc)
                log.error("devstack: %s cannot start: %s", fn.logical_id, exc)
                return False
            except Exception as exc:  # noqa: BLE001 - any init failure is the function's error
                self.init_error = f"{type(exc).__name__}: {exc}"
                log.exception("devstack: %s failed to initialise", fn.logical_id)
                return False

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Call the handler like Lambda: JSON in, JSON out, function errors as FunctionError."""
        size = len(json.dumps(event, separators=(",", ":")).encode())
        if size >= MAX_REQUEST_BYTES:
            log.warning("devstack: %s: %d-byte event is over Lambda's invoke limit", self.name, size)
            raise RequestTooLarge(f"Request must be smaller than {MAX_REQUEST_BYTES} bytes")
        if self._handler is None and not self.load():
            raise FunctionError(f"{self.name}: init failed: {self.init_error}")
        assert self._handler is not None
        _ensure_event_loop()
        context = FakeLambdaContext(self.definition, self.region, self.account_id)
        _install_service_records()
        service = _service.set(self.environment.get("POWERTOOLS_SERVICE_NAME"))
        started = time.monotonic()
        try:
            result = self._handler(event, context)
        except Exception as exc:
            log.exception("devstack: %s raised (request %s)", self.name, context.aws_request_id)
            raise FunctionError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        finally:
            _service.reset(service)
        duration = time.monotonic() - started
        if duration > self.definition.timeout_s:
            log.error(
                "devstack: %s ran %.1fs, past its Timeout of %ss: Lambda would have killed it",
                self.name,
                duration,
                self.definition.timeout_s,
            )
            raise FunctionError(f"{self.name}: Task timed out after {self.definition.timeout_s}s")
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as exc:
            log.error("devstack: %s returned a value Lambda cannot serialise: %s", self.name, exc)
            raise FunctionError(f"{self.name}: unserialisable response") from exc
        if len(payload.encode()) > MAX_RESPONSE_BYTES:
            log.error("devstack: %s returned more than 6 MB", self.name)
            raise FunctionError(f"{self.name}: response too large")
        return Invocation(json.loads(payload), duration)


def _import_from_file(
    module_name: str, module_file: Path, code_dir: Path, environment: dict[str, str]
) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, module_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {module_file}")
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    sys.modules[module_name] = module
    # Lambda puts the code folder first on sys.path; siblings of app.py import by plain name.
    sys.path.insert(0, str(code_dir))
    try:
        with _environment(environment):
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    finally:
        sys.path.remove(str(code_dir))
        # Another function's folder may hold a sibling with the same name: forget ours by name
        # (this module keeps its references) so the next import finds its own.
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if name != module_name and file.startswith(str(code_dir) + os.sep):
                del sys.modules[name]
    return module
