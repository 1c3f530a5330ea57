"""The generic item codec: every supported field type survives encode → DynamoDB → decode."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from fortytwo.store import dynamo
from fortytwo.store.schema import ItemSchema


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True, slots=True)
class Inner:
    name: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Thing:
    id: str
    count: int
    ratio: float
    flag: bool
    created_at: datetime
    day: date
    colour: Colour
    tags: tuple[str, ...]
    labels: frozenset[str]
    inner: Inner
    inners: tuple[Inner, ...] = ()
    extra: dict[str, int] = field(default_factory=dict)
    note: str | None = None


SCHEMA = ItemSchema(
    type="thing",
    entity=Thing,
    key=lambda t: (f"T#{t.id}", "T"),
    indexes={"gsi1": lambda t: (f"C#{t.colour.value}", t.id), "gsi2": lambda t: None},
    ttl=lambda t: 123 if t.flag else None,
)

_ms = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
_inner = st.builds(Inner, name=_text, at=st.none() | _ms)
_things = st.builds(
    Thing,
    id=_text,
    count=st.integers(-(10**12), 10**12),
    ratio=st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 6)),
    flag=st.booleans(),
    created_at=_ms,
    day=st.dates(),
    colour=st.sampled_from(Colour),
    tags=st.lists(_text, max_size=3).map(tuple),
    labels=st.frozensets(_text, max_size=3),
    inner=_inner,
    inners=st.lists(_inner, max_size=2).map(tuple),
    extra=st.dictionaries(_text, st.integers(0, 9), max_size=2),
    note=st.none() | _text,
)


@given(_things)
def test_round_trip_through_attribute_values(thing: Thing) -> None:
    item = SCHEMA.encode(thing)
    stored = dynamo.from_item(dynamo.to_item(item))
    assert stored is not None
    assert SCHEMA.decode(stored) == thing


def test_keys_indexes_and_ttl_are_declared_by_the_schema() -> None:
    thing = Thing(
        "a",
        1,
        0.5,
        True,
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        date(2026, 1, 2),
        Colour.RED,
        ("x",),
        frozenset({"b", "a"}),
        Inner("i"),
    )
    item = SCHEMA.encode(thing)
    assert (item["pk"], item["sk"], item["type"]) == ("T#a", "T", "thing")
    assert (item["gsi1pk"], item["gsi1sk"]) == ("C#red", "a")
    assert "gsi2pk" not in item and item["ttl"] == 123
    assert item["created_at"] == "2026-01-02T03:04:05.000Z" and item["labels"] == ["a", "b"]


def test_missing_attributes_take_the_defaults() -> None:
    item = SCHEMA.encode(
        Thing(
            "a",
            1,
            0.5,
            False,
            datetime(2026, 1, 2, tzinfo=UTC),
            date(2026, 1, 2),
            Colour.BLUE,
            (),
            frozenset(),
            Inner("i"),
        )
    )
    del item["note"], item["extra"]
    assert "ttl" not in item
    decoded = SCHEMA.decode(item)
    assert decoded.note is None and decoded.extra == {}


class Pair(NamedTuple):
    name: str
    when: datetime


@dataclass(frozen=True, slots=True)
class Holder:
    id: str
    pairs: tuple[Pair, ...] = ()


def test_named_tuples_are_stored_as_lists_and_come_back_typed() -> None:
    schema: ItemSchema[Holder] = ItemSchema(type="holder", entity=Holder, key=lambda h: ("H#" + h.id, "H"))
    holder = Holder("1", (Pair("a", datetime(2026, 5, 20, 9, tzinfo=UTC)),))
    item = schema.encode(holder)
    assert item["pairs"] == [["a", "2026-05-20T09:00:00.000Z"]]
    decoded = schema.decode(dynamo.from_item(dynamo.to_item(item)) or {})
    assert decoded == holder and isinstance(decoded.pairs[0], Pair)
