"""`GET /v1/_ping` and `GET /v1/me` (10-auth §8)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fortytwo.contract.examples import examples
from fortytwo.contract.types import ContractModel, Email, Uuid, omitted


class Ping(ContractModel):
    model_config = examples(
        {
            "ok": True,
            "auth_type": "pat",
            "account_id": "019daa55-2500-79de-b384-95d253bafe93",
            "scopes": ["bookings:read", "slots:read"],
        }
    )

    ok: Literal[True]
    auth_type: Literal["pat", "oauth"]
    account_id: Uuid
    scopes: list[str] = Field(description="The credential's scopes, sorted.")
    client_id: str = omitted("OAuth only; absent for PATs.")


class MeUser(ContractModel):
    id: Uuid
    username: str | None
    email: Email
    name: str | None
    first_name: str | None
    last_name: str | None
    timezone: str | None
    locale: str | None
    avatar_url: str | None


class MeOrganization(ContractModel):
    id: Uuid
    name: str
    plan: str | None


class Me(ContractModel):
    user: MeUser
    organization: MeOrganization | None
