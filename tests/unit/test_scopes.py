"""Scopes (10-auth §5): the known table, aliases, normalisation, requested-list parsing."""

from __future__ import annotations

import pytest

from fortytwo.domain.scopes import (
    ALIASES,
    KNOWN_SCOPES,
    SCOPES_SUPPORTED,
    ScopeError,
    consent_items,
    expand_scopes,
    normalize_scopes,
    parse_authorize_scope,
    parse_pat_scopes,
    parse_refresh_scope,
    scope_string,
    split_space_delimited,
)

SPEC_SCOPES_SUPPORTED = [
    "user:read", "users:read",
    "event_types:read", "event_types:create", "event_types:update", "event_types:delete",
    "slots:read",
    "bookings:read", "bookings:create", "bookings:cancel", "bookings:reschedule", "bookings:update",
    "webhooks:read", "webhooks:write",
    "series:read", "series:write",
    "availability:read", "availability:write",
    "meetings:read", "meetings:write",
    "contacts:read",
    "single_use_links:read", "single_use_links:write",
    "roundtables:read", "roundtables:write",
    "routing_forms:read", "routing_forms:create", "routing_forms:update",
    "offline_access",
]  # fmt: skip

LIVE = {
    "user:read", "event_types:read", "slots:read", "bookings:read", "bookings:create", "bookings:cancel",
    "bookings:reschedule", "bookings:update", "webhooks:read", "webhooks:write",
    "series:read", "series:write",
}  # fmt: skip


def test_scopes_supported_is_the_spec_list_in_order():
    assert list(SCOPES_SUPPORTED) == SPEC_SCOPES_SUPPORTED
    assert len(SCOPES_SUPPORTED) == 29


def test_known_table_has_33_entries_with_aliases_in_place():
    names = list(KNOWN_SCOPES)
    assert len(names) == 33
    assert names.index("event_types:write") == names.index("event_types:delete") + 1
    assert names.index("bookings:write") == names.index("bookings:update") + 1
    assert [n for n in names if KNOWN_SCOPES[n].kind != "alias"] == SPEC_SCOPES_SUPPORTED


def test_kinds():
    for name, info in KNOWN_SCOPES.items():
        if name in ALIASES:
            assert info.kind == "alias" and info.wording is None
        elif name == "offline_access":
            assert info.kind == "refresh"
        elif name in LIVE:
            assert info.kind == "live"
        else:
            assert info.kind == "reserved"
        if info.kind != "alias":
            assert info.wording


@pytest.mark.parametrize(
    ("scope", "wording"),
    [
        ("user:read", "Read the connected user's own profile"),
        ("slots:read", "Compute availability"),
        ("bookings:update", "Modify booking metadata and form answers"),
        ("single_use_links:write", "Create and delete single-use booking links"),
        ("roundtables:read", "Read meeting polls"),
        ("offline_access", "Receive a refresh token"),
    ],
)
def test_consent_wording(scope, wording):
    assert KNOWN_SCOPES[scope].wording == wording


def test_alias_expansion():
    assert expand_scopes(["bookings:write"]) == (
        "bookings:cancel",
        "bookings:create",
        "bookings:reschedule",
        "bookings:update",
    )
    assert expand_scopes(["event_types:write"]) == (
        "event_types:create",
        "event_types:delete",
        "event_types:update",
    )


def test_expand_dedupes_and_sorts_by_code_point():
    got = expand_scopes(["slots:read", "bookings:write", "bookings:read", "bookings:create", "slots:read"])
    assert got == (
        "bookings:cancel",
        "bookings:create",
        "bookings:read",
        "bookings:reschedule",
        "bookings:update",
        "slots:read",
    )
    assert list(got) == sorted(got)
    # code point order, not the table order: ":" (0x3A) sorts before "s" (0x73)
    assert expand_scopes(["users:read", "user:read", "event_types:read"]) == (
        "event_types:read",
        "user:read",
        "users:read",
    )


def test_stored_set_never_contains_an_alias():
    everything = expand_scopes(list(KNOWN_SCOPES))
    assert not set(everything) & set(ALIASES)
    assert len(everything) == 29


@pytest.mark.parametrize("bad", ["bookings:delete", "mcp:scheduling", "series:delete", "BOOKINGS:READ", ""])
def test_unknown_scopes(bad):
    with pytest.raises(ScopeError) as exc:
        expand_scopes(["bookings:read", bad])
    assert exc.value.reason == "unknown"
    assert exc.value.scope == bad


def test_normalize_and_scope_string():
    assert normalize_scopes(["b", "a", "b"]) == ("a", "b")
    assert scope_string(["slots:read", "bookings:read", "slots:read"]) == "bookings:read slots:read"


