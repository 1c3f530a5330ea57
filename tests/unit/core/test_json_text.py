"""Strict request JSON (issue 12, defects 2 and 3): bounded nesting, no lone surrogates, linear time."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.contract.errors import InvalidRequest
from fortytwo.domain import json_text
from fortytwo.domain.json_text import MAX_DEPTH, JsonTextError
from fortytwo.domain.oauth.clients import parse_json_object as parse_registration
from fortytwo.http.body import parse_json_object


def _nested(levels: int, opener: str = "[", closer: str = "]") -> bytes:
    return ('{"a":' + opener * (levels - 1) + closer * (levels - 1) + "}").encode()


def test_nesting_up_to_the_limit_parses_and_one_more_is_refused() -> None:
    assert json_text.loads(_nested(MAX_DEPTH)) == {
        "a": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    }
    with pytest.raises(JsonTextError, match="deeper than 64"):
        json_text.loads(_nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("levels", [1_500, 30_000])
def test_deep_nesting_is_an_invalid_request_not_a_recursion_error(levels: int) -> None:
    """Used to raise RecursionError (a 500) at 1,500 levels: 3 KB of brackets."""
    for body in (_nested(levels), _nested(levels, '{"x":', "}"), b"[" * levels):
        with pytest.raises(InvalidRequest):
            parse_json_object(body)
        assert parse_registration(body) is None


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"a":"' + "[" * 500 + '\\"' + "{" * 500 + '"}'
    assert json_text.loads(text.encode()) == {"a": "[" * 500 + '"' + "{" * 500}


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":"\\ud800"}',
        b'{"a":"\\udfff"}',
        b'{"a":"x\\ude00y"}',
        b'{"\\ud83d":1}',
        b'{"a":["ok",{"b":"\\ud83dz"}]}',
    ],
)
def test_lone_surrogates_are_refused_at_parse_time(body: bytes) -> None:
    """Used to pass parsing, then fail as UnicodeEncodeError in the fingerprint or the store (500)."""
    with pytest.raises(InvalidRequest, match="surrogate"):
        parse_json_object(body)
    assert parse_registration(body) is None


def test_surrogate_pairs_and_nul_are_fine() -> None:
    assert json_text.loads(b'{"a":"\\ud83d\\ude00","b":"\\u0000"}') == {"a": "\U0001f600", "b": "\x00"}


@pytest.mark.parametrize(
    "text",
    [
        '"' + '\\"' * 32_000,  # an unterminated string of escaped quotes
        "[" * 32_000 + '"' + "a" * 30_000,
        '{"a":"' + "\\n" * 30_000 + '"}',
        '"a",' * 16_000,
    ],
)
def test_the_depth_scan_is_linear(text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(JsonTextError):
        json_text.loads(text.encode())
    assert time.perf_counter() - started < 0.5


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_acceptable_values_round_trip(value: object) -> None:
    text = json.dumps({"v": value})
    surrogate = any(0xD800 <= ord(ch) <= 0xDFFF for ch in json.dumps(value, ensure_ascii=False))
    if surrogate or json_text.too_deep(text):
        with pytest.raises(JsonTextError):
            json_text.loads(text.encode())
    else:
        assert json_text.loads(text.encode()) == {"v": value}
