"""End to end through the handlers: authorize → token → bearer call → refresh → revoke."""

from __future__ import annotations

from tests.integration.oauth.flow import (
    CONFIDENTIAL_REDIRECT,
    Browser,
    authorize_code,
    basic,
    location_params,
    token_request,
)


def test_full_flow_confidential(invoke, app_client, browser: Browser):
    code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
    r = token_request(
        invoke,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CONFIDENTIAL_REDIRECT,
            "code_verifier": verifier,
        },
        basic(app_client["client_id"], app_client["client_secret"]),
    )
    assert r.status == 200, r.text
    body = r.json()
    assert body["scope"] == (
        "bookings:cancel bookings:create bookings:read bookings:reschedule bookings:update offline_access slots:read"
    )
    ping = invoke("meta", "GET", "/v1/_ping", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ping.status == 200, ping.text
    assert ping.json()["data"]["client_id"] == app_client["client_id"]
    del location_params
