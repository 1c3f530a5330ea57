"""Values the table keeps as given (issue 12, defect 5): DynamoDB's number range and precision."""

from __future__ import annotations

import json
import math
from decimal import Context, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain import json_text, storable
from fortytwo.domain.bookings import requests
from fortytwo.domain.bookings.answers import check_answers
from fortytwo.domain.bookings.errors import ErrorCollector, FieldErrors
from tests.unit.bookings.booking_fixtures import QUESTIONS

ET = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
UNSTORABLE = (
    "1e200",
    "-1e200",
    "1e-200",
    "1e126",
    "1e-131",
    "1e400",  # parses as inf
    "-1e400",
    "5e-324",
    "123456789012345678901234567890123456789",  # 39 significant digits
    "1" + "0" * 130,
)
STORABLE = (
    "0",
    "-0.0",
    "1e125",
    "9.9e125",
    "1e-130",
    "-1e-130",
    "12345678901234567890123456789012345678",
    "1" + "0" * 125,
    "3.14",
)


@pytest.mark.parametrize("text", UNSTORABLE)
def test_numbers_dynamodb_refuses_are_not_storable(text: str) -> None:
    assert not storable.is_storable_number(json.loads(text))


@pytest.mark.parametrize("text", STORABLE)
def test_numbers_within_range_and_precision_are_storable(text: str) -> None:
    assert storable.is_storable_number(json.loads(text))


def _create(metadata: object) -> dict[str, object]:
    return {
        "event_type_id": ET,
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"email": "b@example.com"},
        "metadata": metadata,
    }


@pytest.mark.parametrize("text", UNSTORABLE)
def test_metadata_numbers_are_a_validation_error_naming_the_field(text: str) -> None:
    """Used to be accepted, then the write failed: 503 slot_lock_timeout, advice to retry forever."""
    body = json_text.loads(('{"metadata":{"ok":1,"n":' + text + ',"deep":{"x":[' + text + "]}}}").encode())
    for parse in (
        lambda: requests.parse_create(_create(body["metadata"])),
        lambda: requests.parse_patch(body),
    ):
        with pytest.raises(FieldErrors) as caught:
            parse()
        assert [f["field"] for f in caught.value.fields] == ["metadata.n", "metadata.deep"]
        assert "38 significant digits" in caught.value.fields[0]["message"]


def test_metadata_nesting_beyond_what_the_table_stores_is_refused() -> None:
    ok = {"k": json.loads("[" * 16 + "]" * 16)}
    assert requests.parse_create(_create(ok)).metadata == ok
    with pytest.raises(FieldErrors) as caught:
        requests.parse_create(_create({"k": json.loads("[" * 17 + "]" * 17)}))
    assert caught.value.fields == [{"field": "metadata.k", "message": storable.DEPTH_MESSAGE}]


@pytest.mark.parametrize("text", UNSTORABLE)
def test_number_answers_out_of_range_are_refused(text: str) -> None:
    errors = ErrorCollector()
    kept = check_answers(QUESTIONS, {"size": json.loads(text)}, errors)
    assert kept == {}
    assert [f["field"] for f in errors._fields] == ["responses.size"]


@given(st.integers(min_value=-(10**40), max_value=10**40) | st.floats())
def test_storable_agrees_with_a_decimal_oracle(number: float) -> None:
    if not math.isfinite(number):
        assert not storable.is_storable_number(number)
        return
    exact = Decimal(number) if isinstance(number, int) else Decimal(repr(number))
    digits = exact.normalize(context=Context(prec=100)).as_tuple().digits
    expected = exact == 0 or (len(digits) <= 38 and Decimal("1e-130") <= abs(exact) < Decimal("1e126"))
    assert storable.is_storable_number(number) == expected


def test_an_empty_member_name_at_any_depth_is_not_storable() -> None:
    """DynamoDB refuses "Empty attribute name" inside maps; moto stored it and then served the item
    in a shape botocore cannot parse, so every later read of that booking answered 500."""
    assert storable.value_problem({"a": {"": 1}}) == storable.EMPTY_NAME_MESSAGE
    assert storable.value_problem([{"x": [{"": None}]}]) == storable.EMPTY_NAME_MESSAGE
    assert storable.value_problem({"a": {" ": 1}}) is None
