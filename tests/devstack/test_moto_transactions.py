"""The per-item TransactWriteItems rollback (moto_internals.install_transaction_journal).

Each scenario runs twice against a fresh in-process moto, once with moto's own whole-table copy
and once with the journal, and everything observable must match: the error and its
CancellationReasons, both tables' items, a GSI query and the stream records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from fortytwo_local.devstack import moto_internals

REGION = "us-east-1"
RANGE_TABLE = "tx-range"
HASH_TABLE = "tx-hash"
Client = Any
Scenario = Callable[[Client], None]


@pytest.fixture(autouse=True)
def _unpatched_afterwards() -> Iterator[None]:
    moto_internals.uninstall_transaction_journal()
    yield
    moto_internals.uninstall_transaction_journal()


def _client(service: str) -> Client:
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    )


def _create_tables(ddb: Client) -> None:
    stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ddb.create_table(
        TableName=RANGE_TABLE,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=stream,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "gpk", "gsk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    ddb.create_table(
        TableName=HASH_TABLE,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=stream,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )


def _seed(ddb: Client) -> None:
    for n in range(4):
        ddb.put_item(
            TableName=RANGE_TABLE,
            Item={
                "pk": {"S": "slot"},
                "sk": {"S": f"s{n}"},
                "gpk": {"S": "day#1"},
                "gsk": {"S": f"09:0{n}"},
                "state": {"S": "free"},
                "version": {"N": "1"},
            },
        )
    ddb.put_item(TableName=HASH_TABLE, Item={"id": {"S": "h1"}, "count": {"N": "5"}, "tag": {"S": "x"}})
    ddb.put_item(TableName=HASH_TABLE, Item={"id": {"S": "h2"}, "count": {"N": "7"}})


def _stream_records(table: str) -> list[dict[str, Any]]:
    ddb, streams = _client("dynamodb"), _client("dynamodbstreams")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    for record in records:  # random or clock-dependent (SizeBytes counts the timestamp's digits)
        record.pop("eventID", None)
        for name in ("ApproximateCreationDateTime", "SizeBytes"):
            record["dynamodb"].pop(name, None)
    return records


def _observe(ddb: Client) -> dict[str, Any]:
    def key(item: dict[str, Any]) -> str:
        return repr(sorted(item.items()))

    return {
        "range": sorted(ddb.scan(TableName=RANGE_TABLE)["Items"], key=key),
        "hash": sorted(ddb.scan(TableName=HASH_TABLE)["Items"], key=key),
        "gsi": [
            ddb.query(
                TableName=RANGE_TABLE,
                IndexName="gsi1",
                KeyConditionExpression="gpk = :g",
                ExpressionAttributeValues={":g": {"S": g}},
            )["Items"]
            for g in ("day#1", "day#2")
        ],
        "counts": [ddb.describe_table(TableName=t)["Table"]["ItemCount"] for t in (RANGE_TABLE, HASH_TABLE)],
        "streams": {t: _stream_records(t) for t in (RANGE_TABLE, HASH_TABLE)},
    }


def _run(scenario: Scenario, *, journal: bool) -> dict[str, Any]:
    if journal:
        moto_internals.install_transaction_journal()
    else:
        moto_internals.uninstall_transaction_journal()
    try:
        with mock_aws():
            ddb = _client("dynamodb")
            _create_tables(ddb)
            _seed(ddb)
            before = _observe(ddb)
            outcome: dict[str, Any] = {"error": None}
            try:
                scenario(ddb)
            except ClientError as exc:
                outcome["error"] = {k: exc.response.get(k) for k in ("Error", "CancellationReasons")}
            outcome["after"] = _observe(ddb)
            outcome["unchanged"] = outcome["after"] == before
            outcome["new_records"] = {
                t: len(outcome["after"]["streams"][t]) - len(before["streams"][t])
                for t in (RANGE_TABLE, HASH_TABLE)
            }
            return outcome
    finally:
        moto_internals.uninstall_transaction_journal()


def _same_both_ways(scenario: Scenario) -> dict[str, Any]:
    moto_outcome = _run(scenario, journal=False)
    journal_outcome = _run(scenario, journal=True)
    assert journal_outcome == moto_outcome
    return journal_outcome


def _key(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "slot"}, "sk": {"S": sk}}


def _book(sk: str, **extra: Any) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": RANGE_TABLE,
            "Key": _key(sk),
            "UpdateExpression": "SET #s = :b, gpk = :g, version = version + :one",
            "ConditionExpression": "#s = :free",
            "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {
                ":b": {"S": "booked"},
                ":free": {"S": "free"},
                ":g": {"S": "day#2"},
                ":one": {"N": "1"},
            },
            **extra,
        }
    }


def _every_kind(ddb: Client, *, fail: bool) -> None:
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": RANGE_TABLE,
                    "Item": {
                        "pk": {"S": "new"},
                        "sk": {"S": "n1"},
                        "gpk": {"S": "day#2"},
                        "gsk": {"S": "10:00"},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            _book("s0"),  # moves the item to another GSI partition
            {
                "ConditionCheck": {
                    "TableName": HASH_TABLE,
                    "Key": {"id": {"S": "h1"}},
                    "ConditionExpression": "#c = :c",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":c": {"N": "6" if fail else "5"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {"Delete": {"TableName": RANGE_TABLE, "Key": _key("s1")}},
            {
                "Update": {
                    "TableName": HASH_TABLE,
                    "Key": {"id": {"S": "h2"}},
                    "UpdateExpression": "SET #c = #c + :one REMOVE tag",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "Update": {
                    "TableName": HASH_TABLE,
                    "Key": {"id": {"S": "h3"}},  # creates the item
                    "UpdateExpression": "SET born = :y",
                    "ExpressionAttributeValues": {":y": {"BOOL": True}},
                }
            },
            {"Delete": {"TableName": HASH_TABLE, "Key": {"id": {"S": "absent"}}}},
        ]
    )


def test_successful_transaction_matches_moto() -> None:
    outcome = _same_both_ways(lambda ddb: _every_kind(ddb, fail=False))
    assert outcome["error"] is None and not outcome["unchanged"]
    after = outcome["after"]
    assert {i["sk"]["S"] for i in after["gsi"][1]} == {"n1", "s0"}  # GSI follows the update
    assert {i["sk"]["S"] for i in after["gsi"][0]} == {"s2", "s3"}
    assert {i["id"]["S"] for i in after["hash"]} == {"h1", "h2", "h3"}
    # One record per write; moto writes two for an Update that creates its item.
    assert outcome["new_records"] == {RANGE_TABLE: 3, HASH_TABLE: 3}


def test_failing_condition_in_the_middle_changes_nothing() -> None:
    outcome = _same_both_ways(lambda ddb: _every_kind(ddb, fail=True))
    assert outcome["unchanged"] and outcome["new_records"] == {RANGE_TABLE: 0, HASH_TABLE: 0}
    assert outcome["error"]["Error"]["Code"] == "TransactionCanceledException"
    reasons = outcome["error"]["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"] + ["None"] * 4
    assert reasons[2]["Item"] == {"id": {"S": "h1"}, "count": {"N": "5"}, "tag": {"S": "x"}}


def test_failure_after_in_place_updates_and_new_hash_bucket_restores_everything() -> None:
    def scenario(ddb: Client) -> None:
        ddb.transact_write_items(
            TransactItems=[
                _book("s2"),
                {"Put": {"TableName": RANGE_TABLE, "Item": {"pk": {"S": "fresh"}, "sk": {"S": "a"}}}},
                {
                    "Update": {
                        "TableName": RANGE_TABLE,
                        "Key": {"pk": {"S": "fresh2"}, "sk": {"S": "b"}},
                        "UpdateExpression": "SET x = :x",
                        "ExpressionAttributeValues": {":x": {"S": "y"}},
                    }
                },
                _book("s3", ConditionExpression="#s = :b"),  # s3 is free: fails last
            ]
        )

    outcome = _same_both_ways(scenario)
    assert outcome["unchanged"] and outcome["error"]["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in outcome["error"]["CancellationReasons"]] == [
        "None",
        "None",
        "None",
        "ConditionalCheckFailed",
    ]


def test_duplicate_item_is_a_validation_error_with_nothing_written() -> None:
    def scenario(ddb: Client) -> None:
        ddb.transact_write_items(
            TransactItems=[
                _book("s0"),
                {"Put": {"TableName": HASH_TABLE, "Item": {"id": {"S": "h9"}}}},
                {"Delete": {"TableName": RANGE_TABLE, "Key": _key("s0")}},
            ]
        )

    outcome = _same_both_ways(scenario)
    assert outcome["unchanged"] and outcome["new_records"] == {RANGE_TABLE: 0, HASH_TABLE: 0}
    assert outcome["error"]["Error"]["Code"] == "ValidationException"
    assert "multiple operations on one item" in outcome["error"]["Error"]["Message"]


def test_bad_key_and_unknown_table_match_moto() -> None:
    def scenario(ddb: Client) -> None:
        ddb.transact_write_items(
            TransactItems=[
                _book("s0"),
                {
                    "Update": {
                        "TableName": RANGE_TABLE,
                        "Key": {"pk": {"S": "slot"}},  # no range key
                        "UpdateExpression": "SET x = :x",
                        "ExpressionAttributeValues": {":x": {"S": "y"}},
                    }
                },
            ]
        )

    outcome = _same_both_ways(scenario)
    assert outcome["unchanged"] and outcome["error"] is not None

    def unknown_table(ddb: Client) -> None:
        ddb.transact_write_items(
            TransactItems=[_book("s0"), {"Put": {"TableName": "nope", "Item": {"id": {"S": "1"}}}}]
        )

    outcome = _same_both_ways(unknown_table)
    assert outcome["unchanged"] and outcome["error"] is not None


def test_refuses_to_patch_when_moto_internals_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    monkeypatch.setitem(moto_internals._PINNED_SOURCES, "moto.dynamodb.models.table:Table.put_item", "0" * 16)
    with pytest.raises(moto_internals.MotoMismatchError, match="Table.put_item"):
        moto_internals.install_transaction_journal()
    assert DynamoDBBackend.transact_write_items is original


def test_installed_with_the_devstack_serialiser_patch() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    moto_internals.install_fast_dynamodb_serializer()
    try:
        assert DynamoDBBackend.transact_write_items is not original
        assert DynamoDBBackend.transact_write_items.__wrapped__ is original  # type: ignore[attr-defined]
    finally:
        moto_internals.uninstall_fast_dynamodb_serializer()
    assert DynamoDBBackend.transact_write_items is original


@contextmanager
def _big_table(items: int) -> Iterator[Client]:
    with mock_aws():
        ddb = _client("dynamodb")
        _create_tables(ddb)
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType, Item

        # Straight into moto's table: 3,000 PutItem calls would take most of the time budget.
        table = dynamodb_backends["123456789012"][REGION].get_table(RANGE_TABLE)
        for n in range(items):
            attrs = {
                "pk": {"S": f"p{n % 300}"},
                "sk": {"S": f"s{n}"},
                "gpk": {"S": "day#1"},
                "gsk": {"S": f"{n:05d}"},
                "state": {"S": "free"},
                "version": {"N": "1"},
                "payload": {"S": "x" * 200},
            }
            table.items[DynamoType(attrs["pk"])][DynamoType(attrs["sk"])] = Item(
                DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs
            )
        yield ddb


def _time_transaction(ddb: Client, n: int) -> float:
    started = time.perf_counter()
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": RANGE_TABLE,
                    "Key": {"pk": {"S": f"p{n % 300}"}, "sk": {"S": f"s{n}"}},
                    "UpdateExpression": "SET version = version + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Put": {"TableName": RANGE_TABLE, "Item": {"pk": {"S": "new"}, "sk": {"S": f"t{n}"}}}},
            {
                "ConditionCheck": {
                    "TableName": RANGE_TABLE,
                    "Key": {"pk": {"S": "p1"}, "sk": {"S": "s1"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
    )
    return time.perf_counter() - started


def test_timing_with_3000_items() -> None:
    with _big_table(3000) as ddb:
        moto_s = _time_transaction(ddb, 10)
        moto_internals.install_transaction_journal()
        journal_s = min(_time_transaction(ddb, n) for n in range(20, 25))
    print(
        f"\nTransactWriteItems, 3 items, 3,000-item table: moto {moto_s * 1000:.0f} ms, "
        f"journal {journal_s * 1000:.1f} ms ({moto_s / journal_s:.0f}x)"
    )
