"""Path parameters, read from the matched route.

Handlers take `request` and read their path parameters here instead of declaring `uid: str`: a
declared parameter costs FastAPI a pydantic field per route at import (and its pydantic.v1 check,
~30 ms of a cold start) to validate a string it can never reject.
"""

from __future__ import annotations

from starlette.requests import Request


def path_param(request: Request, name: str) -> str:
    """The percent-decoded segment the route matched as `{name}`."""
    return str(request.path_params[name])


def path_uid(request: Request, name: str = "uid") -> str:
    """A resource id from the path, lower-cased: ids compare case-insensitively, and a non-UUID
    keeps its text (the resource is then not found, never a 400)."""
    return path_param(request, name).lower()
