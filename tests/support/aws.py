"""Test support: moto-backed AWS resources created from template.yaml, and API Gateway v2 events."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
PEPPER_HEX = "42" * 32
ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "FORTYTWO_TABLE_NAME": "42min-test",
    "FORTYTWO_DELIVERY_QUEUE_URL": "",
    "FORTYTWO_PUBLIC_BASE_URL": "https://api.42min.test",
    "FORTYTWO_BOOKING_PAGE_BASE_URL": "https://42min.test",
    "FORTYTWO_PEPPER_PARAM": "/42min/test/pepper",
    "FORTYTWO_OAUTH_DCR_ENABLED": "true",
    "FORTYTWO_ALLOW_INSECURE_WEBHOOKS": "true",
    "FORTYTWO_WEBHOOK_RETRY_SCHEDULE": "0,1,2,3,4,5",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "FortyTwoMinTest",
    "POWERTOOLS_SERVICE_NAME": "test",
}


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags as plain data ({'Ref': …}); tests only need the literal parts."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {suffix: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def create_table(table_name: str) -> None:
    props = load_template()["Resources"]["Table"]["Properties"]
    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName=table_name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        StreamSpecification={
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        },
    )


def create_queue() -> str:
    return boto3.client("sqs").create_queue(QueueName="42min-test-deliveries")["QueueUrl"]


def put_pepper(name: str) -> None:
    boto3.client("ssm").put_parameter(Name=name, Value=PEPPER_HEX, Type="SecureString", Overwrite=True)


def reset_caches() -> None:
    from fortytwo.config import reset_settings
    from fortytwo.store.dynamo import reset_clients
    from fortytwo.store.pepper import reset_pepper

    reset_settings()
    reset_clients()
    reset_pepper()


_FUNCTIONS: dict[str, Any] = {}


def function_module(group: str) -> Any:
    """Import functions/<group>/app.py under a unique name (every function's module is `app`)."""
    if group not in _FUNCTIONS:
        path = ROOT / "functions" / group / "app.py"
        spec = importlib.util.spec_from_file_location(f"fn_{group}_app", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _FUNCTIONS[group] = module
    return _FUNCTIONS[group]


class LambdaContext:
    function_name = "test-function"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/test"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def http_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | list[tuple[str, str]] | str | None = None,
    body: bytes | str | dict[str, Any] | None = None,
    source_ip: str = "203.0.113.7",
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload-2.0 event, shaped like events/*.json.

    `path` is the path as a client sends it; `rawPath` is what HTTP APIs hand over: decoded once
    and cut at a decoded `?` (docs/decisions.md, "Decoded paths")."""
    path = unquote(path).partition("?")[0]
    raw_query = query if isinstance(query, str) else urlencode(query or {}, quote_via=quote)
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    if isinstance(body, dict):
        body = json.dumps(body)
        hdrs.setdefault("content-type", "application/json")
    raw = body.encode() if isinstance(body, str) else body
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": {"host": "api.42min.test", "user-agent": "pytest", **hdrs},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.42min.test",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": "pytest",
            },
            "requestId": "test",
            "routeKey": route_key or "$default",
            "stage": "$default",
            "time": "20/May/2026:10:00:00 +0000",
            "timeEpoch": 1779271200000,
        },
        "isBase64Encoded": False,
    }
    if raw_query:
        event["queryStringParameters"] = dict(
            pair.split("=", 1) if "=" in pair else (pair, "") for pair in raw_query.split("&")
        )
    if path_parameters:
        event["pathParameters"] = path_parameters
    if raw is not None:
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
    return event


def lifted_rate_limits(limit: int = 100_000_000) -> str:
    """A `--rate-limits` / FORTYTWO_RATE_LIMITS value lifting every bucket out of the way."""
    from fortytwo.config import DEFAULT_RATE_LIMITS

    return ",".join(f"{bucket}={limit}" for bucket in DEFAULT_RATE_LIMITS)


def set_env() -> None:
    os.environ.update(ENV)


@contextmanager
def _serialised_aws_calls() -> Iterator[None]:
    """moto's in-process backends are not thread-safe (two conditional writes can both win, a rolled
    back transaction can erase another thread's write). Real DynamoDB applies each call atomically, so
    tests that run handlers concurrently get the same by serialising every AWS call."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    lock = threading.RLock()

    def serialised(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        with lock:
            return original(self, operation_name, api_params)

    BaseClient._make_api_call = serialised  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@contextmanager
def moto_account() -> Iterator[None]:
    """An isolated in-process AWS account: the template's table, the delivery queue, the pepper."""
    from moto import mock_aws

    os.environ.pop("AWS_ENDPOINT_URL", None)
    set_env()
    with mock_aws(), _serialised_aws_calls():
        reset_caches()
        create_table(ENV["FORTYTWO_TABLE_NAME"])
        os.environ["FORTYTWO_DELIVERY_QUEUE_URL"] = create_queue()
        put_pepper(ENV["FORTYTWO_PEPPER_PARAM"])
        reset_caches()
        yield
    reset_caches()
