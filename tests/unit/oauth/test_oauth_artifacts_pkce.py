"""Artifact formats (10-auth §6.3) and PKCE S256 (RFC 7636)."""

from __future__ import annotations

import re

import pytest

from fortytwo.domain.oauth import artifacts, pkce
from fortytwo.domain.oauth.artifacts import (
    ACCESS_TOKEN_RE,
    CLIENT_ID_RE,
    CLIENT_SECRET_RE,
    CODE_RE,
    REFRESH_TOKEN_RE,
    hash_secret,
    token_kind,
)

B64URL43 = re.compile(r"^[A-Za-z0-9_-]{43}$")


@pytest.mark.parametrize(
    ("make", "prefix", "pattern"),
    [
        (artifacts.new_access_token, "42min_at_", ACCESS_TOKEN_RE),
        (artifacts.new_refresh_token, "42min_rt_", REFRESH_TOKEN_RE),
        (artifacts.new_code, "42min_ac_", CODE_RE),
        (artifacts.new_client_secret, "42min_cs_", CLIENT_SECRET_RE),
    ],
)
def test_token_formats(make, prefix, pattern):
    values = {make() for _ in range(50)}
    assert len(values) == 50  # random
    for value in values:
        assert value.startswith(prefix)
        assert B64URL43.match(value[len(prefix) :])
        assert pattern.match(value)


def test_client_id_is_42min_plus_ulid():
    value = artifacts.new_client_id(1_779_271_200_000)
    assert CLIENT_ID_RE.match(value)
    assert len(value) == 6 + 26
    assert CLIENT_ID_RE.match("42min_01KR8N8N804DGCA9ZJ80BF7N5J")
    for bad in (
        "42min_01kr8n8n804dgca9zj80bf7n5j",
        "42min_01KR8N8N804DGCA9ZJ80BF7N5",
        "42min_01KR8N8N804DGCA9ZJ80BF7N5I",
    ):
        assert not CLIENT_ID_RE.match(bad)


def test_cookie_values():
    assert artifacts.COOKIE_VALUE_RE.match(artifacts.new_cookie_value())


def test_patterns_reject_trailing_newline_and_wrong_lengths():
    token = artifacts.new_access_token()
    assert not ACCESS_TOKEN_RE.match(token + "\n")
    assert not ACCESS_TOKEN_RE.match(token[:-1])
    assert not ACCESS_TOKEN_RE.match(token + "A")
    assert not ACCESS_TOKEN_RE.match(token.replace("42min_at_", "42MIN_AT_"))


def test_hash_is_lower_hex_hmac_sha256():
    digest = hash_secret(b"k" * 32, "42min_at_x")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == hash_secret(b"k" * 32, "42min_at_x")
    assert digest != hash_secret(b"j" * 32, "42min_at_x")


def test_token_kind():
    assert token_kind(artifacts.new_access_token()) == "access_token"
    assert token_kind(artifacts.new_refresh_token()) == "refresh_token"
    assert token_kind(artifacts.new_code()) is None
    assert token_kind("42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG") is None


def test_lifetimes():
    assert artifacts.CODE_TTL.total_seconds() == 60
    assert artifacts.ACCESS_TOKEN_EXPIRES_IN == 3600
    assert artifacts.REFRESH_TOKEN_TTL.days == 30
    assert artifacts.SESSION_TTL.total_seconds() == 43200


# --- PKCE -------------------------------------------------------------------------------------

RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_rfc7636_appendix_b_vector():
    assert pkce.s256_challenge(RFC7636_VERIFIER) == RFC7636_CHALLENGE
    assert pkce.verify_pkce(RFC7636_VERIFIER, RFC7636_CHALLENGE)


def test_spec_example_verifier_is_well_formed():
    verifier = "VxzagrxgxhYt-CE0KskunWSNzdgTVFnA2ZwP0pMgKEye6C9GOAq-LwAiav0WRnQA"
    assert pkce.is_valid_verifier(verifier)
    assert pkce.is_valid_challenge(pkce.s256_challenge(verifier))


def test_wrong_verifier():
    other = "x" * 43
    assert not pkce.verify_pkce(other, RFC7636_CHALLENGE)


@pytest.mark.parametrize(
    ("verifier", "ok"),
    [
        ("a" * 42, False),
        ("a" * 43, True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("A-._~z09" + "a" * 35, True),
        ("a" * 42 + "+", False),
        ("a" * 42 + "/", False),
        ("a" * 42 + "=", False),
        ("a" * 42 + " ", False),
        ("a" * 43 + "\n", False),
        ("é" * 43, False),
        ("", False),
    ],
)
def test_verifier_syntax(verifier, ok):
    assert pkce.is_valid_verifier(verifier) is ok
    # a malformed verifier fails even when its transform would match
    assert pkce.verify_pkce(verifier, pkce.s256_challenge(verifier) if verifier.isascii() else "x") is ok


def test_none_verifier():
    assert not pkce.verify_pkce(None, RFC7636_CHALLENGE)
    assert not pkce.is_valid_verifier(None)


@pytest.mark.parametrize(
    ("challenge", "ok"),
    [
        (RFC7636_CHALLENGE, True),
        (RFC7636_CHALLENGE[:-1], False),
        (RFC7636_CHALLENGE + "A", False),
        (RFC7636_CHALLENGE[:-1] + "=", False),
        (RFC7636_CHALLENGE[:-1] + "+", False),
        (None, False),
    ],
)
def test_challenge_syntax(challenge, ok):
    assert pkce.is_valid_challenge(challenge) is ok
