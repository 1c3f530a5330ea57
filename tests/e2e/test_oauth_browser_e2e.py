"""The OAuth pages in a real headless browser (issue 6, "Done means"): Debian Chromium driven by
Selenium signs in, sees the consent page, approves or denies, and lands on a loopback redirect
URI served by this test. Chromium is installed with apt when missing; failing that, the tests
FAIL (CI runs as root with the Debian mirrors reachable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from browser_support import (
    OUTPUT_DIR,
    Callback,
    assert_accessible,
    authorize_url,
    field_by_label,
    png_size,
    sign_in,
    wait_for,
    wait_for_url,
)
from oauth_support import (
    ADA,
    LOOPBACK_REDIRECT,
    SCOPE_EXPANDED,
    SCOPE_WORDING,
    basic_auth,
    bearer,
    create_client,
    new_verifier,
    query_of,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

# One xdist worker runs them all: one browser install, one set of Chromium processes at a time.
pytestmark = pytest.mark.xdist_group("oauth-browser")


@pytest.fixture(scope="module")
def browser_client(stack: Any) -> dict[str, Any]:
    """A confidential client of its own, registered with the port-less loopback URI."""
    return create_client(stack, "Browser Test App", "confidential", LOOPBACK_REDIRECT)


# --- page helpers -----------------------------------------------------------------------------


def check_consent_page(driver: WebDriver, client_name: str) -> None:
    assert_accessible(driver)
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert client_name in heading
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "ada@example.com" in body and "Acme" in body and "127.0.0.1" in body
    items = driver.find_elements(By.CSS_SELECTOR, "ul.scopes li")
    assert [(li.get_attribute("data-scope"), li.text.strip()) for li in items] == SCOPE_WORDING
    assert "bookings:write" not in body  # aliases are never shown


def press(driver: WebDriver, action: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"form#consent button[name=action][value={action}]").click()


# --- tests ------------------------------------------------------------------------------------


def test_sign_in_consent_approve_then_deny(
    stack: Any, browser_factory: Callable[..., WebDriver], callback: Callback, browser_client: dict[str, Any]
) -> None:
    driver = browser_factory()
    verifier = new_verifier()
    driver.get(authorize_url(stack, browser_client["client_id"], callback.redirect_uri, verifier, "st-1"))
    sign_in(driver)
    check_consent_page(driver, "Browser Test App")

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT_DIR / "oauth-consent-page.png"
    shot.unlink(missing_ok=True)
    assert driver.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 300 and height >= 300

    press(driver, "approve")
    landed = query_of(wait_for_url(driver, callback.redirect_uri))
    assert set(landed) == {"code", "state", "iss"}
    assert landed["code"].startswith("42min_ac_") and landed["state"] == "st-1"
    assert landed["iss"] == stack.base_url
    assert [p for p in callback.seen if p.startswith("/callback")] == [f"/callback?{urlencode(landed)}"]
    assert "You can close this tab" in driver.page_source

    # The code the browser carried is good for tokens (Basic auth, PKCE).
    with httpx.Client(timeout=30) as http:
        token = http.post(
            f"{stack.base_url}/v1/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": landed["code"],
                "redirect_uri": callback.redirect_uri,
                "code_verifier": verifier,
            },
            headers=basic_auth(browser_client["client_id"], browser_client["client_secret"]),
        )
        assert token.status_code == 200, token.text
        assert token.json()["scope"] == " ".join(SCOPE_EXPANDED)
        ping = http.get(f"{stack.base_url}/v1/_ping", headers=bearer(token.json()["access_token"]))
        assert ping.json()["data"]["client_id"] == browser_client["client_id"]

    # Second run in the same browser: still signed in, consent is asked again; Deny.
    client_id = browser_client["client_id"]
    driver.get(authorize_url(stack, client_id, callback.redirect_uri, new_verifier(), "st-2"))
    wait_for(driver, "form#consent")
    check_consent_page(driver, "Browser Test App")
    press(driver, "deny")
    denied = query_of(wait_for_url(driver, callback.redirect_uri))
    assert denied == {
        "error": "access_denied",
        "error_description": "The user denied the request",
        "state": "st-2",
        "iss": stack.base_url,
    }


def test_pages_work_without_javascript(
    stack: Any, browser_factory: Callable[..., WebDriver], callback: Callback, browser_client: dict[str, Any]
) -> None:
    driver = browser_factory(javascript=False)
    # Prove scripts really are off in this browser: the page's script would rename it.
    driver.get(f"http://127.0.0.1:{callback.port}/js-check")
    assert driver.title == "scripts off"

    client_id = browser_client["client_id"]
    driver.get(authorize_url(stack, client_id, callback.redirect_uri, new_verifier(), "nojs"))
    assert driver.find_elements(By.TAG_NAME, "script") == []
    # A wrong password first: the page explains, refills the email, and stays usable.
    wait_for(driver, "form#sign-in")
    field_by_label(driver, "Email").send_keys(ADA[0])
    field_by_label(driver, "Password").send_keys("not-the-password")
    driver.find_element(By.CSS_SELECTOR, "form#sign-in button[type=submit]").click()
    wait_for(driver, "#sign-in-error")
    assert driver.find_element(By.CSS_SELECTOR, "[role=alert]").text == "Incorrect email or password."
    assert field_by_label(driver, "Email").get_attribute("value") == ADA[0]
    field_by_label(driver, "Email").clear()
    sign_in(driver)
    check_consent_page(driver, "Browser Test App")
    press(driver, "approve")
    landed = query_of(wait_for_url(driver, callback.redirect_uri))
    assert landed["code"].startswith("42min_ac_") and landed["state"] == "nojs"


def test_error_page_in_the_browser(
    stack: Any, browser_factory: Callable[..., WebDriver], callback: Callback, browser_client: dict[str, Any]
) -> None:
    """An unregistered redirect URI shows the error page; the browser is never sent there."""
    driver = browser_factory()
    evil = "https://evil.example.com/callback"
    driver.get(authorize_url(stack, browser_client["client_id"], evil, new_verifier(), "e"))
    wait_for(driver, "main#oauth-error")
    assert driver.current_url.startswith(f"{stack.base_url}/v1/oauth/authorize")
    assert driver.find_element(By.TAG_NAME, "main").get_attribute("data-error") == "invalid_redirect_uri"
    assert_accessible(driver)
    assert driver.find_elements(By.TAG_NAME, "a") == []
    assert "evil.example.com" not in driver.page_source
