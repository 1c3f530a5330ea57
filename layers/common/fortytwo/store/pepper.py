"""The token pepper: an SSM SecureString read once per cold start and cached."""

from __future__ import annotations

from functools import lru_cache

from fortytwo.config import ConfigError, get_settings
from fortytwo.store.clients import new_client


@lru_cache(maxsize=1)
def get_pepper() -> bytes:
    name = get_settings().pepper_param
    response = new_client("ssm").get_parameter(Name=name, WithDecryption=True)
    raw = response["Parameter"]["Value"].strip()
    try:
        pepper = bytes.fromhex(raw)
    except ValueError:
        pepper = raw.encode()
    if len(pepper) < 32:
        raise ConfigError("FORTYTWO_PEPPER_PARAM", "names a parameter holding fewer than 32 bytes")
    return pepper


def reset_pepper() -> None:
    get_pepper.cache_clear()
