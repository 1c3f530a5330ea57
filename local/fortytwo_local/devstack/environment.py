"""The functions' environment: the template's variables, resolved against the emulator, plus the
local overrides (endpoint, fake credentials, loopback base URLs, the `dev` flags)."""

from __future__ import annotations

from dataclasses import dataclass

from fortytwo_local.devstack.emulator import FAKE_CREDENTIALS
from fortytwo_local.devstack.template import FunctionDef, Resolver, Template

DEFAULT_RETRY_SCHEDULE = "0,60,300,1800,7200,43200"


@dataclass(frozen=True)
class LocalSettings:
    base_url: str
    endpoint_url: str
    region: str
    allow_insecure_webhooks: bool
    webhook_retry_schedule: str | None
    rate_limits: str | None


def local_overrides(settings: LocalSettings) -> dict[str, str]:
    overrides = {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_REGION": settings.region,
        **FAKE_CREDENTIALS,
        "FORTYTWO_PUBLIC_BASE_URL": settings.base_url,
        "FORTYTWO_BOOKING_PAGE_BASE_URL": settings.base_url,
        "FORTYTWO_OAUTH_DCR_ENABLED": "true",
        "FORTYTWO_ALLOW_INSECURE_WEBHOOKS": "true" if settings.allow_insecure_webhooks else "false",
        "FORTYTWO_WEBHOOK_RETRY_SCHEDULE": settings.webhook_retry_schedule or DEFAULT_RETRY_SCHEDULE,
        # X-Ray has no daemon here; Powertools would otherwise try to emit segments.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if settings.rate_limits is not None:
        overrides["FORTYTWO_RATE_LIMITS"] = settings.rate_limits
    return overrides


def template_variables(
    template: Template, resolver: Resolver, fn: FunctionDef | None = None
) -> dict[str, str]:
    """Globals' variables (fn None), or one function's (Globals merged, function wins)."""
    if fn is None:
        raw = dict(((template.globals_function.get("Environment") or {}).get("Variables")) or {})
        where = "Globals.Function.Environment.Variables"
    else:
        raw = fn.environment
        where = f"Resources.{fn.logical_id}.Properties.Environment.Variables"
    return {name: resolver.resolve_str(value, f"{where}.{name}") for name, value in raw.items()}


def process_environment(template: Template, resolver: Resolver, settings: LocalSettings) -> dict[str, str]:
    """What every function shares, set process-wide before any function module is imported."""
    return template_variables(template, resolver) | local_overrides(settings)


def function_environment(
    template: Template, resolver: Resolver, fn: FunctionDef, settings: LocalSettings
) -> dict[str, str]:
    return template_variables(template, resolver, fn) | local_overrides(settings)
