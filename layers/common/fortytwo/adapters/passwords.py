"""Password hashing for the OAuth sign-in page (10-auth §6.6).

scrypt with N=2^15, r=8, p=1, a 16-byte random salt and a 32-byte key.

Encoded as `scrypt$<N>$<r>$<p>$<salt b64url>$<key b64url>` so parameters travel with the hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

N = 2**15
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MAXMEM = 64 * 1024 * 1024  # 128·N·r = 32 MiB of work area; hashlib's default cap is too small.

# Bounds on parameters read back from stored hashes, so a corrupt record cannot make a
# verification arbitrarily expensive.
_MAX_LOG2_N = 20

# Checked when no user matches or the user has no password, so timing does not reveal which.
# Its key was drawn at random and matches no known password.
DUMMY_HASH = "scrypt$32768$8$1$CZAhEWW2wG2cR5pW7l9k2Q$w9aS8V6vJq1pDo4mXyH3u6iQ1tZ3rVn2qk0cB7eYfLs"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAXMEM, dklen=dklen)


def hash_password(password: str) -> str:
    """A fresh salted scrypt hash of `password`."""
    salt = os.urandom(SALT_BYTES)
    key = _derive(password, salt, N, R, P, KEY_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(key)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error):
        return None
    if n < 2 or n & (n - 1) or n > 2**_MAX_LOG2_N or not 1 <= r <= 32 or not 1 <= p <= 16:
        return None
    if 128 * n * r > MAXMEM or not salt or not key:
        return None
    return n, r, p, salt, key


def verify_password(password: str, encoded: str | None) -> bool:
    """Constant-time check of `password` against `encoded`.

    With `encoded` None (no such user, or a user without a password) the dummy hash is checked
    anyway and the answer is False, so both paths cost the same.
    """
    parsed = _parse(encoded) if encoded is not None else None
    n, r, p, salt, key = parsed or _DUMMY
    candidate = _derive(password, salt, n, r, p, len(key))
    return hmac.compare_digest(candidate, key) and parsed is not None


_parsed_dummy = _parse(DUMMY_HASH)
if _parsed_dummy is None:  # a broken constant must fail at import, not at sign-in
    raise RuntimeError("DUMMY_HASH is malformed")
_DUMMY: tuple[int, int, int, bytes, bytes] = _parsed_dummy
