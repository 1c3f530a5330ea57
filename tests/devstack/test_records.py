"""Event records the pollers build, partial-batch responses, and DynamoDB JSON round trips."""

from __future__ import annotations

from datetime import UTC, datetime

from fortytwo_local.devstack.persistence import boto_item
from fortytwo_local.devstack.pollers import (
    failed_item_ids,
    json_item,
    lambda_sqs_record,
    lambda_stream_record,
)


def test_stream_record_from_the_api_shape() -> None:
    raw = {
        "eventID": "e1",
        "eventName": "INSERT",
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 5, 20, 10, 0, tzinfo=UTC),
            "Keys": {"pk": {"S": "a"}},
            "NewImage": {"pk": {"S": "a"}, "b": {"B": b"\x00\xff"}, "m": {"M": {"x": {"BS": [b"\x01"]}}}},
            "SequenceNumber": "1100",
            "SizeBytes": 12,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    record = lambda_stream_record(raw, "arn:stream", "us-east-1")
    assert record["eventSourceARN"] == "arn:stream" and record["eventSource"] == "aws:dynamodb"
    assert record["eventName"] == "INSERT" and record["eventID"] == "e1"
    assert record["awsRegion"] == "us-east-1"
    dynamodb = record["dynamodb"]
    assert dynamodb["ApproximateCreationDateTime"] == 1779271200
    assert dynamodb["NewImage"]["b"] == {"B": "AP8="}
    assert dynamodb["NewImage"]["m"] == {"M": {"x": {"BS": ["AQ=="]}}}
    assert dynamodb["SequenceNumber"] == "1100" and "OldImage" not in dynamodb


def test_stream_record_from_moto_records_keeps_base64() -> None:
    raw = {
        "eventID": "e",
        "eventName": "REMOVE",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 5, 20, tzinfo=UTC),
            "Keys": {"pk": {"S": "a"}},
            "OldImage": {"b": {"B": "AP8="}},
            "SequenceNumber": "7",
            "StreamViewType": "OLD_IMAGE",
        },
    }
    assert lambda_stream_record(raw, "arn", "us-east-1")["dynamodb"]["OldImage"] == {"b": {"B": "AP8="}}


def test_sqs_record() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "rh",
        "Body": "{}",
        "MD5OfBody": "99914b932bd37a50b983c5e7c90ae93b",
        "Attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1",
            "SenderId": "S",
            "ApproximateFirstReceiveTimestamp": "2",
        },
        "MessageAttributes": {
            "kind": {"StringValue": "x", "DataType": "String"},
            "blob": {"BinaryValue": b"\x01", "DataType": "Binary"},
        },
        "MD5OfMessageAttributes": "abc",
    }
    record = lambda_sqs_record(message, "arn:queue", "us-east-1")
    assert record["messageId"] == "m1" and record["receiptHandle"] == "rh" and record["body"] == "{}"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "x",
        "binaryValue": None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AQ=="
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == "arn:queue"
    assert record["md5OfBody"] == message["MD5OfBody"] and record["md5OfMessageAttributes"] == "abc"


def test_batch_item_failures() -> None:
    ids = ["1", "2", "3"]
    assert failed_item_ids(None, ids) == set()
    assert failed_item_ids({"batchItemFailures": []}, ids) == set()
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "2"}]}, ids) == {"2"}
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "9"}]}, ids) is None
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, ids) is None
    assert failed_item_ids({"batchItemFailures": [{}]}, ids) is None
    assert failed_item_ids({"batchItemFailures": "nope"}, ids) is None


def test_dynamodb_json_round_trip() -> None:
    item = {
        "pk": {"S": "a"},
        "b": {"B": b"\x00\xff"},
        "bs": {"BS": [b"\x01"]},
        "n": {"N": "1.5"},
        "l": {"L": [{"B": b"z"}, {"NULL": True}, {"BOOL": False}]},
        "m": {"M": {"s": {"SS": ["x"]}}},
    }
    assert boto_item(json_item(item)) == item
