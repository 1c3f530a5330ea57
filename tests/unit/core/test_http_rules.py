"""Body, query, cursor, route and bearer-header rules of the shared HTTP layer."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from fortytwo.config import ConfigError, load_settings, parse_rate_limits, parse_retry_schedule
from fortytwo.contract.errors import InvalidQueryParam, InvalidRequest, ValidationFailed
from fortytwo.domain.auth import AuthFailure
from fortytwo.domain.json_text import is_json_media_type
from fortytwo.http.auth import parse_bearer
from fortytwo.http.body import parse_json_object, validate
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.query import QueryReader
from fortytwo.http.routes import allowed_methods

PEPPER = b"p" * 32


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("application/json", True),
        ("Application/JSON; charset=UTF-8", True),
        ("application/json;charset=utf-8", True),
        ("application/json; boundary=x", True),
        (None, False),
        ("text/plain", False),
        ("text/json", False),
        ("application/problem+json", False),
        ("application/json; charset=latin1", False),
        ("application/json; charset=utf8", False),
    ],
)
def test_json_media_types(value, ok):
    assert is_json_media_type(value) is ok


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf{}",
        b'{"a":1,"a":2}',
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b"[1,2]",
        b'"text"',
        b"{",
        b'{"a":"\xff"}',
    ],
)
def test_bodies_that_are_not_strict_json_objects_are_invalid_requests(body):
    with pytest.raises(InvalidRequest):
        parse_json_object(body)


class _Model(BaseModel):
    start: str
    count: int = Field(ge=1)
    name: str | None = None


def test_validation_errors_follow_body_order_with_missing_fields_last():
    with pytest.raises(ValidationFailed) as caught:
        validate(_Model, {"name": 5, "count": 0})
    fields = [f["field"] for f in caught.value.details["fields"]]
    assert fields == ["name", "count", "start"]
    assert caught.value.details["fields"][2]["message"] == "Required"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 20),
        ("limit=", 20),
        ("limit=1", 1),
        ("limit=100", 100),
        ("limit=101", 100),
        ("limit=" + "9" * 40, 100),
    ],
)
def test_limit_defaults_and_clamps(query, expected):
    assert QueryReader(query).limit() == expected


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "1e2", "%2B5"])
def test_bad_limits_name_the_parameter(value):
    with pytest.raises(InvalidQueryParam) as caught:
        QueryReader(f"limit={value}").limit()
    assert caught.value.details == {"param": "limit"}


def test_repeated_single_valued_parameters_are_rejected():
    with pytest.raises(InvalidQueryParam) as caught:
        QueryReader("sort=a&sort=a").single("sort")
    assert caught.value.details == {"param": "sort"}


def test_booleans_are_exactly_true_or_false():
    assert QueryReader("x=true").boolean("x") is True
    assert QueryReader("x=false").boolean("x", default=True) is False
    with pytest.raises(InvalidQueryParam):
        QueryReader("x=True").boolean("x")


def test_unencoded_plus_in_a_datetime_is_read_as_plus():
    value = QueryReader("start=2026-05-20T12:00:00+02:00").datetime("start")
    assert value is not None and value.hour == 10


def test_timezones_are_iana_names_matched_exactly():
    assert QueryReader("timezone=Europe/London").timezone() == "Europe/London"
    for bad in ("europe/london", "Mars/Olympus", "..%2Fetc", "Europe/London/"):
        with pytest.raises(InvalidQueryParam):
            QueryReader(f"timezone={bad}").timezone()


ORG_A = "019daa5b-0000-7000-8000-00000000000a"
ORG_B = "019daa5b-0000-7000-8000-00000000000b"


def test_cursor_round_trip_and_binding():
    codec = CursorCodec(PEPPER)
    binding = codec.binding("/v1/bookings", {}, "start_asc", {"status": ["accepted"]}, account=ORG_A)
    cursor = codec.encode(binding, "2026-05-20T10:00:00.000Z", "019daa5b-3f7c-751f-b034-0ae6ca265e2b")
    assert "=" not in cursor
    assert codec.decode(cursor, binding) == (
        "2026-05-20T10:00:00.000Z",
        "019daa5b-3f7c-751f-b034-0ae6ca265e2b",
    )
    other = codec.binding("/v1/bookings", {}, "start_desc", {"status": ["accepted"]}, account=ORG_A)
    with pytest.raises(InvalidQueryParam):
        codec.decode(cursor, other)
    # The same request by another organization (issue 12, defect 7).
    foreign = codec.binding("/v1/bookings", {}, "start_asc", {"status": ["accepted"]}, account=ORG_B)
    with pytest.raises(InvalidQueryParam):
        codec.decode(cursor, foreign)
    with pytest.raises(InvalidQueryParam):
        CursorCodec(b"q" * 32).decode(cursor, binding)


def test_text_after_is_the_position_of_a_text_sorted_list() -> None:
    codec = CursorCodec(PEPPER)
    binding = codec.binding("/v1/event-types", {}, "title_asc", {}, account=ORG_A)
    assert codec.text_after(None, binding) is None
    assert codec.text_after(codec.encode(binding, "intro call", "id1"), binding) == ("intro call", "id1")
    with pytest.raises(InvalidQueryParam):  # a signed position whose sort value is not text
        codec.text_after(codec.encode(binding, 7, "id1"), binding)


@given(st.binary(min_size=1, max_size=200))
def test_any_altered_cursor_is_rejected(noise):
    codec = CursorCodec(PEPPER)
    binding = codec.binding("/v1/event-types", {}, "created_at_asc", {}, account=ORG_A)
    cursor = codec.encode(binding, "x", "id")
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    index = noise[0] % len(raw)
    raw[index] ^= noise[-1] or 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(InvalidQueryParam):
        codec.decode(tampered, binding)


@pytest.mark.parametrize("cursor", ["", "!!!", "abc", "a" * 10])
def test_garbage_cursors_are_rejected(cursor):
    with pytest.raises(InvalidQueryParam):
        CursorCodec(PEPPER).decode(cursor, "b")


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/bookings/abc", ["GET", "PATCH"]),
        ("/v1/bookings", ["GET", "POST"]),
        ("/v1/webhooks/x", ["GET", "PATCH", "DELETE"]),
        ("/v1/event-types/ada/intro-call", ["GET"]),
        ("/v1/event-types/ada%2Fintro-call", ["GET"]),
        ("/v1/me/", []),
        ("/v1//me", []),
        ("/v2/me", []),
        ("/V1/me", []),
        ("/.well-known/openid-configuration", []),
    ],
)
def test_route_table_tells_404_from_405(path, methods):
    assert allowed_methods(path) == methods


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("  BEARER   abc \t", "abc"),
    ],
)
def test_bearer_parsing(header, token):
    assert parse_bearer(header) == token


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer a b", "Bearer a,b", "Bearer\tabc"]
)
def test_bearer_parsing_failures_are_invalid_token(header):
    with pytest.raises(AuthFailure) as caught:
        parse_bearer(header)
    assert caught.value.code == "invalid_token"


def _env(**overrides):
    env = {
        "FORTYTWO_TABLE_NAME": "t",
        "FORTYTWO_PUBLIC_BASE_URL": "https://api.example.com",
        "FORTYTWO_BOOKING_PAGE_BASE_URL": "https://example.com",
        "FORTYTWO_PEPPER_PARAM": "/p",
    }
    env.update(overrides)
    return env


def test_config_defaults_and_overrides():
    settings = load_settings(_env(FORTYTWO_RATE_LIMITS="pat=5,oauth_token=7"))
    assert settings.rate_limits["pat"] == 5 and settings.rate_limits["oauth_token"] == 7
    assert settings.rate_limits["anonymous"] == 30
    assert settings.webhook_retry_schedule == (0, 60, 300, 1800, 7200, 43200)
    assert settings.oauth_dcr_enabled is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FORTYTWO_TABLE_NAME", ""),
        ("FORTYTWO_PUBLIC_BASE_URL", "https://api.example.com/"),
        ("FORTYTWO_PUBLIC_BASE_URL", "api.example.com"),
        ("FORTYTWO_OAUTH_DCR_ENABLED", "yes"),
        ("FORTYTWO_RATE_LIMITS", "pat=0"),
        ("FORTYTWO_RATE_LIMITS", "nope=3"),
        ("FORTYTWO_WEBHOOK_RETRY_SCHEDULE", "5,1"),
    ],
)
def test_bad_configuration_names_the_variable(name, value):
    with pytest.raises(ConfigError) as caught:
        load_settings(_env(**{name: value}))
    assert caught.value.variable == name


def test_rate_limit_and_schedule_parsers():
    assert parse_rate_limits("")["pat"] == 120
    assert parse_retry_schedule("0,1,2") == (0, 1, 2)


def test_register_route_exists_only_while_registration_is_enabled():
    assert allowed_methods("/v1/oauth/register") == ["POST"]
    assert allowed_methods("/v1/oauth/register", dcr_enabled=False) == []
    assert allowed_methods("/v1/event-types/a/b/c") == []
