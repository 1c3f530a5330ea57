"""`42min dev`: the template's system on loopback — emulator, functions, gateway, pollers,
persistence — and the command's startup/shutdown flow."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.environment import LocalSettings, function_environment, process_environment
from fortytwo_local.devstack.functions import LocalFunction
from fortytwo_local.devstack.gateway import Gateway
from fortytwo_local.devstack.persistence import Compactor, Persistence
from fortytwo_local.devstack.pollers import SqsPoller, StreamPoller, sqs_concurrency
from fortytwo_local.devstack.routing import RouteTable
from fortytwo_local.devstack.template import Template, TemplateError, find_template, load_template
from fortytwo_local.devstack.ttl import TtlReaper

log = logging.getLogger("fortytwo.devstack")

DEV_FILE = "dev.json"
DEMO_FILE = "demo.json"
PEPPER_FILE = "pepper"


class DevStackError(Exception):
    """A startup problem to report as one line (bad template, busy port, data dir in use…)."""


@dataclass
class DevOptions:
    port: int = 8042
    host: str = "127.0.0.1"
    data_dir: str = ".42min"
    seed: str | None = None
    no_demo: bool = False
    allow_insecure_webhooks: bool = False
    webhook_retry_schedule: str | None = None
    rate_limits: str | None = None
    template: str | None = None

    @classmethod
    def from_namespace(cls, options: argparse.Namespace | Any) -> DevOptions:
        fields = cls.__dataclass_fields__
        values = {name: getattr(options, name) for name in fields if getattr(options, name, None) is not None}
        return cls(**values)


class DevStack:
    """Everything but seeding and printing; usable in-process (tests) as well as by run_dev."""

    def __init__(self, options: DevOptions) -> None:
        self.options = options
        self.data_dir = Path(options.data_dir).resolve()
        self.template: Template | None = None
        self.emulator: Emulator | None = None
        self.gateway: Gateway | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.persistence: Persistence | None = None
        self.first_start = False
        self.restored_items = 0
        self._stream_backlog: dict[str, list[dict[str, Any]]] = {}
        self._pollers: list[StreamPoller | SqsPoller] = []
        self._compactor: Compactor | None = None
        self._ttl: TtlReaper | None = None
        self._saved_environ: dict[str, str] | None = None
        self._dev_file_written = False
        self._state_loaded = False
        self._stopped = False
        self.environment: dict[str, str] = {}

    @property
    def base_url(self) -> str:
        assert self.gateway is not None
        return f"http://{self.options.host}:{self.gateway.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._claim_data_dir()
        template_path = find_template(self.options.template or os.environ.get("FORTYTWO_TEMPLATE"))
        self.template = template = load_template(template_path)
        routes = RouteTable(template.http_routes)

        emulator = self.emulator = Emulator(template)
        emulator.start()
        physical = emulator.create_resources()
        resolver = template.resolver(physical)
        pepper_param = template.parameter_values.get("PepperParameterName")
        if pepper_param:
            emulator.put_pepper(pepper_param, self.data_dir / PEPPER_FILE)

        # Bind now: the functions' base URLs need the real port (--port 0 picks one).
        functions: dict[str, LocalFunction] = {}
        try:
            self.gateway = Gateway(
                self.options.host, self.options.port, routes, functions, template.account_id
            )
        except OSError as exc:
            where = f"{self.options.host}:{self.options.port}"
            raise DevStackError(f"cannot listen on {where}: {exc.strerror}") from exc
        settings = LocalSettings(
            base_url=self.base_url,
            endpoint_url=emulator.endpoint_url,
            region=template.region,
            allow_insecure_webhooks=self.options.allow_insecure_webhooks,
            webhook_retry_schedule=self.options.webhook_retry_schedule,
            rate_limits=self.options.rate_limits,
        )
        self.environment = process_environment(template, resolver, settings)
        self._set_process_environment(self.environment)

        self.persistence = persistence = Persistence(self.data_dir, template, emulator)
        self.first_start = not persistence.has_state()
        if not self.first_start:
            summary = persistence.restore()
            self.restored_items = summary.items
            self._stream_backlog = summary.stream_backlog
            log.info(
                "devstack: restored %d item(s) and %d queued message(s) from %s (%d journal records)",
                summary.items,
                summary.messages,
                self.data_dir,
                summary.journal_records,
            )
        self._state_loaded = True
        # From here on every change is journalled and durable before it is acknowledged; the
        # first compaction folds what was just replayed into a fresh snapshot.
        emulator.record_with(persistence)
        persistence.save()

        for logical_id, definition in template.functions.items():
            functions[logical_id] = LocalFunction(
                definition,
                function_environment(template, resolver, definition, settings),
                template.region,
                template.account_id,
            )
        self.functions = functions
        for function in functions.values():
            function.load()  # cold starts now; a failure is logged and retried per invocation

        self._start_pollers()
        self._compactor = Compactor(persistence)
        self._compactor.start()
        self._ttl = TtlReaper(emulator, list(template.tables.values()))
        self._ttl.start()
        self.gateway.start()
        self._write_dev_file(pepper_param)

    def _start_pollers(self) -> None:
        assert self.template is not None and self.emulator is not None
        for function in self.functions.values():
            for source in function.definition.dynamodb_events:
                if not source.enabled:
                    continue
                table = self.template.tables.get(source.table_id or "")
                if table is None or "StreamArn" not in self.emulator.physical[table.logical_id].attributes:
                    raise TemplateError(
                        f"Resources.{function.name}.Properties.Events.{source.event_name}: "
                        "Stream must be !GetAtt <Table>.StreamArn of a table with a stream"
                    )
                failure_queue = None
                if source.on_failure_queue_id is not None:
                    if source.on_failure_queue_id not in self.template.queues:
                        raise TemplateError(
                            f"Resources.{function.name}.Properties.Events.{source.event_name}: "
                            "DestinationConfig.OnFailure must be !GetAtt <Queue>.Arn of a template queue"
                        )
                    failure_queue = self.emulator.physical[source.on_failure_queue_id].ref
                persistence = self.persistence
                consumer = f"{function.name}.{source.event_name}"
                assert persistence is not None
                persistence.register_consumer(table.name, consumer)
                poller = StreamPoller(
                    source,
                    function,
                    self.emulator,
                    table.name,
                    self.emulator.physical[table.logical_id].attributes["StreamArn"],
                    failure_queue_url=failure_queue,
                    on_consumed=functools.partial(persistence.consumed, table.name, consumer),
                )
                poller.start_at_latest(self._stream_backlog.get(table.name))
                self._pollers.append(poller)
            for sqs_source in function.definition.sqs_events:
                if not sqs_source.enabled:
                    continue
                queue = self.emulator.physical.get(sqs_source.queue_id or "")
                if sqs_source.queue_id not in self.template.queues or queue is None:
                    where = f"Resources.{function.name}.Properties.Events.{sqs_source.event_name}"
                    raise TemplateError(f"{where}: Queue must be !GetAtt <Queue>.Arn of a template queue")
                sqs_poller = SqsPoller(
                    sqs_source,
                    function,
                    self.emulator,
                    queue.ref,
                    queue.attributes["Arn"],
                    concurrency=sqs_concurrency(sqs_source, function.definition),
                )
                sqs_poller.start()
                self._pollers.append(sqs_poller)

    def stop(self, save: bool = True) -> None:
        """Stop taking requests, let in-flight work finish, save, and clean up. Never raises."""
        if self._stopped:
            return
        self._stopped = True
        steps: list[tuple[str, Any]] = []
        if self.gateway is not None:
            steps.append(("gateway", self.gateway.stop))
        steps += [(f"poller {p._thread.name}", p.stop) for p in self._pollers]
        if self._compactor is not None:
            steps.append(("compactor", self._compactor.stop))
        if self._ttl is not None:
            steps.append(("ttl", self._ttl.stop))
        # Never overwrite a state file that was not (or could not be) loaded.
        if save and self._state_loaded and self.persistence is not None:
            steps.append(("save", self.persistence.save))
        if self.persistence is not None:
            steps.append(("journal", self.persistence.close))
        if self.emulator is not None:
            steps.append(("emulator", self.emulator.stop))
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - shutdown goes on; say what failed
                log.error("devstack: stopping %s failed: %s", name, exc)
        self._pollers.clear()
        self._release_dev_file()
        self._restore_process_environment()

    def save(self) -> None:
        assert self.persistence is not None
        self.persistence.save()

    # --- process environment -----------------------------------------------------------------

    def _set_process_environment(self, variables: dict[str, str]) -> None:
        self._saved_environ = dict(os.environ)
        # A profile would take precedence over nothing here but could point boto3 at real AWS config.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            os.environ.pop(name, None)
        os.environ.update(variables)

    def _restore_process_environment(self) -> None:
        if self._saved_environ is not None:
            os.environ.clear()
            os.environ.update(self._saved_environ)
            self._saved_environ = None

    # --- dev.json ----------------------------------------------------------------------------

    def _claim_data_dir(self) -> None:
        dev_file = self.data_dir / DEV_FILE
        try:
            running = json.loads(dev_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        pid = running.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _alive(pid):
            raise DevStackError(
                f"another local stack (pid {pid}, {running.get('base_url')}) is using {self.data_dir}"
            )

    def _write_dev_file(self, pepper_param: str | None) -> None:
        assert self.template is not None and self.emulator is not None
        # What the template gives the functions; else the first table / the queue with a DLQ.
        first_table = next((t.name for t in self.template.tables.values()), None)
        source_queue = next(
            (
                self.emulator.physical[q].ref
                for q, d in self.template.queues.items()
                if d.dead_letter_queue_id is not None
            ),
            None,
        )
        info = {
            "base_url": self.base_url,
            "endpoint_url": self.emulator.endpoint_url,
            "region": self.template.region,
            "table_name": self.environment.get("FORTYTWO_TABLE_NAME") or first_table,
            "delivery_queue_url": self.environment.get("FORTYTWO_DELIVERY_QUEUE_URL") or source_queue,
            "pepper_param": pepper_param,
            # Admin commands validate webhook URLs the way this stack's functions do.
            "allow_insecure_webhooks": self.environment.get("FORTYTWO_ALLOW_INSECURE_WEBHOOKS") == "true",
            "pid": os.getpid(),
        }
        write_json_atomic(self.data_dir / DEV_FILE, info)
        self._dev_file_written = True

    def _release_dev_file(self) -> None:
        if self._dev_file_written:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / DEV_FILE).unlink()
            self._dev_file_written = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_json_atomic(path: Path, value: Any, mode: int = 0o644) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


# --- the command -----------------------------------------------------------------------------


def _configure_logging() -> None:
    root = logging.getLogger("fortytwo.devstack")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False


def _apply_seeds(stack: DevStack, options: DevOptions) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(demo result, --seed result). Imported lazily: seeding is the CLI's code, not the stack's."""
    demo_path = stack.data_dir / DEMO_FILE
    demo_result = seed_result = None
    if not options.no_demo and stack.first_start:
        from fortytwo_local.backend import Backend
        from fortytwo_local.seed import apply_seed, demo_seed

        demo_result = apply_seed(demo_seed(), Backend.from_env())
        # Kept so that a restart can print a token that still works.
        write_json_atomic(demo_path, demo_result, mode=0o600)
    elif not options.no_demo and demo_path.exists():
        demo_result = json.loads(demo_path.read_text(encoding="utf-8"))
    if options.seed:
        from fortytwo_local.backend import Backend
        from fortytwo_local.seed import apply_seed, load_seed_file

        seed_result = apply_seed(load_seed_file(options.seed), Backend.from_env())
    if stack.first_start or seed_result is not None:
        stack.save()  # compact: the seed is journalled already, this folds it into the snapshot
    return demo_result, seed_result


