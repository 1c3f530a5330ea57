"""Scopes (10-auth §5): the known set, aliases, normalisation and requested-list parsing.

Stored scope sets are always alias-free, de-duplicated and sorted ascending by code point; the
table below keeps the §5.1 order, which is the `scopes_supported` and consent-screen order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

ScopeKind = Literal["live", "reserved", "alias", "refresh"]


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    name: str
    kind: ScopeKind
    wording: str | None  # consent-screen wording; None for aliases (never shown)
    order: int  # position in the §5.1 table


_TABLE: tuple[tuple[str, ScopeKind, str | None], ...] = (
    ("user:read", "live", "Read the connected user's own profile"),
    ("users:read", "reserved", "List organization members"),
    ("event_types:read", "live", "Read event types"),
    ("event_types:create", "reserved", "Create event types"),
    ("event_types:update", "reserved", "Modify event types"),
    ("event_types:delete", "reserved", "Delete event types"),
    ("event_types:write", "alias", None),
    ("slots:read", "live", "Compute availability"),
    ("bookings:read", "live", "Read bookings"),
    ("bookings:create", "live", "Create bookings"),
    ("bookings:cancel", "live", "Cancel bookings"),
    ("bookings:reschedule", "live", "Reschedule bookings"),
    ("bookings:update", "live", "Modify booking metadata and form answers"),
    ("bookings:write", "alias", None),
    ("mcp:scheduling:read", "alias", None),
    ("mcp:scheduling:write", "alias", None),
    ("webhooks:read", "live", "Read webhook subscriptions"),
    ("webhooks:write", "live", "Manage webhook subscriptions"),
    ("series:read", "live", "Read recurring series"),
    ("series:write", "live", "Create and manage recurring series"),
    ("availability:read", "reserved", "Read schedules and availability"),
    ("availability:write", "reserved", "Modify schedules and availability"),
    ("meetings:read", "reserved", "Read the host-side meetings view"),
    ("meetings:write", "reserved", "Modify meetings"),
    ("contacts:read", "reserved", "Read contacts"),
    ("single_use_links:read", "reserved", "Read single-use booking links"),
    ("single_use_links:write", "reserved", "Create and delete single-use booking links"),
    ("roundtables:read", "reserved", "Read meeting polls"),
    ("roundtables:write", "reserved", "Manage meeting polls"),
    ("routing_forms:read", "reserved", "Read routing forms and responses"),
    ("routing_forms:create", "reserved", "Create routing forms"),
    ("routing_forms:update", "reserved", "Modify routing forms"),
    ("offline_access", "refresh", "Receive a refresh token"),
)

#: Every known scope and alias, in §5.1 order. `name in KNOWN_SCOPES` is the "known" test.
KNOWN_SCOPES: Mapping[str, ScopeInfo] = MappingProxyType(
    {name: ScopeInfo(name, kind, wording, i) for i, (name, kind, wording) in enumerate(_TABLE)}
)

#: 50-mcp §4.2: the MCP aliases. The series scopes of 35-series join them once they are known scopes.
_MCP_READ = ("bookings:read", "event_types:read", "series:read", "slots:read", "user:read")
_MCP_WRITE = ("bookings:cancel", "bookings:create", "bookings:reschedule", "bookings:update", "series:write")

#: §5.2: aliases and what they expand to.
ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "event_types:write": ("event_types:create", "event_types:update", "event_types:delete"),
        "bookings:write": ("bookings:create", "bookings:cancel", "bookings:reschedule", "bookings:update"),
        "mcp:scheduling:read": tuple(s for s in _MCP_READ if s in KNOWN_SCOPES),
        "mcp:scheduling:write": tuple(s for s in _MCP_WRITE if s in KNOWN_SCOPES),
    }
)

#: The MCP aliases in the order of the protected-resource metadata and the 401 `scope` (50-mcp §4.3–§4.4).
MCP_ALIASES: tuple[str, ...] = ("mcp:scheduling:read", "mcp:scheduling:write")

#: RFC 8414 / RFC 9728 `scopes_supported`: every known scope except aliases, §5.1 order (29).
SCOPES_SUPPORTED: tuple[str, ...] = tuple(n for n, info in KNOWN_SCOPES.items() if info.kind != "alias")

OFFLINE_ACCESS = "offline_access"


class ScopeError(ValueError):
    """A requested scope list is empty or names an unknown scope."""

    def __init__(self, reason: Literal["empty", "unknown", "not_granted"], scope: str | None = None):
        self.reason = reason
        self.scope = scope
        if reason == "empty":
            message = "At least one scope is required."
        elif reason == "unknown":
            message = f"Unknown scope: {scope}"
        else:
            message = f"Scope not granted: {scope}"
        super().__init__(message)


def normalize_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """De-duplicate and sort ascending by code point (the stored order, §5.2)."""
    return tuple(sorted(set(scopes)))


def expand_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Expand aliases, drop duplicates, sort by code point. Raises ScopeError on an unknown scope.

    The result is a stored set: it never contains an alias. Empty input gives an empty tuple;
    callers decide whether empty is allowed.
    """
    out: set[str] = set()
    for scope in scopes:
        if scope not in KNOWN_SCOPES:
            raise ScopeError("unknown", scope)
        out.update(ALIASES.get(scope, (scope,)))
    return tuple(sorted(out))


