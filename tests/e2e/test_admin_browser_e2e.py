"""Admin Center → API in a real headless browser (55-admin-center §7): a customer who has only a
username and a password signs in, mints a token and uses it at once, regenerates and revokes it,
registers a confidential app and completes an authorization-code + PKCE flow with it, rotates its
secret, and redelivers a failed webhook delivery that then reaches the receiver with a valid
signature. The whole journey runs twice: with JavaScript, and with JavaScript disabled. A screenshot
of each tab is kept under tests/output/."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import (
    OUTPUT_DIR,
    WAIT_S,
    Callback,
    assert_accessible,
    authorize_url,
    field_by_label,
    png_size,
    sign_in,
    wait_for,
    wait_for_url,
)
from oauth_support import ADA, basic_auth, bearer, new_verifier, query_of
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.integration.webhooks.receiver import Receiver  # noqa: E402

pytestmark = pytest.mark.xdist_group("oauth-browser")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def click(driver: WebDriver, text: str, scope: str = "main") -> None:
    """Press the button or follow the link whose visible text is `text` (first match in `scope`)."""
    xpath = f"//{scope}//*[(self::button or self::a) and normalize-space()='{text}']"
    driver.find_element(By.XPATH, xpath).click()


def row_button(driver: WebDriver, code: str, text: str) -> None:
    """Press `text` in the table row that shows `code` (other rows may belong to other tests)."""
    xpath = f"//tr[.//code[normalize-space()='{code}']]//button[normalize-space()='{text}']"
    driver.find_element(By.XPATH, xpath).click()


def row_link(driver: WebDriver, code: str, text: str) -> None:
    """Follow the link `text` in the table row that shows `code`."""
    xpath = f"//tr[.//code[normalize-space()='{code}']]//a[normalize-space()='{text}']"
    driver.find_element(By.XPATH, xpath).click()


def confirm(driver: WebDriver, text: str) -> None:
    """Press `text` in the confirmation step a destructive action opens first."""
    wait_for(driver, ".confirm")
    click(driver, text, scope="div[@class='confirm']")


def error_summary(driver: WebDriver) -> str:
    """The announced summary at the top (role=alert) of a form that failed."""
    wait_for(driver, "#error-summary")
    summary = driver.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    return str(summary.text)


def press_tab_until(driver: WebDriver, predicate: Callable[[Any], bool], limit: int = 80) -> Any:
    """Move the focus with the Tab key alone until it lands on an element `predicate` accepts."""
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        active = driver.switch_to.active_element
        if predicate(active):
            return active
    raise AssertionError("the keyboard never reached the control")


def notice(driver: WebDriver) -> str:
    # Read inside the wait: a page still navigating can swap #notice between finding and reading it.
    def read(d: WebDriver) -> str | bool:
        found = d.find_elements(By.ID, "notice")
        return str(found[0].text) if found else False

    return str(
        WebDriverWait(driver, WAIT_S, ignored_exceptions=(StaleElementReferenceException,)).until(read)
    )


def shown_secret(driver: WebDriver) -> str:
    wait_for(driver, "#shown-secret")
    return str(driver.find_element(By.ID, "shown-secret").get_attribute("value"))


def screenshot(driver: WebDriver, name: str) -> None:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT_DIR / name
    shot.unlink(missing_ok=True)
    driver.set_window_size(1280, 1400)
    # Nothing sticks out of the card (long ids and URLs wrap; the actions stay inside).
    overflow = driver.execute_script(
        "const m = document.querySelector('main').getBoundingClientRect();"
        "return [...document.querySelectorAll('main table, main td')]"
        ".filter(e => e.getBoundingClientRect().right > m.right + 1).length;"
    )
    assert overflow == 0, f"{overflow} cells overflow the page's card"
    assert driver.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 600 and height >= 600


def ping(stack: Any, token: str) -> int:
    return httpx.get(f"{stack.base_url}/v1/_ping", headers=bearer(token), timeout=30).status_code


def admin_sign_in(driver: WebDriver, stack: Any) -> None:
    driver.get(f"{stack.base_url}/360/api")
    wait_for(driver, "form#sign-in")
    assert driver.current_url.startswith(f"{stack.base_url}/360/signin?next=")
    assert_accessible(driver)
    field_by_label(driver, "Email or username").send_keys("ada")
    field_by_label(driver, "Password").send_keys(ADA[1])
    click(driver, "Sign in")
    wait_for(driver, "main#admin-api")


def api_keys(driver: WebDriver, stack: Any, shots: bool) -> str:
    """Create (used at once), regenerate (old one 401), revoke; returns a webhooks token."""
    assert driver.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]").text == "API keys"
    keys_before = table_text(driver).count("CRM sync")  # the other run of the journey made one too
    field_by_label(driver, "Name").send_keys("CRM sync")
    click(driver, "Create")  # no scope chosen: the form comes back, the error next to its field
    assert "scope" in error_summary(driver).lower()
    assert driver.find_element(By.ID, "pat-scopes").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "pat-scopes-error").text
    assert field_by_label(driver, "Name").get_attribute("value") == "CRM sync"  # kept for the retry
    assert table_text(driver).count("CRM sync") == keys_before  # nothing created
    driver.find_element(By.ID, "scope-slots:read").click()
    driver.find_element(By.ID, "scope-bookings:write").click()
    Select(field_by_label(driver, "Expiry")).select_by_value("42")
    click(driver, "Create")
    assert "API key “CRM sync” created." in notice(driver)
    first = shown_secret(driver)
    assert ping(stack, first) == 200  # at once
    assert_accessible(driver)
    if shots:
        screenshot(driver, "admin-api-keys.png")

    driver.get(f"{stack.base_url}/360/api?tab=apiKeys")
    assert first not in driver.page_source
    click(driver, "Regenerate")
    wait_for(driver, ".confirm")
    click(driver, "Regenerate", scope="div[@class='confirm']")
    second = shown_secret(driver)
    assert ping(stack, first) == 401 and ping(stack, second) == 200
    click(driver, "Revoke")
    wait_for(driver, ".confirm")
    click(driver, "Revoke", scope="div[@class='confirm']")
    assert "revoked" in notice(driver)
    assert ping(stack, second) == 401

    # The last key is made with the keyboard alone: type, Space on the boxes, Tab to Create, Enter.
    name = field_by_label(driver, "Name")
    name.send_keys(f"Webhooks {time.monotonic_ns()}")  # one per run
    press_tab_until(driver, lambda el: el.get_attribute("id") == "scope-webhooks:read").send_keys(Keys.SPACE)
    press_tab_until(driver, lambda el: el.get_attribute("id") == "scope-webhooks:write").send_keys(Keys.SPACE)
    press_tab_until(driver, lambda el: el.tag_name == "button" and el.text == "Create").send_keys(Keys.ENTER)
    token = shown_secret(driver)
    assert ping(stack, token) == 200
    return token


def table_text(driver: WebDriver) -> str:
    return " ".join(str(t.text) for t in driver.find_elements(By.TAG_NAME, "table"))


def oauth_apps(driver: WebDriver, stack: Any, callback: Callback, shots: bool) -> None:
    click(driver, "OAuth apps", scope="nav")
    wait_for(driver, "form#register-app")
    field_by_label(driver, "Name").send_keys("Page app")
    field_by_label(driver, "Confidential (server-side, has a secret)").click()
    field_by_label(driver, "Redirect URIs (one per line)").send_keys("http://127.0.0.1/callback")
    click(driver, "Register")
    text = notice(driver)
    client_id = re.search(r"Client ID: (42min_[0-9A-Z]+)", text).group(1)  # type: ignore[union-attr]
    secret = shown_secret(driver)
    if shots:
        screenshot(driver, "admin-oauth-apps.png")

    # The app just registered completes an authorization-code + PKCE flow.
    verifier = new_verifier()
    driver.get(authorize_url(stack, client_id, callback.redirect_uri, verifier, "admin-page"))
    sign_in(driver)
    driver.find_element(By.CSS_SELECTOR, "form#consent button[value=approve]").click()
    landed = query_of(wait_for_url(driver, callback.redirect_uri))
    token = httpx.post(
        f"{stack.base_url}/v1/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": landed["code"],
            "redirect_uri": callback.redirect_uri,
            "code_verifier": verifier,
        },
        headers=basic_auth(client_id, secret),
        timeout=30,
    )
    assert token.status_code == 200, token.text
    assert ping(stack, token.json()["access_token"]) == 200

    driver.get(f"{stack.base_url}/360/api?tab=oauthApps")
    assert secret not in driver.page_source
    row_button(driver, client_id, "Rotate secret")
    new_secret = shown_secret(driver)

    def introspect(with_secret: str) -> int:
        return httpx.post(
            f"{stack.base_url}/v1/oauth/introspect",
            data={"token": token.json()["access_token"]},
            headers=basic_auth(client_id, with_secret),
            timeout=30,
        ).status_code

    assert introspect(secret) == 401 and introspect(new_secret) == 200
    driver.get(f"{stack.base_url}/360/api?tab=oauthApps")
    assert new_secret not in driver.page_source  # shown once

    # Edit the redirect URIs: a refused one is said next to the field, then a valid list is saved.
    row_link(driver, client_id, "Redirect URIs")
    uris = field_by_label(driver, "Redirect URIs (one per line)")
    uris.clear()
    uris.send_keys("file://127.0.0.1/nope")
    click(driver, "Save redirect URIs")
    error_summary(driver)
    assert driver.find_element(By.ID, "edit-redirect-uris-error").text
    other = "http://127.0.0.1/other-callback"
    uris = field_by_label(driver, "Redirect URIs (one per line)")
    uris.clear()
    uris.send_keys(f"{callback.redirect_uri}\n{other}")
    click(driver, "Save redirect URIs")
    notice(driver)
    row = driver.find_element(By.XPATH, f"//tr[.//code[normalize-space()='{client_id}']]")
    assert other in row.text and callback.redirect_uri in row.text

    # Delete (after a confirmation step): every token of the app stops working.
    assert ping(stack, token.json()["access_token"]) == 200
    row_link(driver, client_id, "Delete")
    confirm(driver, "Delete")
    assert "deleted" in notice(driver).lower()
    assert client_id not in table_text(driver)
    assert ping(stack, token.json()["access_token"]) == 401


def webhooks(driver: WebDriver, stack: Any, receiver: Receiver, token: str, shots: bool) -> None:
    path = f"/hook-{time.monotonic_ns()}"
    hook = httpx.post(
        f"{stack.base_url}/v1/webhooks",
        json={"url": receiver.url(path), "events": ["booking_created"]},
        headers=bearer(token),
        timeout=30,
    )
    assert hook.status_code == 201, hook.text
    receiver.secrets[path] = [hook.json()["data"]["signing_secret"]]
    receiver.statuses[path] = 500

    click(driver, "Webhooks", scope="nav")
    wait_for(driver, "main[data-tab=webhooks]")
    assert "PAT Webhooks " in driver.page_source
    row_button(driver, receiver.url(path), "Send test event")
    assert "status 500" in notice(driver)  # the test delivery failed
    (failed,) = receiver.on(path)
    receiver.statuses[path] = 204

    driver.get(f"{stack.base_url}/360/api?tab=webhooks&webhook={hook.json()['data']['id']}")
    wait_for(driver, "#deliveries")
    click(driver, "Redeliver")
    assert "scheduled." in notice(driver)
    got = receiver.wait_for(lambda all_: len([r for r in all_ if r.path == path]) >= 2)
    again = [r for r in got if r.path == path][-1]
    assert again.answered == 204 and again.verify_error is None
    assert again.delivery_id != failed.delivery_id and again.body == failed.body and again.attempt == 1

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        driver.get(f"{stack.base_url}/360/api?tab=webhooks&webhook={hook.json()['data']['id']}")
        if again.delivery_id in driver.page_source:
            break
        time.sleep(0.5)
    assert f"repeats {failed.delivery_id}" in driver.find_element(By.ID, "admin-api").text
    assert_accessible(driver)
    if shots:
        screenshot(driver, "admin-webhooks.png")
    hook_id = hook.json()["data"]["id"]
    url = receiver.url(path)

    row_button(driver, url, "Rotate secret")
    rotated = shown_secret(driver)
    assert rotated.startswith("whsec_") and rotated != hook.json()["data"]["signing_secret"]
    receiver.secrets[path] = [rotated]  # only the new secret verifies from now on
    driver.get(f"{stack.base_url}/360/api?tab=webhooks")
    assert rotated not in driver.page_source  # shown once
    row_button(driver, url, "Send test event")
    assert "status 204" in notice(driver)
    assert receiver.on(path)[-1].verify_error is None

    row_button(driver, url, "Pause")
    notice(driver)
    row = driver.find_element(By.XPATH, f"//tr[.//code[normalize-space()='{url}']]")
    assert "paused" in row.text and row.find_elements(By.XPATH, ".//button[normalize-space()='Resume']")
    api = httpx.get(f"{stack.base_url}/v1/webhooks/{hook_id}", headers=bearer(token), timeout=30)
    assert api.json()["data"]["status"] == "paused"
    row_button(driver, url, "Resume")
    notice(driver)
    api = httpx.get(f"{stack.base_url}/v1/webhooks/{hook_id}", headers=bearer(token), timeout=30)
    assert api.json()["data"]["status"] == "active"

    # Twenty more attempts: the log shows 20 a page, newest first, with a link to the next page.
    for _ in range(20):
        sent = httpx.post(f"{stack.base_url}/v1/webhooks/{hook_id}/test", headers=bearer(token), timeout=30)
        assert sent.status_code == 200, sent.text
    driver.get(f"{stack.base_url}/360/api?tab=webhooks&webhook={hook_id}")
    wait_for(driver, "#deliveries")
    first_page = driver.find_elements(By.XPATH, "//table[.//caption[starts-with(., 'Deliveries')]]/tbody/tr")
    assert len(first_page) == 20
    assert failed.delivery_id not in driver.page_source  # the oldest attempt is on a later page
    click(driver, "Next deliveries")
    wait_for(driver, "#deliveries")
    assert failed.delivery_id in driver.page_source

    driver.get(f"{stack.base_url}/360/api?tab=webhooks")
    row_link(driver, url, "Delete")
    confirm(driver, "Delete")
    notice(driver)
    assert url not in table_text(driver)
    gone = httpx.get(f"{stack.base_url}/v1/webhooks/{hook_id}", headers=bearer(token), timeout=30)
    assert gone.status_code == 404


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_admin_center_journey(
    stack: Any,
    browser_factory: Callable[..., WebDriver],
    callback: Callback,
    receiver: Receiver,
    javascript: bool,
) -> None:
    driver = browser_factory(javascript=javascript)
    try:
        admin_sign_in(driver, stack)
        assert driver.find_elements(By.TAG_NAME, "script") == []  # nothing depends on scripts
        token = api_keys(driver, stack, shots=javascript)
        oauth_apps(driver, stack, callback, shots=javascript)
        driver.get(f"{stack.base_url}/360/api")
        webhooks(driver, stack, receiver, token, shots=javascript)
    except Exception:
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        (OUTPUT_DIR / "admin-failure.html").write_text(driver.page_source)
        driver.save_screenshot(str(OUTPUT_DIR / "admin-failure.png"))
        raise
    click(driver, "Sign out", scope="header")
    wait_for(driver, "form#sign-in")
    driver.get(f"{stack.base_url}/360/api?tab=webhooks")
    wait_for(driver, "form#sign-in")  # the session is over


def test_a_plain_user_is_refused(stack: Any, browser_factory: Callable[..., WebDriver]) -> None:
    """A wrong password says nothing about the user; a plain `user` with the RIGHT password is told
    Admin Center is for owners and admins, and gets no session."""
    username, password = f"plain{time.monotonic_ns()}", "a-plain-users-password"
    made = stack.cli(
        "admin", "user", "create", "--org", stack.seed_result["organization_id"], "--username", username,
        "--email", f"{username}@example.com", "--role", "user", "--password-stdin", input=password + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    driver = browser_factory(javascript=False)

    def attempt(login: str, secret: str) -> str:
        driver.get(f"{stack.base_url}/360/signin")
        wait_for(driver, "form#sign-in")
        field_by_label(driver, "Email or username").send_keys(login)
        field_by_label(driver, "Password").send_keys(secret)
        click(driver, "Sign in")
        wait_for(driver, "#sign-in-error")
        return str(driver.find_element(By.ID, "sign-in-error").text)

    assert attempt("linus", "anything") == "Incorrect email, username or password."
    assert attempt(username, "wrong-password") == "Incorrect email, username or password."
    assert "Admin Center is for organization owners and admins" in attempt(username, password)
    assert not [c for c in driver.get_cookies() if c["name"] in ("42min_admin", "__Host-42min_admin")]
    driver.get(f"{stack.base_url}/360/api")
    wait_for(driver, "form#sign-in")  # still signed out
