"""Which DynamoDB the CLI talks to: a running local stack (dev.json), explicit flags, or AWS."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

LOCAL_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class BackendError(RuntimeError):
    """No backend could be found (no local stack running and no AWS table configured)."""


@dataclass(frozen=True)
class Backend:
    table_name: str
    endpoint_url: str | None
    pepper_param: str
    base_url: str
    booking_page_base_url: str = ""

    def __post_init__(self) -> None:
        if not self.booking_page_base_url:
            object.__setattr__(self, "booking_page_base_url", self.base_url)

    @classmethod
    def from_env(cls) -> Backend:
        """The backend the current environment already points at (the local stack sets it up)."""
        table = os.environ.get("FORTYTWO_TABLE_NAME", "")
        if not table:
            raise BackendError(
                "no backend: start `42min dev`, or set FORTYTWO_TABLE_NAME / --endpoint --table"
            )
        return cls(
            table_name=table,
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
            pepper_param=os.environ.get("FORTYTWO_PEPPER_PARAM", "/42min/prod/pepper"),
            base_url=os.environ.get("FORTYTWO_PUBLIC_BASE_URL", "https://api.42min.us"),
            booking_page_base_url=os.environ.get("FORTYTWO_BOOKING_PAGE_BASE_URL", ""),
        )

    @classmethod
    def resolve(cls, data_dir: str, endpoint: str | None, table: str | None) -> Backend:
        if endpoint or table:
            if not (endpoint and table):
                raise BackendError("--endpoint and --table go together")
            for key, value in LOCAL_DEFAULTS.items():
                os.environ.setdefault(key, value)
            return cls(
                table,
                endpoint,
                os.environ.get("FORTYTWO_PEPPER_PARAM", "/42min/prod/pepper"),
                os.environ.get("FORTYTWO_PUBLIC_BASE_URL", "http://127.0.0.1:8042"),
                os.environ.get("FORTYTWO_BOOKING_PAGE_BASE_URL", ""),
            )
        dev_file = Path(data_dir) / "dev.json"
        if dev_file.exists():
            info = json.loads(dev_file.read_text())
            for key, value in LOCAL_DEFAULTS.items():
                os.environ[key] = value
            insecure = bool(info.get("allow_insecure_webhooks"))
            os.environ["FORTYTWO_ALLOW_INSECURE_WEBHOOKS"] = "true" if insecure else "false"
            if info.get("delivery_queue_url"):
                os.environ["FORTYTWO_DELIVERY_QUEUE_URL"] = info["delivery_queue_url"]
            return cls(info["table_name"], info["endpoint_url"], info["pepper_param"], info["base_url"])
        return cls.from_env()

    def activate(self) -> None:
        """Point the shared layer's store at this backend (its URLs win over inherited ones)."""
        os.environ["FORTYTWO_TABLE_NAME"] = self.table_name
        os.environ["FORTYTWO_PEPPER_PARAM"] = self.pepper_param
        os.environ["FORTYTWO_PUBLIC_BASE_URL"] = self.base_url
        os.environ["FORTYTWO_BOOKING_PAGE_BASE_URL"] = self.booking_page_base_url
        if self.endpoint_url:
            os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        from fortytwo.services.runtime import reset_caches

        reset_caches()
