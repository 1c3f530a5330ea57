"""Redirect URI rules (10-auth §6.2.1): registration, matching, redirect building."""

from __future__ import annotations

import pytest

from fortytwo.domain.oauth.redirect_uris import (
    MSG_ABSOLUTE,
    MSG_FRAGMENT,
    MSG_HOST,
    MSG_PORT,
    MSG_PRIVATE_USE,
    MSG_SCHEME,
    MSG_TOO_LONG,
    MSG_USERINFO,
    build_redirect,
    redirect_display,
    redirect_host,
    redirect_uri_matches,
    redirect_uri_problem,
    validate_redirect_uris,
)


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.com/callback",
        "https://app.example.com",
        "https://app.example.com/",
        "https://app.example.com:8443/cb",
        "https://app.example.com/cb?tenant=a&x=%2F",
        "https://localhost/cb",  # https with any host
        "https://10.0.0.1/cb",
        "https://[2001:db8::1]/cb",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:53682/callback",
        "http://127.0.0.1",
        "http://[::1]/callback",
        "http://[::1]:8080/callback?x=1",
        "HTTPS://app.example.com/cb",  # scheme is case-insensitive
        "https://app.example.com/" + "a" * (2000 - len("https://app.example.com/")),
    ],
)
def test_accepted(uri):
    assert redirect_uri_problem(uri) is None


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://app.example.com/" + "a" * (2001 - len("https://app.example.com/")), MSG_TOO_LONG),
        ("/callback", MSG_ABSOLUTE),
        ("callback", MSG_ABSOLUTE),
        ("//app.example.com/cb", MSG_ABSOLUTE),
        ("", MSG_ABSOLUTE),
        ("https://app.example.com/cb with space", MSG_ABSOLUTE),
        ("https://app.example.com/é", MSG_ABSOLUTE),
        ("https://app.example.com/%zz", MSG_ABSOLUTE),
        ("https://app.example.com/cb\n", MSG_ABSOLUTE),
        ("https://app.example.com/cb#frag", MSG_FRAGMENT),
        ("https://app.example.com/cb#", MSG_FRAGMENT),
        ("https://user:pw@app.example.com/cb", MSG_USERINFO),
        ("https://user@app.example.com/cb", MSG_USERINFO),
        ("http://user@127.0.0.1/cb", MSG_USERINFO),
        ("http://LOCALHOST/cb", MSG_SCHEME),  # the loopback names are literal
        ("http://app.example.com/cb", MSG_SCHEME),
        ("http://127.0.0.2/cb", MSG_SCHEME),
        ("http://[0:0:0:0:0:0:0:1]/cb", MSG_SCHEME),
        ("http://127.1/cb", MSG_SCHEME),
        ("com.example.app:/callback", MSG_PRIVATE_USE),  # private-use: public clients only
        ("myapp://callback", MSG_PRIVATE_USE),
        ("ftp://example.com/cb", MSG_PRIVATE_USE),
        ("https:/app.example.com/cb", MSG_HOST),
        ("https:///cb", MSG_HOST),
        ("https://:443/cb", MSG_HOST),
        ("http://127.0.0.1:/cb", MSG_PORT),
        ("http://127.0.0.1:99999/cb", MSG_PORT),
        ("http://127.0.0.1:0/cb", MSG_PORT),
        ("https://app.example.com:abc/cb", MSG_PORT),
        ("https://[::1/cb", MSG_ABSOLUTE),
    ],
)
def test_rejected(uri, problem):
    assert redirect_uri_problem(uri) == problem


def test_list_rules():
    ok = ["https://a.example/cb", "http://127.0.0.1/cb"]
    assert validate_redirect_uris(ok) == (ok, None)
    assert validate_redirect_uris(None)[1] == "redirect_uris must be an array of 1 to 10 URIs."
    assert (
        validate_redirect_uris("https://a.example/cb")[1] == "redirect_uris must be an array of 1 to 10 URIs."
    )
    assert validate_redirect_uris([])[1] == "redirect_uris must contain at least one URI."
    ten = [f"https://a.example/cb{i}" for i in range(10)]
    assert validate_redirect_uris(ten) == (ten, None)
    assert (
        validate_redirect_uris([*ten, "https://a.example/x"])[1]
        == "redirect_uris must contain at most 10 URIs."
    )
    assert validate_redirect_uris(["https://a.example/cb", 5])[1] == "redirect_uris[1] must be a string."
    assert validate_redirect_uris(["https://a.example/cb", "https://a.example/cb"])[1] == (
        "redirect_uris[1] is a duplicate."
    )
    assert validate_redirect_uris(["http://x.example/cb"])[1] == (
        "redirect_uris[0] must use https, or http on 127.0.0.1, [::1] or localhost."
    )


def test_list_error_names_first_offender():
    _, message = validate_redirect_uris(
        ["https://a.example/cb", "https://a.example/cb#x", "http://localhost/"]
    )
    assert message == "redirect_uris[1] must not contain a fragment."


def test_query_kept_verbatim_and_distinct_from_other_queries():
    assert validate_redirect_uris(["https://a.example/cb?x=1", "https://a.example/cb?x=2"])[1] is None


