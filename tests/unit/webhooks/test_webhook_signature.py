"""Signature vectors of 40-webhooks §7.2 and the secret format of §3.2."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st
from webhook_vectors import (
    BOOKING_BODY,
    BOOKING_SHA256,
    BOOKING_T,
    BOOKING_V1,
    SECRET,
    TEST_BODY,
    TEST_SHA256,
    TEST_T,
    TEST_V1,
)

from fortytwo.domain.webhooks.signature import (
    compute_v1,
    generate_secret,
    is_secret,
    parse_signature_header,
    sign,
    verify_signature,
)


def _reference_v1(secret: str, t: int, body: bytes) -> str:
    # Written out independently of the code under test: HMAC-SHA256(secret bytes, "t." + body).
    return hmac.new(secret.encode("utf-8"), str(t).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("body", "t", "v1", "length", "sha256"),
    [
        (TEST_BODY, TEST_T, TEST_V1, 161, TEST_SHA256),
        (BOOKING_BODY, BOOKING_T, BOOKING_V1, 1029, BOOKING_SHA256),
    ],
    ids=["test-delivery", "booking-created-non-ascii"],
)
def test_spec_vectors_sign_and_verify(body: bytes, t: int, v1: str, length: int, sha256: str) -> None:
    assert len(body) == length
    assert hashlib.sha256(body).hexdigest() == sha256
    assert _reference_v1(SECRET, t, body) == v1
    assert compute_v1(SECRET, t, body) == v1
    header = sign(SECRET, t, body)
    assert header == f"t={t},v1={v1}"
    assert verify_signature(header, body, [SECRET], now=t + 300)
    assert verify_signature(header, body, [generate_secret(), SECRET], now=t - 300)


def test_key_is_the_whole_secret_string_not_decoded() -> None:
    decoded = base64.urlsafe_b64decode(SECRET.removeprefix("whsec_") + "=")
    wrong = hmac.new(decoded, f"{TEST_T}.".encode() + TEST_BODY, hashlib.sha256).hexdigest()
    assert compute_v1(SECRET, TEST_T, TEST_BODY) != wrong
    without_prefix = _reference_v1(SECRET.removeprefix("whsec_"), TEST_T, TEST_BODY)
    assert compute_v1(SECRET, TEST_T, TEST_BODY) != without_prefix


def test_any_change_breaks_verification() -> None:
    header = sign(SECRET, TEST_T, TEST_BODY)
    now = TEST_T
    assert not verify_signature(header, TEST_BODY.replace(b"true", b"True"), [SECRET], now=now)
    assert not verify_signature(header, TEST_BODY.replace(b'":', b'": '), [SECRET], now=now)
    assert not verify_signature(
        sign(SECRET, TEST_T + 1, TEST_BODY).replace(str(TEST_T + 1), str(TEST_T)),
        TEST_BODY,
        [SECRET],
        now=now,
    )
    assert not verify_signature(header, TEST_BODY, [generate_secret()], now=now)
    assert not verify_signature(header, TEST_BODY, [SECRET], now=now + 301)
    assert not verify_signature(header, TEST_BODY, [SECRET], now=now - 301)
    assert not verify_signature(None, TEST_BODY, [SECRET], now=now)
    assert not verify_signature(header, TEST_BODY, [], now=now)
    assert not verify_signature(f"t=-{TEST_T},v1={TEST_V1}", TEST_BODY, [SECRET], now=now)
    assert not verify_signature(f"v1={TEST_V1}", TEST_BODY, [SECRET], now=now)


def test_header_is_parsed_by_key_not_position() -> None:
    reordered = f"v1={TEST_V1}, t={TEST_T}"
    assert parse_signature_header(reordered) == (str(TEST_T), [TEST_V1])
    assert verify_signature(reordered, TEST_BODY, [SECRET], now=TEST_T)


def test_header_format_t_first_no_spaces_one_v1() -> None:
    header = sign(SECRET, 5, b"{}")
    assert header.startswith("t=5,v1=")
    assert " " not in header and header.count("v1=") == 1
    assert len(header.split("v1=")[1]) == 64 and header.split("v1=")[1] == header.split("v1=")[1].lower()


def test_timestamp_must_be_whole_non_negative_seconds() -> None:
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError):
            sign(SECRET, bad, b"{}")  # type: ignore[arg-type]


def test_secret_format() -> None:
    secret = generate_secret()
    assert len(secret) == 49 and secret.startswith("whsec_") and is_secret(secret)
    assert generate_secret() != secret
    pinned = generate_secret(bytes(range(32)))
    assert pinned == "whsec_" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
    assert is_secret(SECRET)
    assert not is_secret(SECRET + "\n") and not is_secret(SECRET[:-1]) and not is_secret("whsec_" + "+" * 43)
    with pytest.raises(ValueError):
        generate_secret(b"short")


@given(st.binary(min_size=32, max_size=32))
def test_secret_alphabet(raw: bytes) -> None:
    secret = generate_secret(raw)
    assert is_secret(secret)
    assert base64.urlsafe_b64decode(secret[6:] + "=") == raw


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=2**40))
def test_sign_matches_reference(body: bytes, t: int) -> None:
    assert sign(SECRET, t, body) == f"t={t},v1={_reference_v1(SECRET, t, body)}"
