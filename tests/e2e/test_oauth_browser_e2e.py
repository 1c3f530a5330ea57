"""The OAuth pages in a real headless browser (issue 6, "Done means"): Debian Chromium driven by
Selenium signs in, sees the consent page, approves or denies, and lands on a loopback redirect
URI served by this test. Chromium is installed with apt when missing; failing that, the tests
FAIL (CI runs as root with the Debian mirrors reachable).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from oauth_support import (
    ADA,
    LOOPBACK_REDIRECT,
    SCOPE,
    SCOPE_EXPANDED,
    SCOPE_WORDING,
    basic_auth,
    bearer,
    create_client,
    new_verifier,
    query_of,
    s256,
)
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

# One xdist worker runs them all: one browser install, one set of Chromium processes at a time.
pytestmark = pytest.mark.xdist_group("oauth-browser")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APT_TIMEOUT_S = 900
INSTALL_LOCK = Path(tempfile.gettempdir()) / "42min-e2e-chromium-install.lock"
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "output"
WAIT_S = 30
JS_CHECK_PAGE = b"<!doctype html><title>scripts off</title><script>document.title='scripts on'</script>"
DONE_PAGE = b"<!doctype html><html lang='en'><title>Done</title><h1>You can close this tab</h1>"


# --- Chromium ---------------------------------------------------------------------------------


def install_chromium() -> str | None:
    """`apt-get update && apt-get install -y chromium chromium-driver` when either binary is absent.
    Returns why Chromium is unusable, or None. A file lock keeps two xdist workers from running
    apt at once."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    with open(INSTALL_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _install_chromium_locked()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _install_chromium_locked() -> str | None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if os.geteuid() != 0:
        return (
            f"{CHROMIUM} or {CHROMEDRIVER} is missing and the tests are not running as root, so "
            "they cannot install them: run `apt-get install -y chromium chromium-driver`."
        )
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing and there is no apt-get to install them."
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=300"]  # wait for another apt run instead of failing
    steps = (
        ["apt-get", *lock, "update"],
        ["apt-get", *lock, "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
    )
    for step in steps:
        try:
            done = subprocess.run(
                step, capture_output=True, text=True, env=env, timeout=APT_TIMEOUT_S, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            return f"`{' '.join(step)}` did not finish within {APT_TIMEOUT_S} s"
        if done.returncode != 0:
            return (
                f"`{' '.join(step)}` failed ({done.returncode}), so Chromium cannot be installed:\n"
                f"{(done.stdout + done.stderr)[-3000:]}"
            )
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"apt-get installed chromium and chromium-driver but {missing} still do not exist"
    return None


@pytest.fixture(scope="session")
def chromium() -> str | None:
    """Installs Chromium once per session; the problem, if any, fails each browser test (no skip)."""
    return install_chromium()


@pytest.fixture
def browser_factory(chromium: str | None, tmp_path: Path) -> Iterator[Callable[..., WebDriver]]:
    """Start headless Chromium (JavaScript on, or off through the content-settings preference);
    called in the test body, so a missing browser FAILS the test rather than erroring or skipping."""
    drivers: list[WebDriver] = []

    def start(*, javascript: bool = True) -> WebDriver:
        if chromium is not None:
            pytest.fail(f"headless Chromium is unavailable: {chromium}")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1000,1100",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(arg)
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
        service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
        try:
            driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException as exc:
            pytest.fail(f"headless Chromium did not start: {exc.msg}")
        driver.set_page_load_timeout(WAIT_S)
        drivers.append(driver)
        return driver

    try:
        yield start
    finally:
        for driver in drivers:
            driver.quit()


# --- the client's side: a loopback redirect URI ----------------------------------------------


class Callback:
    """A tiny loopback HTTP server standing in for a native app's redirect URI (RFC 8252 §7.3)."""

    def __init__(self) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                seen.append(self.path)
                body = JS_CHECK_PAGE if self.path.startswith("/js-check") else DONE_PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.redirect_uri = f"http://127.0.0.1:{self.port}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback() -> Iterator[Callback]:
    server = Callback()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def browser_client(stack: Any) -> dict[str, Any]:
    """A confidential client of its own, registered with the port-less loopback URI."""
    return create_client(stack, "Browser Test App", "confidential", LOOPBACK_REDIRECT)


def authorize_url(stack: Any, client_id: str, redirect_uri: str, verifier: str, state: str) -> str:
    query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPE),
        ("state", state),
        ("code_challenge", s256(verifier)),
        ("code_challenge_method", "S256"),
    ]
    return f"{stack.base_url}/v1/oauth/authorize?{urlencode(query)}"


# --- page helpers -----------------------------------------------------------------------------


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))


def wait_for_url(driver: WebDriver, prefix: str) -> str:
    WebDriverWait(driver, WAIT_S).until(lambda d: d.current_url.startswith(prefix))
    return driver.current_url


def field_by_label(driver: WebDriver, text: str) -> Any:
    """The input a visible <label> names, as assistive technology would find it."""
    label = driver.find_element(By.XPATH, f"//label[normalize-space()='{text}']")
    target = label.get_attribute("for")
    assert target, f"label {text!r} has no for attribute"
    return driver.find_element(By.ID, target)


def assert_accessible(driver: WebDriver) -> None:
    """Basic accessibility: a language, a title, one h1, labelled inputs, named buttons."""
    html = driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "en"
    assert driver.title.strip()
    assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1
    assert driver.find_element(By.TAG_NAME, "h1").text.strip()
    for element in driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden])"):
        element_id = element.get_attribute("id")
        labelled = bool(element_id) and driver.find_elements(By.CSS_SELECTOR, f"label[for='{element_id}']")
        assert labelled or element.get_attribute("aria-label"), element.get_attribute("outerHTML")
    for button in driver.find_elements(By.TAG_NAME, "button"):
        assert button.text.strip(), button.get_attribute("outerHTML")


def sign_in(driver: WebDriver, credentials: tuple[str, str] = ADA) -> None:
    wait_for(driver, "form#sign-in")
    assert_accessible(driver)
    email, password = credentials
    field_by_label(driver, "Email").send_keys(email)
    field_by_label(driver, "Password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form#sign-in button[type=submit]").click()
    wait_for(driver, "form#consent")


def check_consent_page(driver: WebDriver, client_name: str) -> None:
    assert_accessible(driver)
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert client_name in heading
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "ada@example.com" in body and "Acme" in body and "127.0.0.1" in body
    items = driver.find_elements(By.CSS_SELECTOR, "ul.scopes li")
    assert [(li.get_attribute("data-scope"), li.text.strip()) for li in items] == SCOPE_WORDING
    assert "bookings:write" not in body  # aliases are never shown


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


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
