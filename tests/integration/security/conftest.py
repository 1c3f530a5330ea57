"""Two organizations in one moto table, each with bookings, webhooks and delivery log rows, for the
tenancy and hostile-input tests (issue 12).

Organization A is the e2e seed; B is the same document under other names (usernames and emails are
unique system-wide). Both book the same attendee address, so a query keyed by address alone would mix
them. One module-scoped table: creating and seeding it costs seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Invoker, Response
from tests.integration.bookings.conftest import Api, FrozenClock, frozen  # noqa: F401 (fixture)
from tests.support import aws

SHARED_EMAIL = "shared@example.com"
FOREIGN_ONLY_SLUG = "b-only"


def _renamed(doc: dict[str, Any], prefix: str, org_name: str) -> dict[str, Any]:
    """The e2e seed under another organization, usernames and emails; no passwords (hashing is slow)."""
    names = {u["username"]: f"{prefix}{u['username']}" for u in doc["users"]}
    doc["organization"] = {"name": org_name, "plan": "Pro"}
    for user in doc["users"]:
        user["username"] = names[user["username"]]
        user["email"] = f"{prefix}{user['email']}"
        user.pop("password", None)
    for team in doc.get("teams", []):
        team["members"] = [names[m] for m in team["members"]]
    for et in doc["event_types"]:
        if "owner" in et:
            et["owner"] = names[et["owner"]]
    for pat in doc["pats"]:
        pat["user"] = names[pat["user"]]
    doc.pop("oauth_clients", None)
    return doc


@dataclass
class Org:
    """One seeded organization, its booking API helper and what it owns."""

    api: Api
    seed: dict[str, Any]
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid → booking
    webhooks: list[str] = field(default_factory=list)
    deliveries: dict[str, list[str]] = field(default_factory=dict)  # webhook id → delivery ids

    @property
    def token(self) -> str:
        return str(self.seed["pats"]["full"]["token"])

    @property
    def user_ids(self) -> list[str]:
        return list(self.seed["users"].values())

    @property
    def event_type_ids(self) -> list[str]:
        return list(self.seed["event_types"].values())

    def get(self, group: str, path: str, query: Any = None) -> Response:
        headers = {"authorization": f"Bearer {self.token}"}
        return self.api.invoke(group, "GET", path, headers=headers, query=query)


@dataclass
class Tenants:
    a: Org
    b: Org

    def pair(self, caller: str) -> tuple[Org, Org]:
        """(caller, the other organization)."""
        return (self.a, self.b) if caller == "a" else (self.b, self.a)


def _book(org: Org, day: str) -> None:
    api = org.api
    made = [
        api.create("intro", api.at(day, "10:00"), attendee={"email": SHARED_EMAIL, "name": "Sam"}),
        api.create("intro", api.at(day, "11:00"), attendee={"email": "a.person@example.com"}),
        api.create("sales-demo", api.at(day, "14:00"), attendee={"email": SHARED_EMAIL}),
        api.create(
            "survey",
            api.at(day, "09:00"),
            responses={"company": "X", "size": 1, "terms": True},
            metadata={"crm": 7},
        ),
    ]
    for body in made:
        org.bookings[body["data"]["uid"]] = body["data"]
    canceled = made[1]["data"]["uid"]
    assert api.call("POST", f"/v1/bookings/{canceled}/cancel").status == 200
    moved = api.call(
        "POST", f"/v1/bookings/{made[0]['data']['uid']}/reschedule", body={"start": api.at(day, "12:00")}
    )
    assert moved.status == 200, moved.text
    org.bookings[moved.json()["data"]["uid"]] = moved.json()["data"]


def _webhooks(org: Org, functions: Any) -> None:
    headers = {"authorization": f"Bearer {org.token}"}
    for n in range(2):
        body = {
            "url": f"https://hooks.example.com/{org.seed['organization_id']}/{n}",
            "events": ["booking_created"],
        }
        created = org.api.invoke("webhooks", "POST", "/v1/webhooks", headers=headers, body=body)
        assert created.status == 201, created.text
        webhook_id = created.json()["data"]["id"]
        org.webhooks.append(webhook_id)
        org.deliveries[webhook_id] = []
        for _ in range(3):
            sent = org.api.invoke("webhooks", "POST", f"/v1/webhooks/{webhook_id}/test", headers=headers)
            assert sent.status == 200, sent.text
            org.deliveries[webhook_id].append(sent.json()["data"]["id"])


@pytest.fixture(scope="module")
def tenants(frozen: FrozenClock) -> Iterator[Tenants]:  # noqa: F811 (fixture)
    from fortytwo.adapters.webhook_http import SendResult
    from fortytwo.config import reset_settings
    from fortytwo_local.seed import apply_seed
    from tests.support.seed_docs import e2e_seed

    os.environ["FORTYTWO_RATE_LIMITS"] = aws.lifted_rate_limits()
    with aws.moto_account(), pytest.MonkeyPatch.context() as patch:
        reset_settings()
        webhooks = aws.function_module("webhooks")
        patch.setattr(
            webhooks,
            "deps",
            webhooks.Dependencies(
                resolver=lambda host, port, timeout: ["93.184.216.34"],
                send=lambda request, **_: SendResult(status_code=200, error=None, duration_ms=5),
            ),
        )
        invoke = Invoker()
        a_doc = e2e_seed()
        b_doc = _renamed(e2e_seed(), "b-", "Globex")
        b_doc["event_types"].append(
            {"key": FOREIGN_ONLY_SLUG, "owner": "b-ada", "slug": FOREIGN_ONLY_SLUG, "title": "Globex only"}
        )
        a = Org(Api(invoke, apply_seed(a_doc), frozen), {})
        a.seed = a.api.seed
        b = Org(Api(invoke, apply_seed(b_doc), frozen), {})
        b.seed = b.api.seed
        for org in (a, b):
            _book(org, org.api.fresh_day())
            _webhooks(org, webhooks)
        yield Tenants(a, b)
    os.environ.pop("FORTYTWO_RATE_LIMITS", None)
    reset_settings()
