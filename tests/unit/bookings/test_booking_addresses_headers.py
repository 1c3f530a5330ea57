"""Attendee address rules (30-bookings §5.3) and the write headers (§9.1, §9.2, §10)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.bookings import headers
from fortytwo.domain.bookings.addresses import is_valid_email, is_valid_phone
from fortytwo.domain.bookings.errors import BookingRuleError


@pytest.mark.parametrize(
    "value",
    [
        "bob@example.com",
        "  Bob.Builder@Example.COM ",
        "o'brien+tag@mail.example.co",
        "a!#$%&'*+/=?^_`{|}~-@x-y.example.org",
        "user@xn--bcher-kva.xn--p1ai",
        "x@a.io",
        "l" * 64 + "@example.com",
    ],
)
def test_valid_emails(value: str) -> None:
    assert is_valid_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "bob",
        "bob@",
        "@example.com",
        "bob@@example.com",
        "a@b@example.com",
        ".bob@example.com",
        "bob.@example.com",
        "bo..b@example.com",
        '"bob"@example.com',
        "bob smith@example.com",
        "bob@localhost",
        "bob@example.c",
        "bob@example.c0m",
        "bob@-example.com",
        "bob@example-.com",
        "bob@exa_mple.com",
        "bob@example..com",
        "josé@example.com",
        "bob@exämple.com",
        "l" * 65 + "@example.com",
        "bob@" + "d" * 64 + ".com",
    ],
)
def test_invalid_emails(value: str) -> None:
    assert not is_valid_email(value)


_atom = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=10)
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@given(
    st.lists(_atom, min_size=1, max_size=4),
    st.lists(_label, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)
def test_generated_addresses_follow_the_rules(atoms: list[str], labels: list[str], tld: str) -> None:
    local = ".".join(atoms)
    address = f"{local}@{'.'.join(labels)}.{tld}"
    assert is_valid_email(address) == (len(local) <= 64)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("+49 30 1234567", True),
        ("+1 (555) 123-4567", True),
        ("+44.20.7946.0958", True),
        ("  +4915112345678 ", True),
        ("+1234567", True),
        ("+123456", False),
        ("+1234567890123456", False),
        ("+0 30 1234567", False),
        ("030 1234567", False),
        ("+49 30 12a4567", False),
        ("+49/30/1234567", False),
    ],
)
def test_phone_rule(value: str, valid: bool) -> None:
    assert is_valid_phone(value) is valid


# --- Idempotency-Key ------------------------------------------------------------------------


def test_key_is_trimmed_of_spaces_and_tabs_only() -> None:
    assert headers.idempotency_key(" \tabc-1 \t") == "abc-1"
    assert headers.idempotency_key('"abc"') == '"abc"'  # quotes are part of the key
    assert headers.idempotency_key("k" * 255) == "k" * 255


def test_missing_key() -> None:
    with pytest.raises(BookingRuleError) as caught:
        headers.idempotency_key(None)
    assert caught.value.code == "missing_idempotency_key"


@pytest.mark.parametrize("value", ["", "   ", "\t", "k" * 256, "caf\u00e9", "a\x01b", "a\x7fb"])
def test_invalid_keys(value: str) -> None:
    with pytest.raises(BookingRuleError) as caught:
        headers.idempotency_key(value)
    assert caught.value.code == "invalid_idempotency_key"


# --- If-Match --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"3"', 3),
        ('W/"3"', 3),
        ("3", 3),
        ("  3 ", 3),
        ('"007"', 7),
        ("*", "*"),
        (" * ", "*"),
        ('"' + "9" * 18 + '"', int("9" * 18)),
        ("0", 0),
    ],
)
def test_if_match_forms(value: str, expected: int | str) -> None:
    assert headers.if_match(value) == expected


@pytest.mark.parametrize(
    "value", ["", " ", '"3", "4"', "3,4", "-1", '"-1"', 'w/"3"', '"3', '3"', "abc", "9" * 19, '""', "**"]
)
def test_malformed_if_match(value: str) -> None:
    with pytest.raises(BookingRuleError) as caught:
        headers.if_match(value)
    assert caught.value.code == "invalid_if_match"


def test_missing_if_match() -> None:
    with pytest.raises(BookingRuleError) as caught:
        headers.if_match(None)
    assert caught.value.code == "missing_if_match"


def test_etag_is_the_quoted_version() -> None:
    assert headers.etag(12) == '"12"'


# --- Fingerprint -----------------------------------------------------------------------------


def test_fingerprint_matches_the_documented_text() -> None:
    import hashlib

    body = {"b": [1, "é"], "a": None}
    text = 'POST\n/v1/bookings/{uid}/cancel\n{"uid":"abc"}\n{"a":null,"b":[1,"é"]}'
    assert headers.fingerprint("POST", "/v1/bookings/{uid}/cancel", {"uid": "abc"}, body) == (
        hashlib.sha256(text.encode()).hexdigest()
    )


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(max_size=6), _json, max_size=6))
def test_fingerprint_ignores_key_order_and_whitespace(body: dict) -> None:
    reordered = json.loads(json.dumps(dict(reversed(list(body.items()))), indent=3))
    assert headers.fingerprint("POST", "/v1/bookings", {}, body) == headers.fingerprint(
        "POST", "/v1/bookings", {}, reordered
    )


def test_fingerprint_differs_by_route_uid_and_body() -> None:
    base = headers.fingerprint("POST", "/v1/bookings/{uid}/cancel", {"uid": "a"}, {})
    assert base != headers.fingerprint("POST", "/v1/bookings/{uid}/reschedule", {"uid": "a"}, {})
    assert base != headers.fingerprint("POST", "/v1/bookings/{uid}/cancel", {"uid": "b"}, {})
    assert base != headers.fingerprint("POST", "/v1/bookings/{uid}/cancel", {"uid": "a"}, {"reason": None})
