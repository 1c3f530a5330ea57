"""`42min admin oauth-client create`, `admin user remove` (grant revocation) and the seed section."""

from __future__ import annotations

import json

import pytest

from fortytwo.store import oauth as store
from fortytwo_local.cli import main
from fortytwo_local.seed import SeedError, apply_seed
from tests.integration.oauth.flow import CONFIDENTIAL_REDIRECT, ping, tokens_for


def run(capsys, tmp_path, *argv):
    capsys.readouterr()  # drop request logs of earlier handler calls
    code = main(["--data-dir", str(tmp_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_create_confidential_and_public(capsys, tmp_path, seeded):
    code, out, err = run(
        capsys, tmp_path, "admin", "oauth-client", "create", "--org", "Acme", "--name", "Example app",
        "--type", "confidential", "--redirect-uri", "https://app.example.com/callback",
        "--redirect-uri", "http://127.0.0.1/callback", "--json",
    )  # fmt: skip
    assert code == 0, err
    view = json.loads(out)
    assert list(view) == [
        "client_id", "client_secret", "client_name", "client_type", "token_endpoint_auth_method",
        "redirect_uris", "grant_types", "response_types", "organization_id", "registered_via", "created_at",
    ]  # fmt: skip
    assert view["token_endpoint_auth_method"] == "client_secret_basic"
    assert view["organization_id"] == seeded["organization_id"] and view["registered_via"] == "admin"
    assert store.get_client(view["client_id"]).secret_hash != view["client_secret"]
    code, out, err = run(
        capsys, tmp_path, "admin", "oauth-client", "create", "--org", "Acme", "--name", "CLI",
        "--type", "public", "--redirect-uri", "http://[::1]/cb",
    )  # fmt: skip
    assert code == 0 and "created OAuth client CLI" in out and "client_secret" not in out


def test_create_errors(capsys, tmp_path, seeded):
    ok = ["--type", "public", "--redirect-uri", "https://a.example/cb"]
    cases = [
        (["--org", "Nope", "--name", "X", *ok], "no organization"),
        (["--org", "Acme", "--name", "  ", *ok], "name"),
        (["--org", "Acme", "--name", "X", "--type", "public", "--redirect-uri", "http://a.example/cb"],
         "redirect_uri[0] must use https"),
    ]  # fmt: skip
    for args, message in cases:
        code, out, err = run(capsys, tmp_path, "admin", "oauth-client", "create", *args)
        assert code == 1 and out == ""
        assert message in err and err.count("\n") == 1


def test_user_remove_revokes_grants(capsys, tmp_path, invoke, app_client, browser):
    tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
    code, out, err = run(capsys, tmp_path, "admin", "user", "remove", "ada", "--json")
    assert code == 0, err
    assert json.loads(out)["revoked_grants"] == 1
    assert ping(invoke, tokens["access_token"]).json()["error"]["code"] == "token_revoked"


def test_seed_errors_name_the_path(moto_env):
    uri = ["https://a.example/cb"]
    cases = [
        ({"name": "A", "type": "public", "redirect_uris": [*uri, "http://a.example/"]},
         "oauth_clients[0].redirect_uris[1]"),
        ({"name": "A", "type": "secret", "redirect_uris": uri}, "oauth_clients[0].type"),
        ({"name": "A", "type": "public", "redirect_uris": []}, "oauth_clients[0].redirect_uris"),
        ({"name": "", "type": "public", "redirect_uris": uri}, "oauth_clients[0].name"),
        ({"name": "A", "type": "public", "redirect_uris": uri, "scopes": []}, "oauth_clients[0].scopes"),
    ]  # fmt: skip
    for entry, path in cases:
        with pytest.raises(SeedError) as exc:
            apply_seed({"organization": {"name": "Other"}, "oauth_clients": [entry]})
        assert exc.value.path == path


def test_seed_result(seeded):
    assert set(seeded["oauth_clients"]["app"]) == {"client_id", "client_secret"}
    assert set(seeded["oauth_clients"]["cli"]) == {"client_id"}
    app = store.get_client(seeded["oauth_clients"]["app"]["client_id"])
    assert app.client_name == "Example <app>" and app.grant_types == ("authorization_code", "refresh_token")


def test_manage_a_client_from_the_cli(capsys, tmp_path, seeded, invoke, browser):
    """list, redirect-uris, rotate-secret, delete: the services of Admin Center's OAuth apps tab."""
    from fortytwo.services import oauth

    code, out, err = run(
        capsys, tmp_path, "admin", "oauth-client", "create", "--org", "Acme", "--name", "Managed",
        "--type", "confidential", "--redirect-uri", "https://m.example/cb", "--json",
    )  # fmt: skip
    created = json.loads(out)
    client_id, secret = created["client_id"], created["client_secret"]
    code, out, err = run(capsys, tmp_path, "admin", "oauth-client", "list", "--org", "Acme", "--json")
    assert code == 0 and client_id in [c["client_id"] for c in json.loads(out)]
    code, out, err = run(
        capsys, tmp_path, "admin", "oauth-client", "redirect-uris", client_id,
        "--redirect-uri", "https://n.example/cb", "--redirect-uri", "http://127.0.0.1/cb", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["redirect_uris"] == ["https://n.example/cb", "http://127.0.0.1/cb"]
    code, out, err = run(
        capsys,
        tmp_path,
        "admin",
        "oauth-client",
        "redirect-uris",
        client_id,
        "--redirect-uri",
        "http://localhost/x",
    )
    assert code == 1 and "https" in err
    code, out, err = run(capsys, tmp_path, "admin", "oauth-client", "rotate-secret", client_id, "--json")
    new_secret = json.loads(out)["client_secret"]
    assert code == 0 and new_secret != secret
    with pytest.raises(oauth.OAuthProblem):
        oauth.authenticate(None, {"client_id": client_id, "client_secret": secret})
    assert (
        oauth.authenticate(None, {"client_id": client_id, "client_secret": new_secret}).client_id == client_id
    )
    code, out, err = run(capsys, tmp_path, "admin", "oauth-client", "delete", client_id, "--json")
    assert code == 0 and json.loads(out)["deleted"] is True
    assert store.get_client(client_id) is None
    code, out, err = run(capsys, tmp_path, "admin", "oauth-client", "delete", client_id)
    assert code == 1 and "no OAuth client" in err


def test_deleting_a_client_revokes_its_tokens(capsys, tmp_path, invoke, app_client, browser):
    tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
    assert ping(invoke, tokens["access_token"]).status == 200
    code, out, err = run(
        capsys, tmp_path, "admin", "oauth-client", "delete", app_client["client_id"], "--json"
    )
    assert code == 0 and json.loads(out)["revoked_grants"] == 1
    assert ping(invoke, tokens["access_token"]).status == 401