class TestPatScopes:
    def test_comma_list(self):
        assert parse_pat_scopes("bookings:write,slots:read") == (
            "bookings:cancel",
            "bookings:create",
            "bookings:reschedule",
            "bookings:update",
            "slots:read",
        )

    def test_seed_list(self):
        assert parse_pat_scopes(["user:read", "user:read"]) == ("user:read",)

    def test_whitespace_and_empty_entries_tolerated(self):
        assert parse_pat_scopes(" slots:read , user:read ,") == ("slots:read", "user:read")

    @pytest.mark.parametrize("value", ["", " ", ",", [], [" "]])
    def test_empty(self, value):
        with pytest.raises(ScopeError) as exc:
            parse_pat_scopes(value)
        assert exc.value.reason == "empty"

    def test_unknown(self):
        with pytest.raises(ScopeError, match="Unknown scope: bookings:delete"):
            parse_pat_scopes("slots:read,bookings:delete")

    def test_offline_access_accepted_on_a_pat(self):
        assert parse_pat_scopes("offline_access") == ("offline_access",)

    def test_non_string_entry(self):
        with pytest.raises(ScopeError):
            parse_pat_scopes(["slots:read", 3])  # type: ignore[list-item]


class TestAuthorizeScope:
    def test_space_separated_with_runs(self):
        assert parse_authorize_scope("  bookings:read   slots:read ") == ("bookings:read", "slots:read")

    def test_spec_example(self):
        got = parse_authorize_scope("bookings:read bookings:write slots:read offline_access")
        assert scope_string(got) == (
            "bookings:cancel bookings:create bookings:read bookings:reschedule bookings:update "
            "offline_access slots:read"
        )

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_empty(self, value):
        with pytest.raises(ScopeError) as exc:
            parse_authorize_scope(value)
        assert exc.value.reason == "empty"

    def test_case_sensitive(self):
        with pytest.raises(ScopeError, match="Unknown scope: Slots:read"):
            parse_authorize_scope("Slots:read")

    def test_only_space_separates(self):
        assert split_space_delimited("a\tb c") == ["a\tb", "c"]
        with pytest.raises(ScopeError):
            parse_authorize_scope("slots:read\tuser:read")

    def test_comma_is_not_a_separator(self):
        with pytest.raises(ScopeError):
            parse_authorize_scope("slots:read,user:read")

    def test_duplicates_dropped(self):
        assert parse_authorize_scope("slots:read slots:read") == ("slots:read",)


class TestRefreshScope:
    GRANT = ("bookings:cancel", "bookings:create", "bookings:read", "offline_access", "slots:read")

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_absent_or_empty_is_full_grant(self, value):
        assert parse_refresh_scope(value, self.GRANT) == self.GRANT

    def test_narrowing(self):
        assert parse_refresh_scope("slots:read  bookings:read", self.GRANT) == ("bookings:read", "slots:read")

    def test_alias_expanded_must_fit(self):
        with pytest.raises(ScopeError) as exc:
            parse_refresh_scope("bookings:write", self.GRANT)
        assert exc.value.reason == "not_granted"
        assert exc.value.scope == "bookings:reschedule"

    def test_alias_within_grant(self):
        grant = expand_scopes(["bookings:write", "slots:read"])
        assert parse_refresh_scope("bookings:write", grant) == expand_scopes(["bookings:write"])

    def test_outside_grant(self):
        with pytest.raises(ScopeError) as exc:
            parse_refresh_scope("user:read", self.GRANT)
        assert exc.value.reason == "not_granted"

    def test_unknown(self):
        with pytest.raises(ScopeError) as exc:
            parse_refresh_scope("calendar:read", self.GRANT)
        assert exc.value.reason == "unknown"


def test_consent_items_use_table_order_and_hide_aliases():
    items = consent_items(["offline_access", "slots:read", "bookings:write", "user:read"])
    assert items == [
        ("user:read", "Read the connected user's own profile"),
        ("slots:read", "Compute availability"),
        ("bookings:create", "Create bookings"),
        ("bookings:cancel", "Cancel bookings"),
        ("bookings:reschedule", "Reschedule bookings"),
        ("bookings:update", "Modify booking metadata and form answers"),
        ("offline_access", "Receive a refresh token"),
    ]


def test_mcp_aliases_expand_to_the_rest_scopes_of_the_tools():
    """50-mcp §4.2: read covers every read tool, write the write tools, each with the series scope
    of 35-series [CL]; write does not imply read."""
    assert expand_scopes(["mcp:scheduling:read"]) == (
        "bookings:read",
        "event_types:read",
        "series:read",
        "slots:read",
        "user:read",
    )
    assert expand_scopes(["mcp:scheduling:write"]) == (
        "bookings:cancel",
        "bookings:create",
        "bookings:reschedule",
        "bookings:update",
        "series:write",
    )
    assert "mcp:scheduling:read" not in SCOPES_SUPPORTED
