"""Raw RFC bodies of the OAuth JSON endpoints (00-conventions §5.4) and their form-body rules.

`/v1/oauth/token`, `/revoke`, `/introspect` and `/register` answer errors as
`{"error", "error_description"}` instead of the envelope. `OAuthProblem` carries such an error
and `render_oauth_problem` is the one place that renders it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.domain.json_text import without_repeats
from fortytwo.domain.oauth.models import OAuthProblem, invalid_request
from fortytwo.http.body import MAX_BODY_BYTES
from fortytwo.http.responses import json_response

NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


__all__ = ["OAuthProblem", "invalid_request"]  # raised by services/oauth.py too, so declared in domain


def pragma_for(path: str) -> bool:
    """`Pragma: no-cache` on token, introspect and register (00-conventions §4.3), not on revoke."""
    return not path.endswith("/revoke")


def render_oauth_problem(problem: OAuthProblem, *, pragma: bool = True) -> Response:
    headers = {**(NO_STORE_NO_CACHE if pragma else NO_STORE), **problem.headers}
    return json_response(problem.error.body(), problem.error.status, headers)


def raw_json(body: object, status: int = 200, *, pragma: bool = True) -> Response:
    return json_response(body, status, dict(NO_STORE_NO_CACHE if pragma else NO_STORE))


def is_form_media_type(content_type: str | None) -> bool:
    """`application/x-www-form-urlencoded`, any case; parameters are allowed and the body is read as UTF-8."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == FORM_MEDIA_TYPE


def parse_form(body: bytes) -> list[tuple[str, str]] | None:
    """Name/value pairs in order (`+` is a space), or None when the body is not valid UTF-8."""
    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None


async def read_form(request: Request) -> dict[str, str]:
    """Size, media type, parse, then no repeated parameter (§6.8.2 steps 1–3); raw OAuth errors."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise invalid_request(f"The request body must be at most {MAX_BODY_BYTES} bytes.", 413)
    if not is_form_media_type(request.headers.get("content-type")):
        raise invalid_request(f"The request body must be {FORM_MEDIA_TYPE}.")
    pairs = parse_form(body)
    if pairs is None:
        raise invalid_request("The request body is not valid form data.")
    return without_repeats(pairs, lambda name: invalid_request(f"The {name} parameter must not be repeated."))