def _say(line: str) -> None:
    """One write per line: other threads log to stdout too, and the harness parses these lines."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _first_pat_token(result: dict[str, Any] | None) -> str | None:
    pats = (result or {}).get("pats") or {}
    for value in pats.values():
        if isinstance(value, dict) and value.get("token"):
            return str(value["token"])
    return None


def run_dev(options: argparse.Namespace | Any) -> int:
    """`42min dev`: run until Ctrl-C/SIGTERM; 0 on a clean stop, 1 when startup fails."""
    _configure_logging()
    dev_options = DevOptions.from_namespace(options)
    stop = threading.Event()
    previous: dict[int, Any] = {}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():  # second Ctrl-C: the user means it
            os._exit(130)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)

    stack = DevStack(dev_options)
    try:
        try:
            stack.start()
            demo_result, seed_result = _apply_seeds(stack, dev_options)
        except (DevStackError, TemplateError, ValueError, OSError) as exc:
            print(f"42min dev: {exc}", file=sys.stderr, flush=True)
            return 1
        except Exception as exc:  # noqa: BLE001 - seeding errors are the CLI's own exception types
            print(f"42min dev: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return 1

        base_url = stack.base_url
        _say(f"42min local stack: {base_url}")
        _say(f"  data dir:   {stack.data_dir}")
        _say(f"  AWS (moto): {stack.emulator.endpoint_url if stack.emulator else ''}")
        token = _first_pat_token(demo_result)
        if token:
            _say(f"  demo token: {token}")
            _say(f'  try:        curl -s -H "Authorization: Bearer {token}" {base_url}/v1/_ping')
        if seed_result is not None:
            _say("SEED_RESULT " + json.dumps(seed_result, separators=(",", ":")))
        _say(f"READY {base_url}")

        stop.wait()
        print("42min dev: stopping...", file=sys.stderr, flush=True)
        return 0
    finally:
        stack.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
