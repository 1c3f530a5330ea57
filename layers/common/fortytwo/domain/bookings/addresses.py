"""Attendee address rules (30-bookings §5.3): email and phone formats, checked without DNS."""

from __future__ import annotations

import re

# Characters allowed in a dot-separated atom of the local part (RFC 5322 atext, no quoting).
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_ALPHA_TLD = re.compile(r"^[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_PUNCTUATION = str.maketrans("", "", " -.()")
MAX_LOCAL_PART = 64


def is_valid_email(value: str) -> bool:
    """The §5.3 address rules, applied to the trimmed value."""
    text = value.strip()
    if not text or any(not 0x20 <= ord(c) <= 0x7E for c in text):
        return False
    if text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not 1 <= len(local) <= MAX_LOCAL_PART:
        return False
    if not all(_ATEXT.match(atom) for atom in local.split(".")):
        return False  # also rejects empty atoms: leading, trailing or doubled dots
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    last = labels[-1]
    return bool(_ALPHA_TLD.match(last)) or last.lower().startswith("xn--")


def is_valid_phone(value: str) -> bool:
    """International form after removing spaces, `-`, `.`, `(` and `)` (§5.3, 20-scheduling §2.7)."""
    return bool(_PHONE.match(value.strip().translate(_PHONE_PUNCTUATION)))
