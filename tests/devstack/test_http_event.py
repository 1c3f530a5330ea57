"""API Gateway HTTP API payload 2.0: request → event, function result → response."""

from __future__ import annotations

import base64

import pytest

from fortytwo_local.devstack.http_event import (
    HttpRequest,
    PathRefused,
    api_gateway_path,
    build_http_event,
    collapse_slashes,
    http_response_from_result,
    is_text_body,
    split_target,
)


def _request(**overrides: object) -> HttpRequest:
    values: dict[str, object] = {
        "method": "POST",
        "raw_path": "/v1/bookings/a%2Fb/cancel",
        "raw_query": "status=upcoming&status=past&q=a%20b+c&flag",
        "headers": [
            ("Host", "127.0.0.1:8042"),
            ("Content-Type", "application/json"),
            ("X-Custom", "one"),
            ("x-custom", "two"),
            ("Cookie", "sid=1; csrf=2"),
            ("User-Agent", "tests/1"),
        ],
        "body": b'{"reason": "x"}',
        "source_ip": "127.0.0.9",
        "server_port": 8042,
    }
    values.update(overrides)
    return HttpRequest(**values)  # type: ignore[arg-type]


def test_event_shape() -> None:
    event = build_http_event(
        _request(),
        "/v1/bookings/ab/cancel",
        "POST /v1/bookings/{uid}/cancel",
        {"uid": "ab"},
        "123456789012",
        request_id="rid",
        now=1779271200.5,
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/bookings/{uid}/cancel"
    assert event["rawPath"] == "/v1/bookings/ab/cancel"
    assert event["rawQueryString"] == "status=upcoming&status=past&q=a%20b+c&flag"
    assert event["cookies"] == ["sid=1", "csrf=2"]
    headers = event["headers"]
    assert "cookie" not in headers
    assert headers["x-custom"] == "one,two"
    assert headers["content-type"] == "application/json"
    assert headers["x-forwarded-for"] == "127.0.0.9"
    assert headers["x-forwarded-proto"] == "http" and headers["x-forwarded-port"] == "8042"
    assert event["queryStringParameters"] == {"status": "upcoming,past", "q": "a b+c", "flag": ""}
    assert event["pathParameters"] == {"uid": "ab"}
    context = event["requestContext"]
    assert context["http"] == {
        "method": "POST",
        "path": "/v1/bookings/ab/cancel",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.9",
        "userAgent": "tests/1",
    }
    assert context["routeKey"] == event["routeKey"] and context["stage"] == "$default"
    assert context["requestId"] == "rid" and context["accountId"] == "123456789012"
    assert context["domainName"] == "127.0.0.1"
    assert context["timeEpoch"] == 1779271200500
    assert context["time"] == "20/May/2026:10:00:00 +0000"
    assert event["body"] == '{"reason": "x"}' and event["isBase64Encoded"] is False


def test_absent_parts_are_left_out() -> None:
    event = build_http_event(
        _request(raw_query="", body=b"", headers=[("Host", "h")]), "/x", "$default", {}, "1"
    )
    assert "queryStringParameters" not in event and "pathParameters" not in event
    assert "cookies" not in event and "body" not in event
    assert event["isBase64Encoded"] is False


def test_client_forwarded_for_is_appended_to() -> None:
    event = build_http_event(_request(headers=[("X-Forwarded-For", "10.0.0.1")]), "/x", "$default", {}, "1")
    assert event["headers"]["x-forwarded-for"] == "10.0.0.1, 127.0.0.9"


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("application/json", b"{}", True),
        ("application/json; charset=utf-8", b"{}", True),
        ("text/plain", "é".encode(), True),
        ("application/merge-patch+json", b"{}", True),
        ("application/json", b"\xff\xfe", False),  # not UTF-8: bytes must survive exactly
        ("application/x-www-form-urlencoded", b"a=1", False),
        ("application/octet-stream", b"\x00", False),
        (None, b"{}", False),
    ],
)
def test_body_encoding(content_type: str | None, body: bytes, text: bool) -> None:
    assert is_text_body(content_type, body) is text
    headers = [("Content-Type", content_type)] if content_type else []
    event = build_http_event(_request(headers=headers, body=body), "/x", "$default", {}, "1")
    assert event["isBase64Encoded"] is (not text)
    decoded = base64.b64decode(event["body"]) if event["isBase64Encoded"] else event["body"].encode()
    assert decoded == body


def test_split_target() -> None:
    assert split_target("/v1/x?a=1&b") == ("/v1/x", "a=1&b")
    assert split_target("//v1//x/") == ("//v1//x/", "")
    assert split_target("http://host:1/v1/x?y") == ("/v1/x", "y")


def test_response_conversion() -> None:
    response = http_response_from_result(
        {
            "statusCode": 201,
            "headers": {"content-type": "application/json", "x-flag": True},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": '{"ok":true}',
        }
    )
    assert response.status == 201
    assert ("set-cookie", "a=1; Path=/") in response.headers and ("set-cookie", "b=2") in response.headers
    assert ("x-flag", "true") in response.headers
    assert response.body == b'{"ok":true}'

    binary = http_response_from_result(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    )
    assert binary.body == b"\x00\xff"
    empty = http_response_from_result({"statusCode": 204})
    assert empty.body == b"" and empty.headers == []
    inferred = http_response_from_result({"hello": "world"})  # no statusCode: a 200 JSON body
    assert inferred.status == 200 and inferred.body == b'{"hello": "world"}'
    with pytest.raises(ValueError):
        http_response_from_result({"statusCode": 42})


@pytest.mark.parametrize(
    ("sent", "path"),
    [
        ("/v1/event-types/ada%2Fintro-call", "/v1/event-types/ada/intro-call"),
        ("/v1/bookings/abc%2Fcancel", "/v1/bookings/abc/cancel"),
        ("/v1/me%3Fx=1", "/v1/me"),  # a decoded `?` ends the path
        ("/v1/a%20b/caf%C3%A9", "/v1/a b/café"),
        ("/v1/a+b%23c", "/v1/a+b#c"),  # `+` is not a space in a path
        ("//v1//me/", "//v1//me/"),  # slashes are the router's business, not the decoder's
    ],
)
def test_paths_are_decoded_once_as_api_gateway_does(sent: str, path: str) -> None:
    assert api_gateway_path(sent) == path


@pytest.mark.parametrize("sent", ["/v1/100%25", "/v1/%2", "/v1/%zz", "/v1/%", "/v1/%C3%28"])
def test_paths_api_gateway_refuses(sent: str) -> None:
    with pytest.raises(PathRefused):
        api_gateway_path(sent)


def test_runs_of_slashes_collapse_trailing_ones_stay() -> None:
    assert collapse_slashes("//v1///me") == "/v1/me"
    assert collapse_slashes("/v1/me//") == "/v1/me/"
