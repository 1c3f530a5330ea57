"""Admin Center → API (55-admin-center §1–§5) through the AdminFunction handler, as a browser without
JavaScript uses it: sign-in, the three tabs and every form action."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Invoker
from tests.integration.admin.conftest import Browser, forms, shown_secret


def _ping(invoke: Invoker, token: str) -> int:
    return invoke("meta", "GET", "/v1/_ping", headers={"Authorization": f"Bearer {token}"}).status


def test_unauthenticated_pages_go_to_sign_in_and_back(browser: Browser, org: dict[str, Any]) -> None:
    first = browser.get("/360/api?tab=oauthApps")
    assert first.status == 303
    assert first.headers["location"] == "/360/signin?next=%2F360%2Fapi%3Ftab%3DoauthApps"
    page = browser.get(first.headers["location"])
    assert page.status == 200 and 'lang="en"' in page.text
    assert '<label for="login">' in page.text and '<label for="password">' in page.text
    landed = browser.submit(
        page, "/360/signin", {"login": f"{org['prefix']}ada@example.com", "password": "correct-horse-battery"}
    )
    assert landed.status == 200 and 'data-tab="oauthApps"' in landed.text


def test_headers_of_every_page(browser: Browser, org: dict[str, Any]) -> None:
    for response in (browser.get("/360/signin"), browser.sign_in(f"{org['prefix']}ada")):
        assert response.headers["content-security-policy"] == (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert (
            "<script" not in response.text and "style=" not in response.text and "<style" not in response.text
        )
    css = browser.get("/360/admin.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


def test_session_cookie_attributes(browser: Browser, org: dict[str, Any]) -> None:
    from tests.support import aws

    page = browser.get("/360/signin")
    raw = aws.function_module("admin").handler  # noqa: F841 - the browser keeps the raw cookies
    browser.submit(
        page,
        "/360/signin",
        {"login": f"{org['prefix']}ada", "password": "correct-horse-battery"},
        follow=False,
    )
    value = browser.cookies["__Host-42min_admin"]
    assert len(value) >= 22  # ≥ 128 bits, base64url


def test_default_and_unknown_tabs_and_aria_current(browser: Browser, org: dict[str, Any]) -> None:
    home = browser.sign_in(f"{org['prefix']}ada")
    assert 'data-tab="apiKeys"' in home.text
    assert '<a href="/360/api?tab=apiKeys" aria-current="page">API keys</a>' in home.text
    other = browser.get("/360/api?tab=nonsense")
    assert 'data-tab="apiKeys"' in other.text


def test_a_pat_minted_on_the_page_works_at_once_and_is_shown_once(
    browser: Browser, org: dict[str, Any], invoke: Invoker
) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    done = browser.submit(
        page,
        "/360/api/pats/create",
        [("name", "CRM sync"), ("scopes", "bookings:write"), ("scopes", "slots:read"), ("expiry", "90")],
    )
    assert done.status == 200 and "API key “CRM sync” created." in done.text
    token = shown_secret(done.text)
    assert token.startswith("42min_pat_") and len(token) == 55
    assert _ping(invoke, token) == 200
    later = browser.get("/360/api?tab=apiKeys")
    assert token not in later.text and f"…{token[-4:]}" in later.text
    assert "bookings:reschedule" in later.text  # the alias expanded


def test_pat_form_errors_rerender_with_422_and_create_nothing(browser: Browser, org: dict[str, Any]) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    bad = browser.submit(
        page, "/360/api/pats/create", [("name", "  "), ("scopes", "slots:read")], follow=False
    )
    assert bad.status == 422
    assert (
        'role="alert"' in bad.text and 'id="pat-name-error"' in bad.text and 'aria-invalid="true"' in bad.text
    )
    no_scopes = browser.submit(page, "/360/api/pats/create", [("name", "x")], follow=False)
    assert no_scopes.status == 422 and 'id="pat-scopes-error"' in no_scopes.text
    assert "You have no API keys yet." in browser.get("/360/api").text


def test_regenerate_and_revoke_need_a_confirmation_step(
    browser: Browser, org: dict[str, Any], invoke: Invoker
) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    first = shown_secret(
        browser.submit(page, "/360/api/pats/create", [("name", "k"), ("scopes", "slots:read")]).text
    )
    listing = browser.get("/360/api?tab=apiKeys")
    link = re.search(r'href="(/360/api\?tab=apiKeys&amp;id=[^"]+&amp;confirm=regenerate)"', listing.text)
    assert link
    confirm = browser.get(link.group(1).replace("&amp;", "&"))
    action = next(a for a in forms(confirm.text) if a.endswith("/regenerate"))
    renewed = browser.submit(confirm, action)
    second = shown_secret(renewed.text)
    assert second != first and _ping(invoke, first) == 401 and _ping(invoke, second) == 200
    confirm = browser.get(link.group(1).replace("&amp;", "&").replace("regenerate", "revoke"))
    action = next(a for a in forms(confirm.text) if a.endswith("/revoke"))
    browser.submit(confirm, action)
    assert _ping(invoke, second) == 401


def test_oauth_app_register_edit_rotate_delete(browser: Browser, org: dict[str, Any]) -> None:
    from fortytwo.services import oauth

    page = browser.sign_in(f"{org['prefix']}ada")
    page = browser.get("/360/api?tab=oauthApps")
    done = browser.submit(
        page,
        "/360/api/oauth-apps/register",
        {
            "name": "Example app",
            "type": "confidential",
            "redirect_uris": "https://app.example.com/cb\nhttp://127.0.0.1/cb",
        },
    )
    secret = shown_secret(done.text)
    client_id = re.search(r"Client ID: (42min_[0-9A-Z]+)", done.text).group(1)  # type: ignore[union-attr]
    client = oauth.managed_client(client_id, org["organization_id"])
    assert client is not None and client.registered_via == "page" and len(client.redirect_uris) == 2
    assert oauth.authenticate(None, {"client_id": client_id, "client_secret": secret}).client_id == client_id
    listing = browser.get("/360/api?tab=oauthApps")
    assert secret not in listing.text and ">page<" in listing.text

    edit = browser.get(f"/360/api?tab=oauthApps&id={client_id}&panel=edit")
    bad = browser.submit(
        edit,
        f"/360/api/oauth-apps/{client_id}/redirect-uris",
        {"redirect_uris": "http://localhost/cb"},
        follow=False,
    )
    assert bad.status == 422 and 'id="edit-redirect-uris-error"' in bad.text
    browser.submit(
        edit,
        f"/360/api/oauth-apps/{client_id}/redirect-uris",
        {"redirect_uris": "https://new.example.com/cb"},
    )
    assert oauth.managed_client(client_id, org["organization_id"]).redirect_uris == (
        "https://new.example.com/cb",
    )  # type: ignore[union-attr]

    rotated = browser.submit(
        browser.get("/360/api?tab=oauthApps"), f"/360/api/oauth-apps/{client_id}/rotate-secret"
    )
    new_secret = shown_secret(rotated.text)
    assert new_secret != secret
    assert (
        oauth.authenticate(None, {"client_id": client_id, "client_secret": new_secret}).client_id == client_id
    )

    confirm = browser.get(f"/360/api?tab=oauthApps&id={client_id}&panel=delete")
    browser.submit(confirm, f"/360/api/oauth-apps/{client_id}/delete")
    assert oauth.managed_client(client_id, org["organization_id"]) is None


def test_register_errors_rerender(browser: Browser, org: dict[str, Any]) -> None:
    browser.sign_in(f"{org['prefix']}ada")
    page = browser.get("/360/api?tab=oauthApps")
    bad = browser.submit(
        page,
        "/360/api/oauth-apps/register",
        {"name": "x", "type": "public", "redirect_uris": "ftp://nope"},
        follow=False,
    )
    assert bad.status == 422 and 'id="app-redirect-uris-error"' in bad.text and "ftp://nope" in bad.text
