"""Lambda event filtering for the stream trigger."""

from __future__ import annotations

from fortytwo_local.devstack.event_filter import matches, matches_any

OUTBOX = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["outbox"]}}}}


def _record(event_name: str = "INSERT", image: dict | None = None) -> dict:
    record: dict = {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "a"}}}}
    if image is not None:
        record["dynamodb"]["NewImage"] = image
    return record


def test_template_pattern() -> None:
    assert matches(_record(image={"type": {"S": "outbox"}, "n": {"N": "3"}}), OUTBOX)
    assert not matches(_record("MODIFY", {"type": {"S": "outbox"}}), OUTBOX)
    assert not matches(_record(image={"type": {"S": "booking"}}), OUTBOX)
    assert not matches(_record(), OUTBOX)  # REMOVE-like: no NewImage at all
    assert not matches(_record(image={"type": {"N": "1"}}), OUTBOX)


def test_any_filter_and_no_filters() -> None:
    other = {"eventName": ["REMOVE"]}
    assert matches_any(_record("REMOVE"), (OUTBOX, other))
    assert not matches_any(_record("MODIFY"), (OUTBOX, other))
    assert matches_any(_record("MODIFY"), ())


def test_operators() -> None:
    record = _record(image={"type": {"S": "outbox_v2"}, "n": {"N": "7"}, "tags": {"SS": ["a", "b"]}})
    assert matches(record, {"dynamodb": {"NewImage": {"type": {"S": [{"prefix": "outbox"}]}}}})
    assert not matches(record, {"dynamodb": {"NewImage": {"type": {"S": [{"prefix": "book"}]}}}})
    assert matches(record, {"dynamodb": {"NewImage": {"type": {"S": [{"suffix": "_v2"}]}}}})
    assert matches(record, {"dynamodb": {"NewImage": {"gone": [{"exists": False}]}}})
    assert not matches(record, {"dynamodb": {"NewImage": {"type": [{"exists": False}]}}})
    assert matches(record, {"dynamodb": {"NewImage": {"type": [{"exists": True}]}}})
    assert not matches(record, {"dynamodb": {"NewImage": {"gone": [{"exists": True}]}}})
    assert matches(record, {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 5, "<=", 7]}]}}}})
    assert not matches(record, {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 7]}]}}}})
    assert matches(record, {"dynamodb": {"NewImage": {"n": {"N": ["7"]}}}})
    assert matches(record, {"eventName": [{"anything-but": ["REMOVE", "MODIFY"]}]})
    assert not matches(record, {"eventName": [{"anything-but": "INSERT"}]})
    assert matches(record, {"eventName": [{"equals-ignore-case": "insert"}]})
    assert matches(record, {"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}})  # any element of a list
    assert matches(record, {"eventName": ["MODIFY", "INSERT"]})
