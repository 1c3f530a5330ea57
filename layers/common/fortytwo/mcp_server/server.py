"""The SDK's low-level server with our tools (50-mcp §3, §4.7, §5, §9): built once per container.

`tools/list` shows the tools the credential's scopes cover; `tools/call` refuses a tool outside them
with `-31403` before reading its arguments, validates the arguments, runs the tool and renders a
result or a tool error. The caller is this request's `AuthContext` (`fortytwo.http.context`).
"""

from __future__ import annotations

import time
from typing import Any

import mcp_types as types
from mcp.server.caching import CacheHint
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError

from fortytwo import __version__
from fortytwo.contract.errors import ApiError, InsufficientScope, InternalError
from fortytwo.domain import clock
from fortytwo.http import context
from fortytwo.mcp_server import arguments, results
from fortytwo.mcp_server.catalogue import BY_NAME, TOOLS, ToolSpec, output_schemas
from fortytwo.mcp_server.tools import HANDLERS, Call
from fortytwo.observability import count_metric, logger

INSUFFICIENT_SCOPE = -31403
INVALID_PARAMS = -32602
WEBSITE = "https://42min.us/help/api"
INSTRUCTIONS = (
    "42min scheduling for one organization, acting as the connected user. All instants are UTC "
    "(RFC 3339); before showing a time to a person, convert it to a time zone you were told, never a "
    "guessed one. Confirm a start with check_slot or find_available_slots before create_booking or "
    "reschedule_booking. Every write takes an idempotency_key: use a new UUID per operation and send "
    "the same key when retrying it. List tools return next_cursor; pass it back as cursor for the next "
    "page."
)


def _state() -> context.RequestState:
    state = context.current.get()
    assert state is not None and state.auth is not None, "the front authenticates before the SDK runs"
    return state


def offered() -> list[ToolSpec]:
    """The catalogue's tools that have a service behind them (tools.HANDLERS)."""
    return [spec for spec in TOOLS if spec.name in HANDLERS]


def definition(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema,
        output_schema=output_schemas()[spec.output],
        annotations=types.ToolAnnotations(
            read_only_hint=spec.read_only,
            destructive_hint=spec.destructive,
            idempotent_hint=spec.idempotent,
            open_world_hint=spec.open_world,
        ),
    )


async def list_tools(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    auth = _state().auth
    assert auth is not None
    visible = sorted((s for s in offered() if auth.has_scope(s.scope)), key=lambda s: s.name)
    return types.ListToolsResult(tools=[definition(spec) for spec in visible])


def _observe(tool: str, outcome: str, started: float) -> None:
    # Arguments are never logged: they hold attendee data (§9).
    logger.info(
        "mcp tool call",
        extra={
            "tool": tool,
            "outcome": outcome,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    count_metric("McpToolCall", tool=tool, outcome=outcome)


def _refuse_scope(spec: ToolSpec, request_id: str) -> MCPError:
    err = InsufficientScope(spec.scope)
    message = f"This tool requires the '{spec.scope}' scope"
    data = {"code": err.code, "message": message, "details": err.details, "request_id": request_id}
    return MCPError(INSUFFICIENT_SCOPE, message, data)


def run_tool(spec: ToolSpec, call: Call, args: dict[str, Any]) -> types.CallToolResult:
    """Validate, run, render; every failure inside the tool is a tool error (§7.1)."""
    try:
        arguments.check(spec, args)
        outcome = HANDLERS[spec.name](call, args)
    except ApiError as err:
        return results.failure(err, call.request_id)
    except Exception:  # noqa: BLE001 - an unexpected failure is the tool error internal_error
        logger.exception("unhandled error in tool", extra={"tool": spec.name})
        return results.failure(InternalError(), call.request_id)
    return results.success(outcome.data, call.request_id, replayed=outcome.replayed)


async def call_tool(
    ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    started = time.perf_counter()
    state = _state()
    auth = state.auth
    assert auth is not None
    spec = BY_NAME.get(params.name)
    if spec is None or spec.name not in HANDLERS:
        _observe("unknown", "protocol_error", started)
        raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}")
    if not auth.has_scope(spec.scope):
        _observe(spec.name, "protocol_error", started)
        raise _refuse_scope(spec, state.request_id)
    lambda_context = ctx.request.scope.get("aws.context") if ctx.request is not None else None
    call = Call(auth=auth, request_id=state.request_id, now=clock.now(), lambda_context=lambda_context)
    result = run_tool(spec, call, dict(params.arguments or {}))
    _observe(spec.name, "tool_error" if result.is_error else "ok", started)
    return result


def build() -> Server[Any]:
    server: Server[Any] = Server(
        "42min",
        version=__version__,
        title="42min scheduling",
        instructions=INSTRUCTIONS,
        website_url=WEBSITE,
        cache_hints={
            "server/discover": CacheHint(ttl_ms=3_600_000, scope="public"),
            "tools/list": CacheHint(ttl_ms=300_000, scope="private"),
        },
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
    server.middleware = []  # no OpenTelemetry spans: the functions trace with X-Ray (Powertools)
    return server
