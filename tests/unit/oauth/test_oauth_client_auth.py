"""Client authentication at token / revoke / introspect (10-auth §6.8.1): the full matrix, in order."""

from __future__ import annotations

import base64

import pytest
from oauth_unit_helpers import CLIENT_ID, PEPPER, PUBLIC_ID, SECRET

from fortytwo.domain.oauth.client_auth import (
    AuthenticatedClient,
    ClientAuthFailure,
    authenticate_client,
    basic_header,
    decode_basic,
)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def run(lookup, authorization=None, *, confidential_only=False, **form):
    return authenticate_client(authorization, form, lookup, PEPPER, confidential_only=confidential_only)


def ok(result, client_id, method):
    assert isinstance(result, AuthenticatedClient), result
    assert result.client.client_id == client_id
    assert result.method == method


def fails(result, error="invalid_client", status=401, challenge=None):
    assert isinstance(result, ClientAuthFailure), result
    assert (result.error.error, result.error.status) == (error, status)
    if challenge is True:
        assert result.headers == {"WWW-Authenticate": 'Basic realm="42min"'}
    elif challenge is False:
        assert result.headers == {}
    return result


class TestSuccess:
    def test_confidential_basic(self, lookup):
        ok(run(lookup, basic(CLIENT_ID, SECRET)), CLIENT_ID, "client_secret_basic")

    def test_confidential_post(self, lookup):
        ok(run(lookup, client_id=CLIENT_ID, client_secret=SECRET), CLIENT_ID, "client_secret_post")

    def test_basic_with_matching_client_id_field(self, lookup):
        ok(run(lookup, basic(CLIENT_ID, SECRET), client_id=CLIENT_ID), CLIENT_ID, "client_secret_basic")

    def test_public_none(self, lookup):
        ok(run(lookup, client_id=PUBLIC_ID), PUBLIC_ID, "none")

    def test_basic_parts_are_form_urldecoded(self, lookup):
        encoded = basic(CLIENT_ID.replace("_", "%5F"), SECRET.replace("_", "%5F"))
        ok(run(lookup, encoded), CLIENT_ID, "client_secret_basic")

    def test_scheme_case_insensitive_and_spaces(self, lookup):
        header = "  bAsIc   " + basic(CLIENT_ID, SECRET).split(" ", 1)[1] + " "
        ok(run(lookup, header), CLIENT_ID, "client_secret_basic")

    def test_unpadded_base64_accepted(self, lookup):
        header = basic(CLIENT_ID, SECRET).rstrip("=")
        ok(run(lookup, header), CLIENT_ID, "client_secret_basic")

    @pytest.mark.parametrize("header", ["Bearer abc", "Digest x", "Negotiate", ""])
    def test_other_schemes_ignored(self, lookup, header):
        ok(run(lookup, header, client_id=PUBLIC_ID), PUBLIC_ID, "none")
        ok(run(lookup, header, client_id=CLIENT_ID, client_secret=SECRET), CLIENT_ID, "client_secret_post")

    def test_introspection_confidential(self, lookup):
        ok(run(lookup, basic(CLIENT_ID, SECRET), confidential_only=True), CLIENT_ID, "client_secret_basic")
        ok(
            run(lookup, client_id=CLIENT_ID, client_secret=SECRET, confidential_only=True),
            CLIENT_ID,
            "client_secret_post",
        )

    def test_public_client_basic_with_empty_password_is_none(self, lookup):
        ok(run(lookup, basic(PUBLIC_ID, "")), PUBLIC_ID, "none")


class TestChecksInOrder:
    def test_1_two_methods(self, lookup):
        result = fails(run(lookup, basic(CLIENT_ID, SECRET), client_secret=SECRET), "invalid_request", 400)
        assert result.headers == {}  # 400, no challenge

    def test_1_wins_over_malformed_basic(self, lookup):
        fails(run(lookup, "Basic !!!", client_secret=SECRET), "invalid_request", 400)

    @pytest.mark.parametrize(
        "header",
        [
            "Basic",
            "Basic ",
            "Basic !!!notbase64",
            "Basic " + base64.b64encode(b"no-colon").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
            "Basic a",
        ],
    )
    def test_2_malformed_basic(self, lookup, header):
        fails(run(lookup, header, client_id=PUBLIC_ID), challenge=True)

    def test_3_no_identity(self, lookup):
        fails(run(lookup), challenge=False)
        fails(run(lookup, client_secret=SECRET), challenge=False)
        fails(run(lookup, client_id="", client_secret=SECRET), challenge=False)

    def test_3_empty_basic_user_and_no_field(self, lookup):
        fails(run(lookup, basic("", SECRET)), challenge=True)

    def test_3_basic_user_and_field_differ(self, lookup):
        fails(run(lookup, basic(CLIENT_ID, SECRET), client_id=PUBLIC_ID), challenge=True)

    @pytest.mark.parametrize("cid", ["42min_01KR8N8N804DGCA9ZJ80BF7N5Z", "unknown", "42min_pat_x"])
    def test_4_unknown_client(self, lookup, cid):
        fails(run(lookup, client_id=cid, client_secret=SECRET), challenge=False)
        fails(run(lookup, basic(cid, SECRET)), challenge=True)

    def test_5_confidential_without_secret(self, lookup):
        fails(run(lookup, client_id=CLIENT_ID), challenge=False)
        fails(run(lookup, basic(CLIENT_ID, "")), challenge=True)
        fails(run(lookup, client_id=CLIENT_ID, client_secret=""), challenge=False)

    def test_5_wrong_secret(self, lookup):
        fails(run(lookup, client_id=CLIENT_ID, client_secret=SECRET[:-1] + "X"), challenge=False)
        fails(run(lookup, basic(CLIENT_ID, "wrong")), challenge=True)

    def test_6_public_sending_a_secret(self, lookup):
        fails(run(lookup, client_id=PUBLIC_ID, client_secret="anything"), challenge=False)
        fails(run(lookup, basic(PUBLIC_ID, "anything")), challenge=True)

    def test_7_introspection_rejects_public(self, lookup):
        result = fails(run(lookup, client_id=PUBLIC_ID, confidential_only=True), challenge=False)
        assert "confidential" in result.error.description

    def test_error_body(self, lookup):
        result = fails(run(lookup, client_id=CLIENT_ID, client_secret="bad"))
        assert result.error.body() == {
            "error": "invalid_client",
            "error_description": "Client authentication failed.",
        }


def test_basic_header_parsing():
    assert basic_header(None) is None
    assert basic_header("Bearer x") is None
    assert basic_header("Basic") == ""
    assert basic_header("basic  abc ") == "abc"
    assert decode_basic("") is None
    creds = decode_basic(base64.b64encode(b"a%3Ab:c:d").decode())
    assert creds is not None and (creds.client_id, creds.client_secret) == ("a:b", "c:d")
