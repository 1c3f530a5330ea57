"""One declared item schema per entity, one generic encode/decode (design.md §2, docs/single-table.md).

An entity is a frozen dataclass of the domain. Its schema names the item `type`, the key builder
(from `store/keys.py`), the secondary-index keys it projects, and an optional TTL. Attributes are
the dataclass fields, converted by their declared types, so no entity has a hand-written codec:

| field type                         | stored as                                    |
|------------------------------------|----------------------------------------------|
| str, int, bool, float, None        | itself (floats go through Decimal in dynamo) |
| datetime (aware)                   | `format_ts` text (UTC, milliseconds, `Z`)    |
| date                               | ISO text                                     |
| Enum                               | its value                                    |
| tuple[X, ...], list[X], frozenset  | list (frozenset of str: sorted list)         |
| dict[str, X], Mapping              | map                                          |
| nested dataclass                   | map of its fields                            |
| X | None                           | NULL or X                                    |

Decoding ignores attributes the entity does not declare (keys, index keys, `type`, TTL), and a
field missing from an older item takes the dataclass default.
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from fortytwo.domain.timefmt import format_ts, parse_ts

E = TypeVar("E")
Key = tuple[str, str]
Item = dict[str, Any]

_NONE = type(None)


@dataclass(frozen=True, slots=True)
class ItemSchema(Generic[E]):
    """How one entity is stored: `encode(entity)` → item, `decode(item)` → entity."""

    type: str
    entity: builtins.type[E]
    key: Callable[[E], Key]
    # index name prefix ("gsi1") → its (pk, sk) for this entity, or None when not projected
    indexes: Mapping[str, Callable[[E], Key | None]] = field(default_factory=dict)
    # epoch seconds for the table's TTL attribute, or None (never expires)
    ttl: Callable[[E], int | None] | None = None

    def encode(self, entity: E) -> Item:
        pk, sk = self.key(entity)
        item: Item = {"pk": pk, "sk": sk, "type": self.type, **encode_fields(entity)}
        for name, index_key in self.indexes.items():
            keys = index_key(entity)
            if keys is not None:
                item[f"{name}pk"], item[f"{name}sk"] = keys
        if self.ttl is not None:
            expires = self.ttl(entity)
            if expires is not None:
                item["ttl"] = expires
        return item

    def decode(self, item: Mapping[str, Any]) -> E:
        return decode_fields(self.entity, item)

    def decode_optional(self, item: Mapping[str, Any] | None) -> E | None:
        return None if item is None else self.decode(item)


def encode_fields(entity: Any) -> Item:
    """The attributes of a dataclass instance, converted by its field types."""
    hints = _hints(type(entity))
    return {f.name: _encode(hints[f.name], getattr(entity, f.name)) for f in _fields(type(entity))}


def decode_fields(cls: type[E], item: Mapping[str, Any]) -> E:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = _hints(cls)
        plan = _PLANS[cls] = tuple((f.name, _decoder(hints[f.name])) for f in _fields(cls))
    return cls(**{name: decode(item[name]) for name, decode in plan if name in item})


_HINTS: dict[Any, dict[str, Any]] = {}
# Decoding is planned once per class and field type (which branch, which element decoders), not
# re-derived from the type hints for every attribute of every item read (bench/warm_cpu.py).
_PLANS: dict[Any, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}
_DECODERS: dict[Any, Callable[[Any], Any]] = {}
_FIELDS: dict[Any, tuple[dataclasses.Field[Any], ...]] = {}


def _hints(cls: Any) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _fields(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(f for f in dataclasses.fields(cls) if f.init)
    return fields


@functools.cache
def _optional_inner(tp: Any) -> Any | None:
    """X for `X | None` / `Optional[X]`, else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not _NONE]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0]
    return None


# Encoding looks at the declared type of every attribute of every item written: its typing
# introspection is memoized per type (the types are the entities' few field annotations).
_origin = functools.cache(typing.get_origin)
_args = functools.cache(typing.get_args)


def _encode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    inner = _optional_inner(tp)
    if inner is not None:
        return _encode(inner, value)
    if isinstance(value, datetime):
        return format_ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode_fields(value)
    if isinstance(value, frozenset | set):
        (arg,) = _args(tp) or (Any,)
        return sorted(_encode(arg, v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(_element_type(tp, i), v) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        args = _args(tp) if _origin(tp) is not None else ()
        value_type = args[1] if len(args) == 2 else Any
        return {str(k): _encode(value_type, v) for k, v in value.items()}
    return value


@functools.cache
def _element_type(tp: Any, index: int) -> Any:
    args = typing.get_args(tp)
    if not args:
        return Any
    if len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if typing.get_origin(tp) is tuple:
        return args[index] if index < len(args) else Any
    return args[0]


def _decode(tp: Any, value: Any) -> Any:
    return _decoder(tp)(value)


def _decoder(tp: Any) -> Callable[[Any], Any]:
    """The function turning a stored value into a value of `tp` (None stays None)."""
    decoder = _DECODERS.get(tp)
    if decoder is None:
        convert = _converter(tp)
        # A value kept as stored keeps None as None too: no wrapper call per attribute.
        decoder = _DECODERS[tp] = (
            convert if convert is _same else lambda value: None if value is None else convert(value)
        )
    return decoder


def _same(value: Any) -> Any:
    return value


def _converter(tp: Any) -> Callable[[Any], Any]:  # noqa: C901 - one branch per supported field type
    inner = _optional_inner(tp)
    if inner is not None:
        return _decoder(inner)
    origin = typing.get_origin(tp) or tp
    if tp is Any:
        return _same
    if origin is datetime:
        return parse_ts
    if origin is date:
        return date.fromisoformat
    if isinstance(origin, type) and issubclass(origin, enum.Enum):
        return origin
    if isinstance(origin, type) and dataclasses.is_dataclass(origin):
        return lambda value: decode_fields(origin, value)
    if isinstance(origin, type) and issubclass(origin, tuple) and hasattr(origin, "_fields"):
        hints = typing.get_type_hints(origin)  # a NamedTuple: stored as the list of its fields
        parts = [_decoder(hints[name]) for name in origin._fields]
        return lambda value: origin(*(part(v) for part, v in zip(parts, value, strict=True)))
    if origin in (tuple, list, frozenset, set):
        return _sequence_converter(tp, origin)
    if origin in (dict, Mapping):
        args = typing.get_args(tp)
        values = _decoder(args[1] if len(args) == 2 else Any)
        return lambda value: {k: values(v) for k, v in value.items()}
    if origin is float:
        return lambda value: float(value) if isinstance(value, int) else value
    return _same


def _sequence_converter(tp: Any, origin: Any) -> Callable[[Any], Any]:
    args = typing.get_args(tp)
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        positional = [_decoder(arg) for arg in args]  # tuple[X, Y]: one type per position
        rest = _decoder(Any)
        return lambda value: origin(
            (positional[i] if i < len(positional) else rest)(v) for i, v in enumerate(value)
        )
    element = _decoder(_element_type(tp, 0))
    if element is _same:  # tuple[str, ...] and the like: the stored list as it is
        return origin  # type: ignore[no-any-return]
    return lambda value: origin([element(v) for v in value])
