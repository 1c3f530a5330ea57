"""Headless Chromium for the end-to-end tests of server-rendered pages (the OAuth pages, Admin
Center): installed with apt when missing (then a missing browser FAILS the tests, never skips them),
started with JavaScript on or off, and the page helpers the tests share."""

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

import pytest
from oauth_support import ADA, SCOPE, s256
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

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


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- an OAuth client's side: a loopback redirect URI and the authorize steps -----------------


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


def sign_in(driver: WebDriver, credentials: tuple[str, str] = ADA) -> None:
    wait_for(driver, "form#sign-in")
    assert_accessible(driver)
    email, password = credentials
    field_by_label(driver, "Email").send_keys(email)
    field_by_label(driver, "Password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form#sign-in button[type=submit]").click()
    wait_for(driver, "form#consent")
