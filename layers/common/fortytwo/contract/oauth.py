"""The OAuth JSON and form bodies (10-auth §6–§7): raw RFC documents, never wrapped in an envelope."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fortytwo.contract.examples import examples
from fortytwo.contract.types import ContractModel, Url, Uuid, omitted

GrantType = Literal["authorization_code", "refresh_token"]
AuthMethod = Literal["none", "client_secret_basic", "client_secret_post"]


class TokenRequest(ContractModel):
    grant_type: GrantType
    code: str | None = Field(
        default=None, description="authorization_code: the `42min_ac_…` code (60 s, single use)."
    )
    redirect_uri: str | None = Field(
        default=None, description="authorization_code: exactly the one of the authorization request."
    )
    code_verifier: str | None = Field(
        default=None,
        pattern="^[A-Za-z0-9._~-]{43,128}$",
        description="authorization_code: the PKCE verifier (S256).",
    )
    refresh_token: str | None = Field(
        default=None, description="refresh_token: the `42min_rt_…` token (rotated on every use)."
    )
    scope: str | None = Field(
        default=None, description="refresh_token: optional narrower space-separated scopes."
    )
    resource: str | None = Field(
        default=None,
        description="(50-mcp §4.5) RFC 8707: `{issuer}` or `{issuer}/mcp`; must agree with the grant's "
        "audience, else `invalid_target`.",
    )
    client_id: str | None = Field(default=None, description="With `client_secret_post` or public clients.")
    client_secret: str | None = Field(
        default=None, description="`client_secret_post`; never with a Basic header."
    )


class TokenResponse(ContractModel):
    model_config = examples(
        {
            "access_token": "42min_at_lwbckXwThGNDci_qn3Uo9PV2QpZsqFwzaleEwJTgPhQ",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "42min_rt_Rh8eLef1tlemmOq7fyxAaE65V0lyii6JzUFJqI4kXh4",
            "scope": "bookings:read offline_access slots:read",
        }
    )

    access_token: str = Field(description="`42min_at_…`, one hour.")
    token_type: Literal["Bearer"]
    expires_in: Literal[3600]
    refresh_token: str = omitted("`42min_rt_…`; only with `offline_access`.")
    scope: str = Field(description="Space-separated, expanded, sorted.")


class TokenTypeHintRequest(ContractModel):
    token: str
    token_type_hint: str | None = Field(
        default=None, description="`access_token` or `refresh_token`; only orders the lookups."
    )
    client_id: str | None = None
    client_secret: str | None = None


class IntrospectionResponse(ContractModel):
    """Exactly `{"active": false}` for anything that is not a live token of the calling client."""

    active: bool
    scope: str = omitted()
    client_id: str = omitted()
    username: str = omitted()
    sub: Uuid = omitted()
    token_type: Literal["Bearer", "refresh_token"] = omitted()
    exp: int = omitted()
    iat: int = omitted()
    iss: Url = omitted()
    aud: Url = omitted("(50-mcp §4.5) The grant's audience, when it has one.")


class ClientRegistrationRequest(ContractModel):
    model_config = examples(
        {
            "client_name": "Desk Scheduler",
            "redirect_uris": ["http://127.0.0.1/callback"],
            "token_endpoint_auth_method": "none",
        }
    )

    redirect_uris: list[Url] = Field(min_length=1, max_length=10, json_schema_extra={"uniqueItems": True})
    token_endpoint_auth_method: AuthMethod = "client_secret_basic"
    grant_types: list[GrantType] | None = Field(default=None, min_length=1)
    response_types: list[Literal["code"]] | None = None
    client_name: str | None = Field(default=None, min_length=1, max_length=100)


class ClientRegistrationResponse(ContractModel):
    client_id: str
    client_id_issued_at: int
    client_secret: str = omitted("Confidential clients only, shown once.")
    client_secret_expires_at: Literal[0] = omitted("Confidential clients only.")
    client_name: str
    redirect_uris: list[str]
    grant_types: list[str]
    response_types: list[str]
    token_endpoint_auth_method: str


class AuthorizeForm(ContractModel):
    """What the sign-in and consent pages post back (with the authorization parameters as hidden fields)."""

    action: Literal["sign_in", "approve", "deny", "switch_account"]
    csrf_token: str
    email: str | None = Field(default=None, json_schema_extra={"format": "email"})
    password: str | None = Field(default=None, json_schema_extra={"format": "password"})
    response_type: str | None = None
    client_id: str | None = None
    redirect_uri: str | None = None
    scope: str | None = None
    state: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


class AuthorizationServerMetadata(ContractModel):
    issuer: Url
    authorization_endpoint: Url
    token_endpoint: Url
    revocation_endpoint: Url
    introspection_endpoint: Url
    registration_endpoint: Url = omitted("Only while dynamic client registration is enabled.")
    response_types_supported: list[str]
    grant_types_supported: list[str]
    code_challenge_methods_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    scopes_supported: list[str]
    authorization_response_iss_parameter_supported: bool = Field(
        description="RFC 9207: every authorization response carries `iss` (50-mcp §8)."
    )


class ProtectedResourceMetadata(ContractModel):
    resource: Url
    authorization_servers: list[Url]
    scopes_supported: list[str]
    bearer_methods_supported: list[str]
    resource_documentation: Url


class McpProtectedResourceMetadata(ContractModel):
    """The MCP server's RFC 9728 document (50-mcp §4.4)."""

    resource: Url = Field(description="`{issuer}/mcp`: the audience of MCP tokens (RFC 8707).")
    authorization_servers: list[Url]
    scopes_supported: list[str] = Field(description="The MCP scope aliases.")
    bearer_methods_supported: list[str]
    resource_name: str
    resource_documentation: Url
