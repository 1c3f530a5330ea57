"""Admin Center pages through the real AdminFunction handler: a tiny cookie-keeping browser that
submits the forms it finds (hidden fields included), as a browser without JavaScript would."""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Response
from tests.integration.webhooks.conftest import functions, pipeline, receiver, resolver  # noqa: F401 - fixtures
from tests.support import aws

ORIGIN = "https://api.42min.test"
PASSWORD = "correct-horse-battery"


def seed_document(name: str, prefix: str) -> dict[str, Any]:
    def user(username: str, role: str) -> dict[str, Any]:
        return {
            "username": f"{prefix}{username}",
            "email": f"{prefix}{username}@example.com",
            "first_name": username.capitalize(),
            "last_name": "Tester",
            "timezone": "UTC",
            "role": role,
            "password": PASSWORD,
        }

    return {
        "organization": {"name": name, "plan": "Pro"},
        "users": [user("ada", "owner"), user("bob", "admin"), user("carl", "user")],
        "pats": [{"key": "bob", "user": f"{prefix}bob", "name": "bob's", "scopes": ["webhooks:read"]}],
    }


def unique_org(name: str = "Acme") -> dict[str, Any]:
    from fortytwo_local.seed import apply_seed

    tag = secrets.token_hex(4)
    result = apply_seed(seed_document(f"{name} {tag}", f"{tag}-"))
    result["prefix"] = f"{tag}-"
    return result


class Browser:
    """Keeps cookies, sends forms, never runs scripts."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.cookies: dict[str, str] = {}
        self.origin = origin
        self.last: Response | None = None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        form: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        module = aws.function_module("admin")
        path, _, query = path.partition("?")
        hdrs = self._headers(headers)
        body = None
        if form is not None:
            body = urlencode(form)
            hdrs["content-type"] = "application/x-www-form-urlencoded"
            hdrs.setdefault("origin", self.origin)
            if not hdrs["origin"]:
                del hdrs["origin"]  # `origin: ""` asks for no Origin header at all
        raw = module.handler(
            aws.http_event(method, path, headers=hdrs, query=query, body=body), aws.LambdaContext()
        )
        response = Response(raw)
        for cookie in raw.get("cookies") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.last = response
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def follow(self, response: Response) -> Response:
        while response.status in (302, 303):
            response = self.get(response.headers["location"])
        return response

    def submit(
        self,
        page: Response,
        form_action: str,
        fields: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        follow: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Post the form whose action is `form_action` with its hidden fields plus `fields`."""
        hidden = hidden_fields(page.text, form_action)
        extra = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
        names = {k for k, _ in extra}
        response = self.request(
            "POST", form_action, form=[(k, v) for k, v in hidden if k not in names] + extra, headers=headers
        )
        return self.follow(response) if follow else response

    def sign_in(self, login: str, password: str = PASSWORD) -> Response:
        page = self.get("/360/signin")
        return self.submit(page, "/360/signin", {"login": login, "password": password})


def forms(html: str) -> dict[str, str]:
    return {
        unescape(m.group(1)): m.group(0)
        for m in re.finditer(r'<form[^>]*action="([^"]+)"[^>]*>.*?</form>', html, re.S)
    }


def hidden_fields(html: str, action: str) -> list[tuple[str, str]]:
    found = forms(html)
    assert action in found, f"no form posts to {action}: {sorted(found)}"
    return [
        (unescape(m.group(1)), unescape(m.group(2)))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found[action])
    ]


def shown_secret(html: str) -> str:
    match = re.search(r'id="shown-secret" class="secret" readonly value="([^"]+)"', html)
    assert match, "no secret on the page"
    return unescape(match.group(1))


@pytest.fixture
def org(moto_env: None) -> dict[str, Any]:
    return unique_org()


@pytest.fixture
def browser(org: dict[str, Any]) -> Browser:
    return Browser()
