"""The body of `POST /mcp` (50-mcp §2): one JSON-RPC 2.0 request or notification."""

from __future__ import annotations

from typing import Literal

from fortytwo.contract.types import ContractModel, JsonObject, omitted


class JsonRpcMessage(ContractModel):
    """One JSON-RPC request (with `id`) or notification (without) of the Model Context Protocol."""

    jsonrpc: Literal["2.0"]
    id: str | int = omitted("Absent on a notification.")
    method: str
    params: JsonObject = omitted("The method's parameters, when it takes any.")
