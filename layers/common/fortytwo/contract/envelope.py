"""The success envelope, pagination meta and the error envelopes (00-conventions §4.1, §5.1, §5.4)."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field

from fortytwo.contract.types import ContractModel

T = TypeVar("T")

REQUEST_ID_PATTERN = r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$"
RequestId = Annotated[
    str,
    Field(
        pattern=REQUEST_ID_PATTERN,
        description="Equals the X-Request-Id header.",
        examples=["req_01KS2D7V80EMGAH46PXVB0K3MN"],
    ),
]


class Meta(ContractModel):
    request_id: RequestId


class PageMeta(Meta):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    has_more: bool


class Envelope(ContractModel, Generic[T]):
    """`{"data": …, "meta": {"request_id": …}}`: every success on `/v1/*` outside `/v1/oauth/*`."""

    data: T
    meta: Meta


class Page(ContractModel, Generic[T]):
    """A paginated list (§8)."""

    data: list[T]
    meta: PageMeta


class ErrorBody(ContractModel):
    code: str = Field(
        description="Stable snake_case identifier (00-conventions §5.2); new codes may appear, handle "
        "them by status class."
    )
    message: str = Field(description="For humans; may change.")
    details: dict[str, Any] = Field(description="Always present; `{}` when there is nothing to add.")
    request_id: RequestId


class Error(ContractModel):
    """Every error on `/v1/*` (outside the OAuth bodies) and `/.well-known/*`. Not wrapped in `data`."""

    error: ErrorBody


class OAuthError(ContractModel):
    """RFC 6749 error body of the OAuth endpoints: no envelope, no `request_id` member."""

    error: str
    error_description: str
