"""Client registration: admin creation and dynamic registration checks in order (10-auth §6.2, §6.12)."""

from __future__ import annotations

import json

import pytest
from oauth_unit_helpers import NOW, PEPPER

from fortytwo.domain.json_text import is_json_media_type
from fortytwo.domain.oauth.artifacts import CLIENT_ID_RE, CLIENT_SECRET_RE, hash_secret
from fortytwo.domain.oauth.clients import (
    ClientInputError,
    RegistrationMetadata,
    create_admin_client,
    register_client,
    registration_response,
    validate_registration,
)
from fortytwo.domain.oauth.models import OAuthError

JSON = "application/json"


def reg(doc, content_type=JSON):
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return validate_registration(body, content_type)


def err(result, error, status=400, description=None):
    assert isinstance(result, OAuthError), result
    assert (result.error, result.status) == (error, status)
    if description is not None:
        assert result.description == description


class TestDynamicRegistration:
    def test_minimal_defaults(self):
        meta = reg({"redirect_uris": ["https://app.example.com:8443/cb"]})
        assert meta == RegistrationMetadata(
            ["https://app.example.com:8443/cb"],
            "client_secret_basic",
            ("authorization_code", "refresh_token"),
            "app.example.com",
        )

    def test_spec_example_public(self):
        meta = reg(
            {
                "client_name": "Desk Scheduler",
                "redirect_uris": ["http://127.0.0.1/callback"],
                "token_endpoint_auth_method": "none",
            }
        )
        client, secret = register_client(meta, pepper=PEPPER, now=NOW)
        assert secret is None
        assert client.client_type == "public" and client.secret_hash is None
        assert client.organization_id is None and client.registered_via == "dcr"
        assert CLIENT_ID_RE.match(client.client_id)
        assert registration_response(client, secret) == {
            "client_id": client.client_id,
            "client_id_issued_at": int(NOW.timestamp()),
            "client_name": "Desk Scheduler",
            "redirect_uris": ["http://127.0.0.1/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }

    @pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
    def test_confidential(self, method):
        meta = reg({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": method})
        client, secret = register_client(meta, pepper=PEPPER, now=NOW)
        assert CLIENT_SECRET_RE.match(secret)
        assert client.client_type == "confidential"
        assert client.token_endpoint_auth_method == method
        assert client.secret_hash == hash_secret(PEPPER, secret)
        body = registration_response(client, secret)
        assert body["client_secret"] == secret and body["client_secret_expires_at"] == 0

    def test_unknown_fields_ignored(self):
        meta = reg({"redirect_uris": ["https://a.example/cb"], "logo_uri": "x", "scope": "nope", "jwks": {}})
        assert isinstance(meta, RegistrationMetadata)

    def test_grant_types_subset_normalised(self):
        meta = reg({"redirect_uris": ["https://a.example/cb"], "grant_types": ["authorization_code"]})
        assert meta.grant_types == ("authorization_code",)
        meta = reg(
            {
                "redirect_uris": ["https://a.example/cb"],
                "grant_types": ["refresh_token", "authorization_code"],
            }
        )
        assert meta.grant_types == ("authorization_code", "refresh_token")

    def test_client_name_trimmed(self):
        assert (
            reg({"redirect_uris": ["https://a.example/cb"], "client_name": "  Desk  "}).client_name == "Desk"
        )
        name = "é" * 100  # code points, not bytes
        assert reg({"redirect_uris": ["https://a.example/cb"], "client_name": name}).client_name == name

    def test_null_optional_members_use_defaults(self):
        meta = reg(
            {
                "redirect_uris": ["https://a.example/cb"],
                "token_endpoint_auth_method": None,
                "grant_types": None,
                "response_types": None,
                "client_name": None,
            }
        )
        assert meta.token_endpoint_auth_method == "client_secret_basic"
        assert meta.client_name == "a.example"

    def test_1_too_large(self):
        body = json.dumps({"redirect_uris": ["https://a.example/cb"], "pad": "x" * 65536}).encode()
        err(validate_registration(body, "text/plain"), "invalid_request", 413)

    def test_exactly_64k_is_fine(self):
        doc = {"redirect_uris": ["https://a.example/cb"], "pad": ""}
        size = len(json.dumps(doc).encode())
        doc["pad"] = "x" * (65536 - size)
        body = json.dumps(doc).encode()
        assert len(body) == 65536
        assert isinstance(validate_registration(body, JSON), RegistrationMetadata)

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            (b'{"redirect_uris":["https://a.example/cb"]}', None),
            (b'{"redirect_uris":["https://a.example/cb"]}', "text/plain"),
            (b'{"redirect_uris":["https://a.example/cb"]}', "application/x-www-form-urlencoded"),
            (b'{"redirect_uris":["https://a.example/cb"]}', "application/json; charset=latin1"),
            (b'{"redirect_uris":["https://a.example/cb"]}', "application/jsonx"),
            (b"", JSON),
            (b"not json", JSON),
            (b"[]", JSON),
            (b'"x"', JSON),
            (b"\xef\xbb\xbf{}", JSON),
            (b'{"a":1,"a":2}', JSON),
            (b'{"a":NaN}', JSON),
            (b'{"a":"\xff"}', JSON),
        ],
    )
    def test_2_media_type_and_json(self, body, content_type):
        err(validate_registration(body, content_type), "invalid_client_metadata")

    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "Application/JSON", "application/json; charset=UTF-8", "application/json;x=y"],
    )
    def test_media_types_accepted(self, content_type):
        assert is_json_media_type(content_type)

    def test_register_and_the_api_read_a_charset_alike(self):
        """One rule (00-conventions §3.2): `utf8` is not `utf-8`, here as on every JSON endpoint."""
        assert not is_json_media_type("application/json; charset=utf8")

    @pytest.mark.parametrize(
        ("uris", "description"),
        [
            (None, "redirect_uris must be an array of 1 to 10 URIs."),
            ("https://a.example/cb", "redirect_uris must be an array of 1 to 10 URIs."),
            ([], "redirect_uris must contain at least one URI."),
            ([f"https://a.example/{i}" for i in range(11)], "redirect_uris must contain at most 10 URIs."),
            (
                ["http://a.example/cb"],
                "redirect_uris[0] must use https, or http on 127.0.0.1, [::1] or localhost.",
            ),
            (
                ["myapp://cb"],
                "redirect_uris[0] must use https, http on a loopback host, or (public clients only) "
                "a private-use scheme.",
            ),
            (["https://a.example/cb", "https://a.example/cb"], "redirect_uris[1] is a duplicate."),
            (["https://a.example/cb#x"], "redirect_uris[0] must not contain a fragment."),
            ([7], "redirect_uris[0] must be a string."),
        ],
    )
    def test_3_redirect_uris(self, uris, description):
        doc = {} if uris is None else {"redirect_uris": uris}
        err(reg(doc), "invalid_redirect_uri", description=description)

    @pytest.mark.parametrize("value", ["private_key_jwt", "client_secret_jwt", "", "NONE", 1, []])
    def test_4_auth_method(self, value):
        err(
            reg({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": value}),
            "invalid_client_metadata",
        )

    @pytest.mark.parametrize(
        "value",
        [
            [],
            ["refresh_token"],
            ["implicit"],
            ["authorization_code", "client_credentials"],
            "authorization_code",
            {},
        ],
    )
    def test_5_grant_types(self, value):
        err(reg({"redirect_uris": ["https://a.example/cb"], "grant_types": value}), "invalid_client_metadata")

    @pytest.mark.parametrize("value", [[], ["token"], ["code", "token"], "code", ["code", "code"]])
    def test_6_response_types(self, value):
        err(
            reg({"redirect_uris": ["https://a.example/cb"], "response_types": value}),
            "invalid_client_metadata",
        )

    @pytest.mark.parametrize("value", ["", "   ", "x" * 101, 5, ["Desk"]])
    def test_7_client_name(self, value):
        err(reg({"redirect_uris": ["https://a.example/cb"], "client_name": value}), "invalid_client_metadata")

    def test_order(self):
        everything_wrong = {
            "redirect_uris": ["http://a.example/"],
            "token_endpoint_auth_method": "bad",
            "grant_types": ["bad"],
            "response_types": ["bad"],
            "client_name": "",
        }
        err(reg(everything_wrong), "invalid_redirect_uri")
        everything_wrong["redirect_uris"] = ["https://a.example/cb"]
        result = reg(everything_wrong)
        assert "token_endpoint_auth_method" in result.description
        everything_wrong["token_endpoint_auth_method"] = "none"
        assert "grant_types" in reg(everything_wrong).description
        everything_wrong["grant_types"] = ["authorization_code"]
        assert "response_types" in reg(everything_wrong).description
        everything_wrong["response_types"] = ["code"]
        assert "client_name" in reg(everything_wrong).description
        err(
            validate_registration(json.dumps(everything_wrong).encode(), "text/plain"),
            "invalid_client_metadata",
        )


class TestAdminClient:
    def test_confidential(self):
        client, secret = create_admin_client(
            organization_id="org",
            name=" Example app ",
            client_type="confidential",
            redirect_uris=["https://app.example.com/callback", "http://127.0.0.1/callback"],
            pepper=PEPPER,
            now=NOW,
        )
        assert CLIENT_SECRET_RE.match(secret)
        view = client.public_view(secret)
        assert list(view) == [
            "client_id",
            "client_secret",
            "client_name",
            "client_type",
            "token_endpoint_auth_method",
            "redirect_uris",
            "grant_types",
            "response_types",
            "organization_id",
            "registered_via",
            "created_at",
        ]
        assert view["client_name"] == "Example app"
        assert view["token_endpoint_auth_method"] == "client_secret_basic"
        assert view["grant_types"] == ["authorization_code", "refresh_token"]
        assert view["registered_via"] == "admin" and view["organization_id"] == "org"
        assert view["created_at"] == "2026-05-20T10:00:00.000Z"

    def test_public(self):
        client, secret = create_admin_client(
            organization_id="org",
            name="CLI",
            client_type="public",
            redirect_uris=["http://[::1]/cb"],
            pepper=PEPPER,
            now=NOW,
        )
        assert secret is None and client.token_endpoint_auth_method == "none"
        assert "client_secret" not in client.public_view()

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"name": ""}, "name must be 1 to 100 characters."),
            ({"client_type": "secret"}, "type must be confidential or public."),
            ({"redirect_uris": []}, "redirect_uri must contain at least one URI."),
            (
                {"redirect_uris": ["http://a.example/"]},
                "redirect_uri[0] must use https, or http on 127.0.0.1, [::1] or localhost.",
            ),
        ],
    )
    def test_errors(self, kwargs, message):
        args = {
            "organization_id": "org",
            "name": "App",
            "client_type": "public",
            "redirect_uris": ["https://a.example/cb"],
            "pepper": PEPPER,
            "now": NOW,
        }
        args.update(kwargs)
        with pytest.raises(ClientInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
            create_admin_client(**args)


def test_cursor_registers_its_three_redirect_uris_as_a_public_client():
    """50-mcp §4.6: the registration Cursor sends succeeds whole."""
    uris = [
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://www.cursor.com/agents/mcp/oauth/callback",
        "http://localhost:8787/callback",
    ]
    meta = reg({"redirect_uris": uris, "token_endpoint_auth_method": "none"})
    assert not isinstance(meta, OAuthError) and meta.redirect_uris == uris
    confidential = reg({"redirect_uris": uris})
    assert isinstance(confidential, OAuthError) and confidential.error == "invalid_redirect_uri"
