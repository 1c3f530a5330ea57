"""Security of Admin Center pages (55-admin-center §2, §7): CSRF, cross-origin posts, session
fixation, idle and absolute expiry, tenancy, who may sign in, secrets absent from logs and later pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Invoker
from tests.integration.admin.conftest import Browser, hidden_fields, shown_secret, unique_org

COOKIE = "__Host-42min_admin"


def _create_pat(browser: Browser, name: str = "k") -> str:
    page = browser.get("/360/api?tab=apiKeys")
    return shown_secret(
        browser.submit(page, "/360/api/pats/create", [("name", name), ("scopes", "slots:read")]).text
    )


def _pat_count(browser: Browser) -> int:
    return browser.get("/360/api?tab=apiKeys").text.count("42min_pat_…")


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_post_without_the_sessions_csrf_token_is_refused(
    browser: Browser, org: dict[str, Any], token: str | None
) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    form = [(k, v) for k, v in hidden_fields(page.text, "/360/api/pats/create") if k != "csrf_token"]
    if token is not None:
        form.append(("csrf_token", token))
    refused = browser.request(
        "POST", "/360/api/pats/create", form=[*form, ("name", "x"), ("scopes", "slots:read")]
    )
    assert refused.status == 403 and 'data-status="403"' in refused.text
    assert _pat_count(browser) == 0


def test_another_sessions_token_is_refused(org: dict[str, Any]) -> None:
    first, second = Browser(), Browser()
    first_page = first.sign_in(f"{org['prefix']}ada")
    second.sign_in(f"{org['prefix']}bob")
    stolen = dict(hidden_fields(first_page.text, "/360/api/pats/create"))["csrf_token"]
    refused = second.request(
        "POST", "/360/api/pats/create", form=[("csrf_token", stolen), ("name", "x"), ("scopes", "slots:read")]
    )
    assert refused.status == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://api.42min.test"},
        {"referer": "https://evil.example/x"},
        {"origin": "null", "referer": "https://evil.example/x"},
    ],
)
def test_cross_origin_posts_are_refused_even_with_a_valid_token(
    browser: Browser, org: dict[str, Any], headers: dict[str, str]
) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    form = [*hidden_fields(page.text, "/360/api/pats/create"), ("name", "x"), ("scopes", "slots:read")]
    if "origin" not in headers:
        headers = {**headers, "origin": ""}
    refused = browser.request("POST", "/360/api/pats/create", form=form, headers=headers)
    assert refused.status == 403
    assert _pat_count(browser) == 0


def test_an_opaque_origin_leaves_the_decision_to_the_token(browser: Browser, org: dict[str, Any]) -> None:
    """Browsers send `Origin: null` for form posts of a `Referrer-Policy: no-referrer` page (ours)."""
    page = browser.sign_in(f"{org['prefix']}ada")
    form = [*hidden_fields(page.text, "/360/api/pats/create"), ("name", "x"), ("scopes", "slots:read")]
    assert (
        browser.request("POST", "/360/api/pats/create", form=form, headers={"origin": "null"}).status == 303
    )
    assert _pat_count(browser) == 1


def test_sign_in_issues_a_new_session_id_every_time(org: dict[str, Any]) -> None:
    browser = Browser()
    page = browser.get("/360/signin")
    browser.cookies[COOKIE] = "A" * 43  # planted by an attacker
    browser.submit(page, "/360/signin", {"login": f"{org['prefix']}ada", "password": "correct-horse-battery"})
    old = browser.cookies[COOKIE]
    assert old != "A" * 43
    # Signing in again (another tab's form) replaces the session and ends the old one.
    holder = Browser()
    holder.cookies[COOKIE] = old
    assert holder.get("/360/api").status == 200
    other = Browser()
    page = other.get("/360/signin")
    other.cookies[COOKIE] = old
    other.submit(page, "/360/signin", {"login": f"{org['prefix']}ada", "password": "correct-horse-battery"})
    assert other.cookies[COOKIE] != old
    assert holder.get("/360/api").status == 303


def test_sign_out_ends_the_session(browser: Browser, org: dict[str, Any]) -> None:
    page = browser.sign_in(f"{org['prefix']}ada")
    value = browser.cookies[COOKIE]
    out = browser.submit(page, "/360/signout", follow=False)
    assert out.status == 303 and out.headers["location"] == "/360/signin"
    assert COOKIE not in browser.cookies
    replay = Browser()
    replay.cookies[COOKIE] = value
    assert replay.get("/360/api").status == 303


def test_idle_and_absolute_expiry(
    browser: Browser, org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fortytwo.domain import clock

    browser.sign_in(f"{org['prefix']}ada")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=29))
    assert browser.get("/360/api").status == 200  # last seen moves forward
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=58))
    assert browser.get("/360/api").status == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=89))
    assert browser.get("/360/api").status == 303  # idle for 31 min

    browser.sign_in(f"{org['prefix']}ada")
    start = clock.now()
    for minutes in range(25, 12 * 60, 25):
        monkeypatch.setattr(clock, "now", lambda m=minutes: start + timedelta(minutes=m))
        assert browser.get("/360/api").status == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=12, minutes=1))
    assert browser.get("/360/api").status == 303  # 12 h absolute, however active


def test_a_plain_user_is_refused_without_a_session(browser: Browser, org: dict[str, Any]) -> None:
    page = browser.sign_in(f"{org['prefix']}carl")
    assert "Admin Center is for organization owners and admins" in page.text
    assert COOKIE not in browser.cookies
    wrong = browser.sign_in(f"{org['prefix']}carl", "wrong")
    unknown = browser.sign_in("nobody@example.com", "wrong")
    assert "Incorrect email, username or password." in wrong.text
    assert "Incorrect email, username or password." in unknown.text


def test_a_demoted_or_removed_user_loses_the_session(browser: Browser, org: dict[str, Any]) -> None:
    from fortytwo.services import accounts

    browser.sign_in(f"{org['prefix']}bob")
    user = accounts.find_user(f"{org['prefix']}bob")
    assert user is not None
    accounts.remove_user(user)
    assert browser.get("/360/api").status == 303


def test_cross_organization_ids_answer_404(org: dict[str, Any], invoke: Invoker) -> None:
    other = unique_org("Other")
    theirs = Browser()
    theirs.sign_in(f"{other['prefix']}ada")
    _create_pat(theirs)
    their_pat = re.search(r"id=([0-9a-f-]{36})&amp;confirm", theirs.get("/360/api").text).group(1)  # type: ignore[union-attr]
    page = theirs.get("/360/api?tab=oauthApps")
    done = theirs.submit(
        page,
        "/360/api/oauth-apps/register",
        {"name": "T", "type": "public", "redirect_uris": "https://t.example/cb"},
    )
    their_client = re.search(r"Client ID: (42min_[0-9A-Z]+)", done.text).group(1)  # type: ignore[union-attr]

    mine = Browser()
    page = mine.sign_in(f"{org['prefix']}ada")
    csrf = dict(hidden_fields(page.text, "/360/api/pats/create"))["csrf_token"]
    for path in (
        f"/360/api?tab=apiKeys&id={their_pat}&confirm=revoke",
        f"/360/api?tab=oauthApps&id={their_client}&panel=edit",
    ):
        assert mine.get(path).status == 404
    for action in (
        f"/360/api/pats/{their_pat}/revoke",
        f"/360/api/oauth-apps/{their_client}/delete",
        f"/360/api/oauth-apps/{their_client}/rotate-secret",
        "/360/api/webhooks/019e449c-fe80-783c-af56-4652466de486/pause",
    ):
        response = mine.request("POST", action, form=[("csrf_token", csrf)])
        assert response.status == 404, action
    assert their_client in theirs.get("/360/api?tab=oauthApps").text  # untouched


def test_another_users_pat_of_the_same_organization_is_404(org: dict[str, Any]) -> None:
    bob = org["pats"]["bob"]["id"]
    ada = Browser()
    page = ada.sign_in(f"{org['prefix']}ada")
    assert "bob&#x27;s" not in page.text and "bob's" not in page.text
    assert ada.get(f"/360/api?tab=apiKeys&id={bob}&confirm=revoke").status == 404
    csrf = dict(hidden_fields(page.text, "/360/api/pats/create"))["csrf_token"]
    assert ada.request("POST", f"/360/api/pats/{bob}/revoke", form=[("csrf_token", csrf)]).status == 404


def test_secrets_never_in_logs_or_later_pages(browser: Browser, org: dict[str, Any], capsys: Any) -> None:
    browser.sign_in(f"{org['prefix']}ada")
    token = _create_pat(browser)
    page = browser.get("/360/api?tab=oauthApps")
    done = browser.submit(
        page,
        "/360/api/oauth-apps/register",
        {"name": "S", "type": "confidential", "redirect_uris": "https://s.example/cb"},
    )
    secret = shown_secret(done.text)
    later = [browser.get(f"/360/api?tab={tab}").text for tab in ("apiKeys", "oauthApps", "webhooks")]
    assert all(token not in html and secret not in html for html in later)
    logs = capsys.readouterr()
    assert token not in logs.out + logs.err and secret not in logs.out + logs.err
    assert token[-10:] not in logs.out + logs.err


def test_next_is_limited_to_admin_paths(browser: Browser, org: dict[str, Any]) -> None:
    for target in ("https://evil.example/", "//evil.example/360/api", "/v1/_ping", "/360/\\evil"):
        b = Browser()
        page = b.get(f"/360/signin?next={target}")
        response = b.submit(
            page,
            "/360/signin",
            {"login": f"{org['prefix']}ada", "password": "correct-horse-battery"},
            follow=False,
        )
        assert response.headers["location"] == "/360/api", target


def test_sign_in_is_throttled_per_account(org: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORTYTWO_RATE_LIMITS", "oauth_authorize=3")
    from fortytwo.config import reset_settings

    reset_settings()
    try:
        codes = []
        for i in range(5):
            b = Browser()
            page = b.request("GET", "/360/signin", headers={"x-test": str(i)})
            response = b.submit(
                page, "/360/signin", {"login": f"{org['prefix']}ada", "password": "wrong"}, follow=False
            )
            codes.append(response.status)
        assert codes[-1] == 429
    finally:
        monkeypatch.undo()
        reset_settings()
