"""`42min admin event-type …` in-process against moto, and the seed file's `event_types` section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fortytwo.services import event_types
from fortytwo.store import accounts, dynamo
from fortytwo_local.cli import main
from fortytwo_local.seed import SeedError, apply_seed

from .conftest import acme_seed


def run(capsys, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(tmp_path / "nowhere"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, doc: dict) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def outbox() -> list[dict]:
    items = [dynamo.from_item(i) or {} for i in dynamo.client().scan(TableName=dynamo.table_name())["Items"]]
    return sorted((i for i in items if i.get("type") == "outbox"), key=lambda i: i["event_id"])


def test_admin_event_type_lifecycle(acme, capsys, tmp_path):
    spec = write(
        tmp_path,
        "et.yaml",
        {
            "slug": "office-hours",
            "title": "Office hours",
            "duration_minutes": 45,
            "color": "#ABCDEF",
            "locations": [{"type": "phone", "label": "Call me", "value": " +44 (20) 7123-4567 "}],
            "questions": [
                {"key": "topic", "label": "Topic", "type": "select", "required": True, "options": ["A", "B"]}
            ],
        },
    )
    code, out, err = run(capsys, tmp_path, "admin", "event-type", "create", "--user", "ada", spec, "--json")
    assert code == 0, err
    created = json.loads(out)
    assert created["slug"] == "office-hours" and created["color"] == "#abcdef"
    assert created["minimum_notice_hours"] == 4 and created["future_limit_days"] == 60
    assert created["locations"] == [{"type": "phone", "label": "Call me", "value": "+44 (20) 7123-4567"}]
    assert created["hosts"][0]["username"] == "ada" and outbox() == []
    # Update by slug: only the given fields change; emits event_type.updated with the new detail.
    patch = write(tmp_path, "patch.yaml", {"slug": "office-hours", "title": "Office hours (new)"})
    code, out, err = run(capsys, tmp_path, "admin", "event-type", "update", "--user", "ada", patch, "--json")
    assert code == 0, err
    updated = json.loads(out)
    assert updated["title"] == "Office hours (new)" and updated["duration_minutes"] == 45
    (event,) = outbox()
    assert json.loads(event["body"])["data"]["event_type"] == updated
    # Rename the slug through --id: the old slug is free again.
    rename = write(tmp_path, "rename.yaml", {"slug": "oh"})
    code, out, err = run(
        capsys,
        tmp_path,
        "admin",
        "event-type",
        "update",
        "--user",
        "ada",
        "--id",
        created["id"],
        rename,
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["url"].endswith("/ada/oh")
    org_id = acme.result["organization_id"]
    assert event_types.by_owner_slug(org_id, acme.user("ada"), "office-hours") is None
    # Toggle off, off again (no-op), on; then delete.
    code, out, _ = run(capsys, tmp_path, "admin", "event-type", "toggle", created["id"], "--off", "--json")
    assert code == 0 and json.loads(out)["active"] is False
    code, out, _ = run(capsys, tmp_path, "admin", "event-type", "toggle", created["id"], "--off")
    assert code == 0 and "already off" in out
    code, out, _ = run(capsys, tmp_path, "admin", "event-type", "toggle", created["id"], "--on", "--json")
    assert json.loads(out)["active"] is True
    code, out, _ = run(capsys, tmp_path, "admin", "event-type", "delete", created["id"], "--json")
    assert code == 0 and json.loads(out)["deleted"] is True
    assert [e["event"] for e in outbox()] == ["event_type.updated"] * 4 + ["event_type.deleted"]
    assert event_types.by_bare_id(created["id"]) is None
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "delete", created["id"])
    assert code == 1 and err.startswith("42min: no event type")


def test_admin_team_event_types_and_errors(acme, capsys, tmp_path):
    team_spec = write(
        tmp_path, "team.yaml", {"slug": "team-call", "title": "Team call", "scheduling_type": "collective"}
    )
    code, out, err = run(
        capsys, tmp_path, "admin", "event-type", "create", "--team", "sales", team_spec, "--json"
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["url"].endswith("/team/sales/team-call") and [h["username"] for h in created["hosts"]] == [
        "ada",
        "grace",
    ]
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "create", "--team", "Sales", team_spec)
    assert code == 1 and "already has an event type" in err
    bad = write(
        tmp_path, "bad.yaml", {"slug": "x", "title": "X", "locations": [{"type": "link", "label": "L"}]}
    )
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "create", "--user", "ada", bad)
    assert code == 1 and err.strip() == "42min: locations[0].value: must be an https:// URL"
    individual = write(tmp_path, "ind.yaml", {"slug": "y", "title": "Y"})
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "create", "--team", "Sales", individual)
    assert code == 1 and "scheduling_type" in err
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "create", "--team", "Nope", individual)
    assert code == 1 and "no team" in err
    with_owner = write(tmp_path, "owner.yaml", {"slug": "z", "title": "Z", "owner": "ada"})
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "create", "--user", "ada", with_owner)
    assert code == 1 and "owner: is not a known field" in err
    missing = write(tmp_path, "missing.yaml", {"slug": "nothing-here", "title": "N"})
    code, _, err = run(capsys, tmp_path, "admin", "event-type", "update", "--user", "ada", missing)
    assert code == 1 and "no event type 'nothing-here'" in err


def test_schedule_timezone_change_refreshes_event_types(acme):
    from fortytwo.domain import clock

    ada = accounts.find_user("ada")
    document = {
        "name": "Working hours",
        "timezone": "Europe/Paris",
        "weekly": {"mon": ["09:00-17:00"]},
        "overrides": {},
        "out_of_office": [],
    }
    accounts.replace_default_schedule(ada, document)
    changed = event_types.refresh_after_schedule_change(
        ada, "Europe/London", "Europe/Paris", clock.now(), "https://42min.test"
    )
    assert sorted(d["slug"] for d in changed) == ["consult", "deep-dive", "intro-call", "workshop"]
    assert all(d["timezone"] == "Europe/Paris" for d in changed)
    assert len(outbox()) == 4
    assert (
        event_types.refresh_after_schedule_change(ada, "Europe/Paris", "Europe/Paris", clock.now(), "x") == []
    )


SEED_ERRORS = [
    (lambda d: d["event_types"][1].update(owner="nobody"), "event_types[1].owner"),
    (lambda d: d["event_types"][1].update(team="Sales"), "event_types[1].owner"),
    (lambda d: d["event_types"][3].update(team="Marketing"), "event_types[3].team"),
    (lambda d: d["event_types"][1].update(slug="intro-call"), "event_types[1].slug"),
    (lambda d: d["event_types"][1].update(key="intro"), "event_types[1].key"),
    (
        lambda d: d["event_types"][0]["locations"][0].update(value="http://x"),
        "event_types[0].locations[0].value",
    ),
    (
        lambda d: d["event_types"][0]["questions"][1].update(options=["A", "A"]),
        "event_types[0].questions[1].options[1]",
    ),
    (lambda d: d["event_types"][3].update(scheduling_type="individual"), "event_types[3].scheduling_type"),
    (lambda d: d["event_types"][4].update(seats=1), "event_types[4].seats"),
    (lambda d: d["event_types"][1].update(seats=4), "event_types[1].seats"),
    (lambda d: d["event_types"][1].update(future_limit_days=366), "event_types[1].future_limit_days"),
    (lambda d: d["event_types"][1].update(colour="#000000"), "event_types[1].colour"),
]


def test_seed_event_type_errors_name_the_path_and_write_nothing(moto_env):
    for change, path in SEED_ERRORS:
        doc = acme_seed()
        change(doc)
        with pytest.raises(SeedError) as raised:
            apply_seed(doc)
        assert raised.value.path == path, str(raised.value)
        assert accounts.find_org("Acme") is None
