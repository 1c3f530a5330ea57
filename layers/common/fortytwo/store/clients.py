"""AWS SDK clients, made on first use.

boto3 and `botocore.config` are imported here, inside the factory, not at module level: together
they are about a third of a function's cold import, and a function builds only the clients its
request path uses (the webhook functions never build SSM's, /openapi.json builds none).
"""

from __future__ import annotations

from typing import Any


def new_client(
    service: str, *, max_attempts: int = 3, connect_timeout: float = 2, read_timeout: float = 5
) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return boto3.client(service, config=config)  # type: ignore[call-overload]  # a runtime service name
