"""`42min admin webhook …` against moto (60-operations §2.1, 40-webhooks §2.2)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("resolver")


@pytest.fixture
def cli(tmp_path: Path, capsys: Any) -> Any:
    from fortytwo_local.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--data-dir", str(tmp_path / "no-stack"), "admin", "webhook", *args])
        captured = capsys.readouterr()
        out = "\n".join(line for line in captured.out.splitlines() if not line.startswith('{"level"'))
        return status, out, captured.err

    return run


def test_admin_create_is_invisible_to_the_api_and_listed_with_owner_keys(
    cli: Any, api: Any, seeded: dict[str, Any]
) -> None:
    pat_hook = api().created("https://x.example.com/pat")
    status, out, _ = cli(
        "create", "--org", seeded["organization_name"], "--url", "https://x.example.com/admin", "--events",
        "booking_created, booking_canceled", "--description", "ops",
    )  # fmt: skip
    assert status == 0
    secret = re.search(r"signing secret \(shown once\): (whsec_\S+)", out)
    assert secret is not None and len(secret.group(1)) == 49
    assert api().list().json()["data"][0]["id"] == pat_hook["id"]
    assert len(api().list().json()["data"]) == 1

    status, out, _ = cli("list", "--org", seeded["organization_id"], "--json")
    views = json.loads(out)
    assert {v["owner_key"] for v in views} == {"admin", f"pat:{seeded['pats']['full']['id']}:1"}
    admin_view = next(v for v in views if v["owner_key"] == "admin")
    assert admin_view["events"] == ["booking_created", "booking_canceled"]
    assert admin_view["description"] == "ops" and "signing_secret" not in admin_view
    assert secret.group(1) not in out
    status, text, _ = cli("list", "--org", seeded["organization_name"])
    assert status == 0 and "owner=admin" in text and "owner=pat:" in text


def test_admin_create_applies_the_api_rules(cli: Any, seeded: dict[str, Any]) -> None:
    assert (
        cli(
            "create",
            "--org",
            seeded["organization_name"],
            "--url",
            "https://y.example.com/1",
            "--events",
            "booking_created",
        )[0]
        == 0
    )
    status, _, err = cli(
        "create",
        "--org",
        seeded["organization_name"],
        "--url",
        "https://Y.example.com/1",
        "--events",
        "booking_created",
    )
    assert status == 1 and "already has webhook" in err
    status, _, err = cli(
        "create",
        "--org",
        seeded["organization_name"],
        "--url",
        "https://y.example.com/2",
        "--events",
        "booking.created",
    )
    assert status == 1 and "booking_created" in err
    status, _, err = cli(
        "create",
        "--org",
        seeded["organization_name"],
        "--url",
        "https://10.0.0.1/2",
        "--events",
        "booking_created",
    )
    assert status == 1 and "not a public address" in err
    status, _, err = cli(
        "create", "--org", "Nope", "--url", "https://y.example.com/3", "--events", "booking_created"
    )
    assert status == 1 and "no organization" in err


def test_admin_manages_any_sandbox(cli: Any, api: Any) -> None:
    from fortytwo.store import dynamo, keys
    from fortytwo.store import webhooks as store

    hook = api().created("https://z.example.com/1")
    dynamo.client().update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(*keys.webhook(hook["id"])),
        UpdateExpression="SET failures = :n",
        ExpressionAttributeValues=dynamo.values({":n": 3}),
    )
    status, out, _ = cli("pause", hook["id"], "--json")
    assert status == 0 and json.loads(out)["status"] == "paused"
    assert api().get(hook["id"]).json()["data"]["paused_reason"] is None
    status, out, _ = cli("resume", hook["id"].upper())
    assert status == 0 and "active" in out
    assert store.get(hook["id"]).health.failures == 0  # type: ignore[union-attr]
    status, out, _ = cli("rotate-secret", hook["id"], "--json")
    rotated = json.loads(out)["signing_secret"]
    assert status == 0 and rotated != hook["signing_secret"]
    assert store.get(hook["id"]).secret == rotated  # type: ignore[union-attr]
    status, _, _ = cli("delete", hook["id"])
    assert status == 0 and api().get(hook["id"]).status == 404
    assert api().create("https://z.example.com/1").status == 201  # URL and slot released
    status, _, err = cli("pause", hook["id"])
    assert status == 1 and "no webhook" in err
    assert cli("delete", "not-a-uuid")[0] == 1