class TestMatching:
    REG = (
        "https://app.example.com/callback",
        "https://app.example.com/q?tenant=A",
        "http://127.0.0.1/callback",
        "http://[::1]:8080/cb?x=1",
    )

    @pytest.mark.parametrize(
        "requested",
        [
            "https://app.example.com/callback",
            "https://app.example.com/q?tenant=A",
            "http://127.0.0.1/callback",
            "http://127.0.0.1:53682/callback",
            "http://127.0.0.1:1/callback",
            "http://[::1]/cb?x=1",
            "http://[::1]:8080/cb?x=1",
            "http://[::1]:9999/cb?x=1",
        ],
    )
    def test_matches(self, requested):
        assert redirect_uri_matches(self.REG, requested)

    @pytest.mark.parametrize(
        "requested",
        [
            "https://app.example.com/callback/",  # trailing slash
            "https://app.example.com:443/callback",  # default port
            "https://APP.example.com/callback",  # host case
            "HTTPS://app.example.com/callback",  # scheme case
            "https://app.example.com/Callback",
            "https://app.example.com/q?tenant=a",
            "https://app.example.com/q?tenant=A&x=1",
            "https://app.example.com/%63allback",  # percent-encoding counts
            "https://app.example.com/callback#x",
            "http://app.example.com/callback",
            "http://127.0.0.1/callback/",
            "http://127.0.0.1:53682/callback?x=1",
            "http://127.0.0.1:53682/other",
            "http://[::1]:8080/cb",  # query must match
            "http://[::1]:8080/cb?x=2",
            "http://127.0.0.1:99999/callback",
            "http://127.0.0.1:/callback",
            "https://127.0.0.1:53682/callback",  # only http loopback ignores the port
            "",
        ],
    )
    def test_does_not_match(self, requested):
        assert not redirect_uri_matches(self.REG, requested)

    def test_registered_with_port_matches_any_port(self):
        assert redirect_uri_matches(("http://127.0.0.1:8080/cb",), "http://127.0.0.1:9090/cb")
        assert redirect_uri_matches(("http://127.0.0.1:8080/cb",), "http://127.0.0.1/cb")

    def test_https_port_is_never_removed(self):
        assert not redirect_uri_matches(("https://app.example.com:8443/cb",), "https://app.example.com/cb")


@pytest.mark.parametrize(
    ("uri", "host"),
    [
        ("https://app.example.com/callback", "app.example.com"),
        ("https://app.example.com:8443/cb?x", "app.example.com"),
        ("http://127.0.0.1:53682/callback", "127.0.0.1"),
        ("http://[::1]:8080/cb", "[::1]"),
        ("https://app.example.com", "app.example.com"),
    ],
)
def test_redirect_host(uri, host):
    assert redirect_host(uri) == host


class TestBuildRedirect:
    def test_spec_code_example(self):
        got = build_redirect(
            "https://app.example.com/callback",
            [
                ("code", "42min_ac_to1vH7EZCBJxUVN3-xkSC9HnPG23jOSBy38T2JXBoM0"),
                ("state", "af0ifjsldkj"),
                ("iss", "https://api.42min.us"),
            ],
        )
        assert got == (
            "https://app.example.com/callback?code=42min_ac_to1vH7EZCBJxUVN3-xkSC9HnPG23jOSBy38T2JXBoM0"
            "&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.us"
        )

    def test_spec_error_example(self):
        got = build_redirect(
            "https://app.example.com/callback",
            [
                ("error", "invalid_scope"),
                ("error_description", "Unknown scope: calendar:read"),
                ("state", "af0ifjsldkj"),
                ("iss", "https://api.42min.us"),
            ],
        )
        assert got == (
            "https://app.example.com/callback?error=invalid_scope"
            "&error_description=Unknown+scope%3A+calendar%3Aread&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.us"
        )

    def test_existing_query_uses_ampersand(self):
        assert (
            build_redirect("https://a.example/cb?t=1", [("code", "c")]) == "https://a.example/cb?t=1&code=c"
        )

    def test_empty_query(self):
        assert build_redirect("https://a.example/cb?", [("code", "c")]) == "https://a.example/cb?code=c"

    def test_state_encoded(self):
        got = build_redirect("https://a.example/cb", [("state", "a b&c=d/é")])
        assert got == "https://a.example/cb?state=a+b%26c%3Dd%2F%C3%A9"


@pytest.mark.parametrize("uri", ["http://localhost/cb", "http://localhost:8787/callback"])
def test_localhost_is_a_loopback_host_for_every_client(uri):
    """50-mcp §4.6."""
    assert redirect_uri_problem(uri) is None
    assert redirect_uri_matches(("http://localhost:8787/callback",), "http://localhost:9999/callback")
    assert not redirect_uri_matches(("http://localhost:8787/callback",), "http://127.0.0.1:8787/callback")


@pytest.mark.parametrize(
    "uri", ["cursor://anysphere.cursor-mcp/oauth/callback", "com.example.app:/callback", "my-app+x.y:cb"]
)
def test_private_use_schemes_for_public_clients(uri):
    assert redirect_uri_problem(uri, public=True) is None
    assert redirect_uri_problem(uri) == MSG_PRIVATE_USE
    assert redirect_uri_matches((uri,), uri) and not redirect_uri_matches((uri,), uri + "x")


@pytest.mark.parametrize(
    "uri",
    ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "vbscript:x", "blob:x", "about:blank",
     "MyApp://cb", "1app://cb"],
)  # fmt: skip
def test_forbidden_schemes_even_for_public_clients(uri):
    assert redirect_uri_problem(uri, public=True) is not None


def test_display_is_the_host_only_for_https():
    assert redirect_display("https://app.example.com/cb") == "app.example.com"
    assert redirect_display("cursor://anysphere.cursor-mcp/oauth/callback") == (
        "cursor://anysphere.cursor-mcp/oauth/callback"
    )
    assert redirect_display("http://localhost:8787/callback") == "http://localhost:8787/callback"
