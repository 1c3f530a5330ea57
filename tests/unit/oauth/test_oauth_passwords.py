"""scrypt password hashing (10-auth §6.6)."""

from __future__ import annotations

import hashlib
import re

import pytest

from fortytwo.adapters import passwords
from fortytwo.adapters.passwords import DUMMY_HASH, hash_password, verify_password


def test_round_trip_and_format():
    encoded = hash_password("correct-horse-battery")
    assert re.fullmatch(r"scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}", encoded)
    assert verify_password("correct-horse-battery", encoded)
    assert not verify_password("correct-horse-batterY", encoded)
    assert not verify_password("", encoded)


def test_random_salt():
    assert hash_password("pw") != hash_password("pw")


def test_unicode_password():
    encoded = hash_password("pässwörd ✓")
    assert verify_password("pässwörd ✓", encoded)


def test_parameters_are_the_specified_ones():
    encoded = hash_password("pw")
    _, n, r, p, salt, key = encoded.split("$")
    salt_bytes = passwords._unb64(salt)
    assert (int(n), int(r), int(p), len(salt_bytes)) == (2**15, 8, 1, 16)
    expected = hashlib.scrypt(b"pw", salt=salt_bytes, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    assert passwords._unb64(key) == expected


def test_no_user_checks_dummy_and_fails(monkeypatch):
    calls = []
    real = passwords._derive

    def spy(*args):
        calls.append(args[2:])
        return real(*args)

    monkeypatch.setattr(passwords, "_derive", spy)
    assert not verify_password("anything", None)
    assert calls == [(2**15, 8, 1, 32)]  # same cost as a real check


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "bcrypt$x",
        "scrypt$32768$8$1$abc",
        DUMMY_HASH.replace("$32768$", "$1000$"),  # N not a power of 2
        DUMMY_HASH.replace("$32768$", "$2097152$"),  # too costly
        "scrypt$x$8$1$a$b",
    ],
)
def test_malformed_hash_never_verifies(encoded):
    assert not verify_password("pw", encoded)


def test_dummy_matches_nothing_obvious():
    for guess in ("", "password", "dummy", "42min"):
        assert not verify_password(guess, DUMMY_HASH)
