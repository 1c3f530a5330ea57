"""Low-level access to the single table: typed (de)serialisation and a shared client.

Everything else in `store/` goes through these helpers, so that retries, timeouts and number
handling are decided once.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from fortytwo.config import get_settings
from fortytwo.store.clients import new_client

Item = dict[str, Any]
T = TypeVar("T")


@lru_cache(maxsize=1)
def client() -> Any:
    return new_client("dynamodb")


@lru_cache(maxsize=1)
def fast_client() -> Any:
    """A client that gives up quickly: the rate limiter fails open after 500 ms (00-conventions §10.5)."""
    return new_client("dynamodb", max_attempts=1, connect_timeout=0.5, read_timeout=0.5)


def table_name() -> str:
    return get_settings().table_name


def reset_clients() -> None:
    client.cache_clear()
    fast_client.cache_clear()


def to_attr(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": repr(value)}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    if isinstance(value, set | frozenset):
        if all(isinstance(v, str) for v in value) and value:
            return {"SS": sorted(value)}
        return {"L": [to_attr(v) for v in sorted(value)]}
    raise TypeError(f"cannot store {type(value).__name__}")


def _number(text: str) -> int | float:
    if text.isascii() and (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
        return int(text)  # the common case, without a Decimal
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def from_attr(attr: Mapping[str, Any]) -> Any:
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    decode = _FROM_ATTR.get(kind)
    if decode is None:
        raise TypeError(f"unknown attribute type {kind}")
    return decode(value)


def _binary(value: Any) -> bytes:
    return value if isinstance(value, bytes) else base64.b64decode(value)


# One lookup per attribute instead of a chain of comparisons: items are decoded on every read.
_FROM_ATTR: dict[str, Callable[[Any], Any]] = {
    "N": _number,
    "BOOL": lambda value: value,
    "NULL": lambda _: None,
    "M": lambda value: {k: from_attr(v) for k, v in value.items()},
    "L": lambda value: [v["S"] if "S" in v else from_attr(v) for v in value],
    "SS": set,
    "NS": lambda value: {_number(v) for v in value},
    "B": _binary,
}


def to_item(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: to_attr(v) for k, v in data.items()}


def from_item(item: Mapping[str, Any] | None) -> Item | None:
    if item is None:
        return None
    # Most attributes are strings: read those inline, without a call each (bench/warm_cpu.py).
    return {k: v["S"] if "S" in v else from_attr(v) for k, v in item.items()}


def values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Expression attribute values: keys as given (`:x`)."""
    return {k: to_attr(v) for k, v in data.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def get(pk: str, sk: str, *, consistent: bool = False) -> Item | None:
    response = client().get_item(TableName=table_name(), Key=key(pk, sk), ConsistentRead=consistent)
    return from_item(response.get("Item"))


def batch_get(keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> list[Item]:
    """All existing items among `keys` (≤ 100), in no particular order; unprocessed keys retried."""
    pending = [key(pk, sk) for pk, sk in dict.fromkeys(keys)]
    found: list[Item] = []
    while pending:
        batch, pending = pending[:100], pending[100:]
        request: dict[str, Any] = {table_name(): {"Keys": batch, "ConsistentRead": consistent}}
        while request:
            response = client().batch_get_item(RequestItems=request)
            found.extend(from_item(i) or {} for i in response.get("Responses", {}).get(table_name(), []))
            request = response.get("UnprocessedKeys") or {}
    return found


def query(
    *,
    key_condition: str,
    values_: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    index: str | None = None,
    forward: bool = True,
    limit: int | None = None,
    filter_: str | None = None,
    start_key: Mapping[str, Any] | None = None,
    consistent: bool = False,
) -> tuple[list[Item], dict[str, Any] | None]:
    """One Query call: (items, LastEvaluatedKey)."""
    kwargs: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": key_condition,
        "ExpressionAttributeValues": values(values_),
        "ScanIndexForward": forward,
    }
    if names:
        kwargs["ExpressionAttributeNames"] = dict(names)
    if index:
        kwargs["IndexName"] = index
    if limit:
        kwargs["Limit"] = limit
    if filter_:
        kwargs["FilterExpression"] = filter_
    if start_key:
        kwargs["ExclusiveStartKey"] = dict(start_key)
    if consistent and not index:
        kwargs["ConsistentRead"] = True
    response = client().query(**kwargs)
    return [from_item(i) or {} for i in response.get("Items", [])], response.get("LastEvaluatedKey")


def query_page(
    decode: Callable[[Item], T],
    limit: int,
    *,
    index: str,
    key_condition: str,
    values_: Mapping[str, Any],
    names: Mapping[str, str] | None,
    forward: bool,
    filters: Sequence[str],
    start_key: Mapping[str, Any] | None,
    filtered_batch: int,
) -> tuple[list[T], bool]:
    """One page of a list endpoint: up to `limit` decoded items, and whether more follow. Reads
    until `limit + 1` items are found or the index ends; a filtered query reads at least
    `filtered_batch` items a call (a filter may drop most of them)."""
    wanted = limit + 1
    found: list[T] = []
    start = start_key
    while len(found) < wanted:
        page, start = query(
            key_condition=key_condition,
            values_=values_,
            names=names or None,
            index=index,
            forward=forward,
            limit=wanted - len(found) if not filters else max(wanted, filtered_batch),
            filter_=" AND ".join(filters) or None,
            start_key=start,
        )
        found.extend(decode(item) for item in page)
        if not start:
            break
    return found[:limit], len(found) > limit


def query_all(**kwargs: Any) -> list[Item]:
    """Every page of a query (for bounded partitions only: ledgers, small lists)."""
    items: list[Item] = []
    start: dict[str, Any] | None = None
    while True:
        page, start = query(start_key=start, **kwargs)
        items.extend(page)
        if not start:
            return items


def is_conditional_failure(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return bool(code == "ConditionalCheckFailedException")


def transaction_reasons(exc: Exception) -> list[str]:
    """Cancellation reason codes of a failed TransactWriteItems, one per item ('None' = fine)."""
    response = getattr(exc, "response", {})
    reasons = response.get("CancellationReasons") or []
    if not reasons:
        message = response.get("Error", {}).get("Message", "")
        if "[" in message:
            inside = message[message.index("[") + 1 : message.rindex("]")]
            return [r.strip() for r in inside.split(",")]
    return [r.get("Code", "None") for r in reasons]


# --- writes shared by every entity ----------------------------------------------------------------

IS_NEW = "attribute_not_exists(pk)"


def put_new(item: Item) -> dict[str, Any]:
    """A TransactWriteItems entry creating `item` (never overwrites)."""
    return {"Put": {"TableName": table_name(), "Item": to_item(item), "ConditionExpression": IS_NEW}}


def create(item: Item) -> None:
    """Put `item` unless its key exists (ConditionalCheckFailedException then)."""
    client().put_item(TableName=table_name(), Item=to_item(item), ConditionExpression=IS_NEW)


def set_once(item_key: tuple[str, str], attribute: str, value: Any) -> bool:
    """Set `attribute` of an existing item while it is still null. False when it was already set or
    the item does not exist."""
    try:
        client().update_item(
            TableName=table_name(),
            Key=key(*item_key),
            UpdateExpression=f"SET {attribute} = :value",
            ConditionExpression=f"attribute_exists(pk) AND attribute_type({attribute}, :null)",
            ExpressionAttributeValues=values({":value": value, ":null": "NULL"}),
        )
    except Exception as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True
