"""The Admin Center pages with hostile input (issue 12, "no 5xx reachable from request input"): the
pages are not in the OpenAPI document, so they get their own fuzz. A signed-in owner (a valid
session and CSRF token, so requests get past the guard) sends generated tabs, panels, ids and
forms to every page route and action; the answer is never a 5xx page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.admin.conftest import Browser, hidden_fields, shown_secret, unique_org

from .test_hostile_input import EDGE_INSTANTS, NUMBERS

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ACTIONS = (
    "pats/create",
    "pats/{pat}/regenerate",
    "pats/{pat}/revoke",
    "oauth-apps/register",
    "oauth-apps/{client}/redirect-uris",
    "oauth-apps/{client}/rotate-secret",
    "oauth-apps/{client}/delete",
    "webhooks/{webhook}/pause",
    "webhooks/{webhook}/resume",
    "webhooks/{webhook}/rotate-secret",
    "webhooks/{webhook}/test",
    "webhooks/{webhook}/delete",
    "webhooks/{webhook}/deliveries/{delivery}/redeliver",
    "{junk}",
    "pats/{junk}/{junk}",
)
FIELDS = ("name", "scopes", "expiry", "idempotency_key", "redirect_uris", "type", "confirm", "csrf")
TEXT = (
    *EDGE_INSTANTS,
    *NUMBERS,
    "",
    " ",
    "\x00",
    "é",
    "..",
    "a/b",
    "%2F",
    "x" * 5000,
    "never",
    "30",
    "-1",
    "99999999999999999999",
    "slots:read",
    "bookings:write",
    "nope:nope",
    "confidential",
    "public",
    "https://app.example.com/cb",
    "http://127.0.0.1/cb",
    "javascript:alert(1)",
    "https://a.example.com/cb\n" * 50,
    "apiKeys",
    "oauthApps",
    "webhooks",
)


def _own_ids(browser: Browser) -> dict[str, list[str]]:
    """A PAT and an OAuth app of the signed-in organization, made through the pages."""
    page = browser.get("/360/api?tab=apiKeys")
    browser.submit(page, "/360/api/pats/create", [("name", "fuzz"), ("scopes", "slots:read")])
    listing = browser.get("/360/api?tab=apiKeys")
    pats = sorted(set(re.findall(r"id=([0-9a-f-]{36})", listing.text)))
    apps = browser.get("/360/api?tab=oauthApps")
    done = browser.submit(
        apps,
        "/360/api/oauth-apps/register",
        {"name": "Fuzz app", "type": "confidential", "redirect_uris": "https://app.example.com/cb"},
    )
    shown_secret(done.text)
    clients = re.findall(r"Client ID: (42min_[0-9A-Z]+)", done.text)
    return {"pat": pats, "client": clients, "webhook": [], "delivery": []}


@st.composite
def _action(draw: st.DrawFn, ids: dict[str, list[str]]) -> tuple[str, list[tuple[str, str]]]:
    template = draw(st.sampled_from(ACTIONS))
    hostile = st.one_of(st.sampled_from(TEXT), st.text(max_size=20))

    def fill(match: re.Match[str]) -> str:
        own = ids.get(match.group(1), [])
        value = draw(st.sampled_from(own) if own and draw(st.booleans()) else hostile)
        return quote(value, safe="") or "x"

    path = re.sub(r"\{(\w+)\}", fill, template)
    form = draw(st.lists(st.tuples(st.sampled_from(FIELDS), hostile), max_size=6))
    return path, form


def test_admin_pages_never_answer_5xx(moto_env: None) -> None:
    org = unique_org("Fuzz")
    browser = Browser()
    home = browser.sign_in(f"{org['prefix']}ada")
    assert home.status == 200, home.text
    ids = _own_ids(browser)
    assert ids["pat"] and ids["client"]
    page = browser.get("/360/api?tab=apiKeys")
    token = [(k, v) for k, v in hidden_fields(page.text, "/360/api/pats/create") if k != "name"]

    @SETTINGS
    @given(_action(ids), st.booleans())
    def post(case: tuple[str, list[tuple[str, str]]], with_token: bool) -> None:
        path, form = case
        fields = (token if with_token else []) + form
        response = browser.request("POST", f"/360/api/{path}", form=fields)
        assert response.status < 500, (path, fields, response.text[:500])

    @SETTINGS
    @given(
        st.dictionaries(
            st.sampled_from(("tab", "id", "panel", "confirm", "cursor", "webhook", "page", "x")),
            st.one_of(st.sampled_from(TEXT), st.text(max_size=20)),
            max_size=4,
        )
    )
    def show(query: dict[str, Any]) -> None:
        clean = query
        response = browser.get(f"/360/api?{urlencode(clean)}")
        assert response.status < 500, (query, response.text[:500])

    post()
    show()
