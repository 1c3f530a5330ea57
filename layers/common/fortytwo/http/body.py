"""Request body rules (00-conventions §3.2): size, media type, strict JSON, schema errors in body order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request

from fortytwo.contract.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from fortytwo.domain import json_text

MAX_BODY_BYTES = 65_536
ModelT = TypeVar("ModelT", bound=BaseModel)


async def raw_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    return body


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Strict JSON (depth and surrogates included, `domain/json_text.py`) → 400 invalid_request."""
    try:
        value = json_text.loads(body)
    except json_text.JsonTextError as exc:
        raise InvalidRequest(str(exc)) from exc
    if not isinstance(value, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return value


async def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """Size, then media type, then JSON parse (00-conventions §5.3 step 8)."""
    body = await raw_body(request)
    if not body:
        if required:
            raise InvalidRequest("A JSON request body is required.")
        return {}
    if not json_text.is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaType()
    return parse_json_object(body)


def field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "Required"
    message = str(error.get("msg", "Invalid value"))
    return message.removeprefix("Value error, ")


def validate(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """Schema check → 400 validation_error, one entry per failing field, in body order."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        order = {name: i for i, name in enumerate(data)}
        seen: set[str] = set()
        entries: list[tuple[int, int, dict[str, str]]] = []
        for n, error in enumerate(exc.errors()):
            loc = tuple(
                p for p in error.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))
            )
            path = field_path(loc)
            if path in seen:
                continue
            seen.add(path)
            top = str(loc[0]) if loc else ""
            entries.append((order.get(top, len(order)), n, {"field": path, "message": _message(error)}))
        entries.sort(key=lambda e: (e[0], e[1]))
        raise ValidationFailed([e[2] for e in entries]) from None
