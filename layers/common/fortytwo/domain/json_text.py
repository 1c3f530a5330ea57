"""Strict reading of request JSON (00-conventions §3.2): the one parser every JSON endpoint uses.

RFC 8259 text in UTF-8 without a byte-order mark, no duplicate member names, no `NaN`/`Infinity`
literals, plus two limits RFC 8259 §9 leaves to implementations (docs/decisions.md):

- nesting depth at most `MAX_DEPTH` arrays/objects, checked on the raw text BEFORE parsing, since
  Python's parser recurses and a few kilobytes of `[` would exhaust the stack;
- no lone UTF-16 surrogate (`"\\ud800"`): such a string has no UTF-8 form, so it could neither be
  stored, hashed nor echoed back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

MAX_DEPTH = 64

# A JSON string, escapes included; an unterminated one runs to the end. Possessive and never failing
# once a quote is found, so the scan stays linear whatever the text (a backtracking form takes
# seconds on 64 KiB of `"\"\"…`).
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

V = TypeVar("V")


class JsonTextError(ValueError):
    """The body is not acceptable JSON; the message says why, for humans."""


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json`, any case, parameters allowed; a charset must be `utf-8`, any case
    (00-conventions §3.2: `charset=latin1` and the like are 415)."""
    if not content_type:
        return False
    media, *params = (part.strip() for part in content_type.split(";"))
    if media.lower() != "application/json":
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def without_repeats(pairs: Iterable[tuple[str, V]], repeated: Callable[[str], Exception]) -> dict[str, V]:
    """The pairs as a mapping; a name given twice raises `repeated(name)` (JSON members, form fields)."""
    result: dict[str, V] = {}
    for name, value in pairs:
        if name in result:
            raise repeated(name)
        result[name] = value
    return result


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return without_repeats(pairs, lambda name: JsonTextError(f"duplicate member {name!r}"))


def _no_constants(name: str) -> Any:
    raise JsonTextError(f"{name} is not JSON")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects in `text` nest deeper than `limit`, brackets inside strings not counted.

    Exact for valid JSON; on invalid text it may misjudge, which is harmless: such text is refused
    either way, and the parser meets the brackets counted here before any it would recurse into.
    """
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def loads(body: bytes) -> Any:
    """The parsed value of a request body, or JsonTextError."""
    if body.startswith(b"\xef\xbb\xbf"):
        raise JsonTextError("The request body must not start with a byte-order mark.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonTextError("The request body is not valid UTF-8.") from exc
    if too_deep(text):
        raise JsonTextError(f"The request body nests deeper than {MAX_DEPTH} levels.")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # RecursionError: belt and braces behind the depth check
        raise JsonTextError("The request body is not valid JSON.") from exc
    if _has_surrogate(value):
        raise JsonTextError("The request body holds a lone UTF-16 surrogate (\\ud800-\\udfff).")
    return value
