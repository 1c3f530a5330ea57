"""The OpenAPI examples of a contract model, declared once per model."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict


def examples(*values: Any) -> ConfigDict:
    """A model's `model_config` carrying `values` as its schema's `examples`."""
    return ConfigDict(json_schema_extra={"examples": list(values)})
