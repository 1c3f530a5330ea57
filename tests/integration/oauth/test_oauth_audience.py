"""RFC 8707 resource indicators end to end through the handlers (50-mcp §4.5): the grant audience
from `resource`, `invalid_target`, introspection `aud`, and the audience enforced on /v1 and /mcp."""

from __future__ import annotations

import pytest

from tests.integration.oauth.flow import (
    CONFIDENTIAL_REDIRECT,
    ISSUER,
    assert_oauth_error,
    authorize_code,
    authorize_params,
    basic,
    exchange,
    location_params,
    ping,
    refresh,
    token_request,
)

MCP = f"{ISSUER}/mcp"
SCOPE = "mcp:scheduling:read mcp:scheduling:write offline_access"


def mcp_list(invoke, token: str):
    pytest.importorskip("mcp")
    return invoke(
        "mcp",
        "POST",
        "/mcp",
        headers={"Authorization": f"Bearer {token}", "accept": "application/json"},
        body={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )


def test_the_mcp_aliases_expand_in_the_token_response(invoke, app_client, browser):
    code, verifier, _ = authorize_code(
        browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE, resource=MCP
    )
    body = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT, resource=MCP).json()
    assert body["scope"] == (
        "bookings:cancel bookings:create bookings:read bookings:reschedule bookings:update "
        "event_types:read offline_access series:read series:write slots:read user:read"
    )


def test_mcp_audience_works_on_mcp_only(invoke, app_client, browser):
    code, verifier, _ = authorize_code(
        browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE, resource=MCP + "/"
    )
    tokens = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT).json()
    refused = ping(invoke, tokens["access_token"])
    assert refused.status == 401 and refused.json()["error"]["code"] == "invalid_token"
    listed = mcp_list(invoke, tokens["access_token"])
    assert listed.status == 200 and listed.json()["result"]["tools"]
    introspected = token_request(
        invoke,
        {"token": tokens["access_token"]},
        basic(app_client["client_id"], app_client["client_secret"]),
        path="/v1/oauth/introspect",
    ).json()
    assert introspected["active"] is True and introspected["aud"] == MCP
    # A refresh keeps the audience; a different resource is refused and leaves the token unspent.
    wrong = refresh(invoke, app_client, tokens["refresh_token"], resource=ISSUER)
    assert_oauth_error(wrong, 400, "invalid_target")
    again = refresh(invoke, app_client, tokens["refresh_token"], resource=MCP)
    assert again.status == 200, again.text
    assert ping(invoke, again.json()["access_token"]).status == 401


def test_rest_audience_is_refused_on_mcp(invoke, app_client, browser):
    code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE)
    tokens = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT, resource=ISSUER).json()
    assert ping(invoke, tokens["access_token"]).status == 200
    refused = mcp_list(invoke, tokens["access_token"])
    assert refused.status == 401 and "resource_metadata=" in refused.headers["www-authenticate"]


def test_no_audience_works_on_both(invoke, app_client, browser):
    code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE)
    tokens = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT).json()
    assert ping(invoke, tokens["access_token"]).status == 200
    assert mcp_list(invoke, tokens["access_token"]).status == 200
    introspected = token_request(
        invoke,
        {"token": tokens["access_token"]},
        basic(app_client["client_id"], app_client["client_secret"]),
        path="/v1/oauth/introspect",
    ).json()
    assert "aud" not in introspected


def test_code_exchange_resource_must_match_and_spends_the_code(invoke, app_client, browser):
    code, verifier, _ = authorize_code(
        browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE, resource=MCP
    )
    wrong = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT, resource=ISSUER)
    assert_oauth_error(wrong, 400, "invalid_target")
    spent = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT, resource=MCP)
    assert_oauth_error(spent, 400, "invalid_grant")
    code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE)
    other = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT, resource="https://x.test")
    assert_oauth_error(other, 400, "invalid_target")


def test_authorize_redirects_invalid_target(invoke, app_client, browser):
    params, _ = authorize_params(
        app_client["client_id"], CONFIDENTIAL_REDIRECT, scope=SCOPE, resource="https://elsewhere.test/mcp"
    )
    response = browser.get(params)
    assert response.status == 302
    found = location_params(response)
    assert found["error"] == "invalid_target" and found["iss"] == ISSUER