def scope_string(scopes: Iterable[str]) -> str:
    """The wire form used by token responses and introspection: sorted, space-separated."""
    return " ".join(normalize_scopes(scopes))


def split_space_delimited(value: str | None) -> list[str]:
    """Split an OAuth `scope` parameter at spaces; runs of spaces (and leading/trailing ones) are tolerated.

    Only U+0020 separates (RFC 6749 §3.3): a tab or other character stays inside the scope and
    makes it unknown. Case-sensitive.
    """
    if value is None:
        return []
    return [part for part in value.split(" ") if part]


def parse_pat_scopes(value: str | Sequence[str]) -> tuple[str, ...]:
    """PAT create (§3.3 check 4): a comma-separated string or a seed-file list.

    Entries are trimmed of surrounding whitespace; empty entries (a trailing comma) are skipped.
    Raises ScopeError("empty") when nothing is left and ScopeError("unknown") on the first unknown
    entry. Returns the expanded, sorted set.
    """
    raw = value.split(",") if isinstance(value, str) else list(value)
    entries: list[str] = []
    for entry in raw:
        if not isinstance(entry, str):
            raise ScopeError("unknown", repr(entry))
        entry = entry.strip()
        if entry:
            entries.append(entry)
    if not entries:
        raise ScopeError("empty")
    return expand_scopes(entries)


def parse_authorize_scope(value: str | None) -> tuple[str, ...]:
    """`GET /v1/oauth/authorize` `scope` (§5.3): empty, absent or unknown → ScopeError (→ invalid_scope)."""
    parts = split_space_delimited(value)
    if not parts:
        raise ScopeError("empty")
    return expand_scopes(parts)


def parse_refresh_scope(value: str | None, granted: Iterable[str]) -> tuple[str, ...]:
    """Refresh `scope` (§6.8.4 step 7): the new access token's scopes.

    Absent or empty → the grant's full set. Otherwise every scope (aliases expanded) must be known
    and in the grant; ScopeError otherwise (→ invalid_scope). Narrowing only.
    """
    granted_set = set(granted)
    parts = split_space_delimited(value)
    if not parts:
        return normalize_scopes(granted_set)
    expanded = expand_scopes(parts)
    for scope in expanded:
        if scope not in granted_set:
            raise ScopeError("not_granted", scope)
    return expanded


def consent_items(scopes: Iterable[str]) -> list[tuple[str, str]]:
    """(scope, wording) for the consent screen: aliases expanded, §5.1 order, aliases never shown."""
    expanded = expand_scopes(scopes)
    ordered = sorted(expanded, key=lambda s: KNOWN_SCOPES[s].order)
    return [(s, KNOWN_SCOPES[s].wording or s) for s in ordered]
