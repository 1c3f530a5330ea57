"""PKCE with S256 only (RFC 7636; 10-auth §6.1, §6.5.1, §6.8.3 step 7)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

CODE_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43}\Z")
CODE_VERIFIER_RE = re.compile(r"^[A-Za-z0-9._~-]{43,128}\Z")
SUPPORTED_METHODS = ("S256",)


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA-256(ASCII verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def is_valid_challenge(challenge: str | None) -> bool:
    return challenge is not None and CODE_CHALLENGE_RE.match(challenge) is not None


def is_valid_verifier(verifier: str | None) -> bool:
    return verifier is not None and CODE_VERIFIER_RE.match(verifier) is not None


def verify_pkce(verifier: str | None, challenge: str) -> bool:
    """True when the verifier is well-formed and its S256 transform equals the stored challenge."""
    if verifier is None or CODE_VERIFIER_RE.match(verifier) is None:
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)
