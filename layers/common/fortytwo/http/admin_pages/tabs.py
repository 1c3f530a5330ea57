"""The three tabs of Admin Center → API (55-admin-center §3–§5) as HTML fragments."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import quote

from fortytwo.domain.oauth.models import OAuthClient
from fortytwo.domain.pats import EXPIRY_CHOICES, PAT_PREFIX, Pat
from fortytwo.domain.scopes import ALIASES, KNOWN_SCOPES
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.delivery_state import LoggedAttempt
from fortytwo.domain.webhooks.subscription import Subscription
from fortytwo.http.admin_pages.layout import field_error, hidden, post_form, table


def _ts(value: datetime | None, empty: str = "—") -> str:
    return escape(format_ts(value)) if value is not None else empty


def _confirm(action: str, csrf: str, question: str, label: str, cancel: str) -> str:
    """The confirmation step of a destructive action: a second, explicit form."""
    return (
        f'<div class="confirm" role="region" aria-labelledby="confirm-heading">'
        f'<h3 id="confirm-heading">{escape(question)}</h3>'
        f'<div class="actions">{post_form(action, csrf, label)}'
        f'<a class="button" href="{escape(cancel)}">Cancel</a></div></div>\n'
    )


# --- API keys (§3) ----------------------------------------------------------------------------


def _scope_groups() -> dict[str, list[tuple[str, str]]]:
    """Resource → [(scope, label)] in §5.1 order; aliases as "all of …" (offline_access is OAuth's)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, info in KNOWN_SCOPES.items():
        if info.kind == "refresh":
            continue
        label = info.wording or f"All of {', '.join(ALIASES.get(name, ()))}"
        groups.setdefault(name.split(":")[0], []).append((name, label))
    return groups


@dataclass(frozen=True, slots=True)
class PatForm:
    name: str = ""
    scopes: tuple[str, ...] = ()
    expiry: str = "90"
    errors: Mapping[str, str] = field(default_factory=dict)


def _pat_form(csrf: str, form: PatForm) -> str:
    name_error, name_aria = field_error(form.errors, "pat-name")
    scopes_error, scopes_aria = field_error(form.errors, "pat-scopes")
    expiry_error, expiry_aria = field_error(form.errors, "pat-expiry")
    groups = ""
    for resource, items in _scope_groups().items():
        boxes = "".join(
            f'<span><input type="checkbox" id="scope-{escape(s)}" name="scopes" value="{escape(s)}"'
            f'{" checked" if s in form.scopes else ""}><label for="scope-{escape(s)}">'
            f"<code>{escape(s)}</code> {escape(label)}</label></span> "
            for s, label in items
        )
        groups += f"<fieldset><legend>{escape(resource)}</legend>{boxes}</fieldset>"
    choices = [(str(d), f"{d} days") for d in EXPIRY_CHOICES] + [("never", "Never")]
    options = "".join(
        f'<option value="{v}"{" selected" if v == form.expiry else ""}>{escape(t)}</option>'
        for v, t in choices
    )
    return (
        '<h3 id="create-heading">Create an API key</h3>\n'
        '<form id="create-pat" method="post" action="/360/api/pats/create" aria-labelledby="create-heading">'
        f"{hidden('csrf_token', csrf)}"
        f'<label for="pat-name">Name</label>{name_error}'
        f'<input type="text" id="pat-name" name="name" maxlength="100" required value="{escape(form.name)}"'
        f"{name_aria}>"
        f'<div id="pat-scopes" role="group" aria-labelledby="pat-scopes-label"{scopes_aria}>'
        f'<p id="pat-scopes-label"><strong>Scopes</strong></p>{scopes_error}{groups}</div>'
        f'<label for="pat-expiry">Expiry</label>{expiry_error}'
        f'<select id="pat-expiry" name="expiry"{expiry_aria}>{options}</select>'
        '<div class="actions"><button type="submit">Create</button></div></form>\n'
    )


def api_keys(
    *, pats: Sequence[Pat], now: datetime, csrf: str, form: PatForm, confirm: tuple[str, Pat] | None
) -> str:
    rows = []
    for pat in pats:
        status = pat.status(now)
        actions = ""
        if status == "active":
            base = f"/360/api?tab=apiKeys&id={quote(pat.id)}"
            actions = (
                f'<a class="button" href="{escape(base)}&amp;confirm=regenerate">Regenerate</a> '
                f'<a class="button" href="{escape(base)}&amp;confirm=revoke">Revoke</a>'
            )
        rows.append(
            [
                escape(pat.name),
                f"<code>{escape(PAT_PREFIX)}…{escape(pat.last4)}</code>",
                " ".join(f"<code>{escape(s)}</code>" for s in pat.scopes),
                _ts(pat.created_at),
                _ts(pat.last_used_at, "never"),
                _ts(pat.expires_at, "never"),
                escape(status),
                actions,
            ]
        )
    head = ""
    if confirm is not None:
        action, pat = confirm
        question = (
            f"Regenerate “{pat.name}”? The current token stops working at once."
            if action == "regenerate"
            else f"Revoke “{pat.name}”? This cannot be undone."
        )
        head = _confirm(
            f"/360/api/pats/{quote(pat.id)}/{action}",
            csrf,
            question,
            action.capitalize(),
            "/360/api?tab=apiKeys",
        )
    headers = ["Name", "Token", "Scopes", "Created", "Last used", "Expires", "Status", "Actions"]
    return (
        head
        + table(headers, rows, "Your API keys, newest first", "You have no API keys yet.")
        + _pat_form(csrf, form)
    )


# --- OAuth apps (§4) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientForm:
    name: str = ""
    client_type: str = "confidential"
    redirect_uris: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)


def _register_form(csrf: str, form: ClientForm) -> str:
    name_error, name_aria = field_error(form.errors, "app-name")
    uris_error, uris_aria = field_error(form.errors, "app-redirect-uris")
    types = "".join(
        f'<input type="radio" id="app-type-{t}" name="type" value="{t}"'
        f"{' checked' if t == form.client_type else ''}>"
        f'<label for="app-type-{t}">{label}</label> '
        for t, label in (
            ("confidential", "Confidential (server-side, has a secret)"),
            ("public", "Public (PKCE only)"),
        )
    )
    return (
        '<h3 id="register-heading">Register an OAuth app</h3>\n'
        '<form id="register-app" method="post" action="/360/api/oauth-apps/register" '
        'aria-labelledby="register-heading">'
        f"{hidden('csrf_token', csrf)}"
        f'<label for="app-name">Name</label>{name_error}'
        f'<input type="text" id="app-name" name="name" maxlength="100" required value="{escape(form.name)}"'
        f"{name_aria}>"
        f"<fieldset><legend>Type</legend>{types}</fieldset>"
        f'<label for="app-redirect-uris">Redirect URIs (one per line)</label>{uris_error}'
        f'<textarea id="app-redirect-uris" name="redirect_uris" required{uris_aria}>'
        f"{escape(form.redirect_uris)}</textarea>"
        '<div class="actions"><button type="submit">Register</button></div></form>\n'
    )


def _edit_uris(client: OAuthClient, csrf: str, errors: Mapping[str, str], value: str | None) -> str:
    field_id = "edit-redirect-uris"
    error, aria = field_error(errors, field_id)
    text = value if value is not None else "\n".join(client.redirect_uris)
    return (
        f'<div class="confirm" role="region" aria-labelledby="edit-heading">'
        f'<h3 id="edit-heading">Redirect URIs of {escape(client.client_name)}</h3>'
        f'<form method="post" action="/360/api/oauth-apps/{quote(client.client_id)}/redirect-uris">'
        f"{hidden('csrf_token', csrf)}"
        f'<label for="{field_id}">Redirect URIs (one per line)</label>{error}'
        f'<textarea id="{field_id}" name="redirect_uris" required{aria}>{escape(text)}</textarea>'
        '<div class="actions"><button type="submit">Save redirect URIs</button>'
        '<a class="button" href="/360/api?tab=oauthApps">Cancel</a></div></form></div>\n'
    )


@dataclass(frozen=True, slots=True)
class ClientPanel:
    """An open panel of one app: `edit` (redirect URIs, with the submitted text on error) or `delete`."""

    action: str
    client: OAuthClient
    text: str | None = None


def oauth_apps(
    *, clients: Sequence[OAuthClient], csrf: str, form: ClientForm, panel: ClientPanel | None
) -> str:
    rows = []
    for c in clients:
        base = f"/360/api?tab=oauthApps&id={quote(c.client_id)}"
        actions = f'<a class="button" href="{escape(base)}&amp;panel=edit">Redirect URIs</a> '
        if c.is_confidential:
            actions += post_form(
                f"/360/api/oauth-apps/{quote(c.client_id)}/rotate-secret", csrf, "Rotate secret"
            )
            actions += " "
        actions += f'<a class="button" href="{escape(base)}&amp;panel=delete">Delete</a>'
        rows.append(
            [
                escape(c.client_name),
                f"<code>{escape(c.client_id)}</code>",
                escape(c.client_type),
                "<br>".join(f"<code>{escape(u)}</code>" for u in c.redirect_uris),
                _ts(c.created_at),
                escape(c.registered_via),
                actions,
            ]
        )
    head = ""
    if panel is not None and panel.action == "edit":
        head = _edit_uris(panel.client, csrf, form.errors, panel.text)
    elif panel is not None:
        head = _confirm(
            f"/360/api/oauth-apps/{quote(panel.client.client_id)}/delete",
            csrf,
            f"Delete “{panel.client.client_name}”? Every grant and token of the app is revoked.",
            "Delete",
            "/360/api?tab=oauthApps",
        )
    headers = ["Name", "Client ID", "Type", "Redirect URIs", "Created", "Registered by", "Actions"]
    register = _register_form(csrf, form if panel is None else ClientForm())
    return head + table(headers, rows, "OAuth apps of the organization", "No OAuth apps yet.") + register


# --- Webhooks (§5) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveriesView:
    subscription: Subscription
    rows: Sequence[LoggedAttempt]
    next_link: str | None


def _hook_actions(sub: Subscription, csrf: str) -> str:
    base = f"/360/api/webhooks/{quote(sub.id)}"
    toggle = ("resume", "Resume") if sub.status == "paused" else ("pause", "Pause")
    parts = [
        post_form(f"{base}/{toggle[0]}", csrf, toggle[1]),
        post_form(f"{base}/rotate-secret", csrf, "Rotate secret"),
        post_form(f"{base}/test", csrf, "Send test event"),
        f'<a class="button" href="/360/api?tab=webhooks&amp;webhook={quote(sub.id)}">Deliveries</a>',
        f'<a class="button" href="/360/api?tab=webhooks&amp;webhook={quote(sub.id)}&amp;panel=delete">'
        "Delete</a>",
    ]
    return " ".join(parts)


def _deliveries(view: DeliveriesView, csrf: str) -> str:
    sub = view.subscription
    rows = []
    for row in view.rows:
        r = row.record
        outcome = escape(str(r.status_code)) if r.status_code is not None else ""
        if r.error is not None:
            outcome += f" {escape(str(r.error))}"
        action = f"/360/api/webhooks/{quote(sub.id)}/deliveries/{quote(row.delivery_id)}/redeliver"
        # A key drawn at render time: a double submit of this button redelivers once (55 §6).
        key = hidden("idempotency_key", secrets.token_urlsafe(16))
        rows.append(
            [
                escape(row.event),
                f"<code>{escape(row.delivery_id)}</code>"
                + (f"<br>repeats <code>{escape(row.redelivery_of)}</code>" if row.redelivery_of else ""),
                escape(str(r.attempt)),
                outcome.strip() or "—",
                f"{r.duration_ms} ms",
                _ts(r.next_retry_at),
                post_form(action, csrf, "Redeliver", fields=key),
            ]
        )
    headers = ["Event", "Delivery", "Attempt", "Status", "Duration", "Next retry", "Actions"]
    caption = f"Deliveries of {sub.url} (30 days, newest first)"
    more = f'<p><a href="{escape(view.next_link)}">Next deliveries</a></p>\n' if view.next_link else ""
    return (
        '<h3 id="deliveries">Deliveries</h3>\n'
        + table(headers, rows, caption, "No deliveries in the last 30 days.")
        + more
    )


def webhooks(
    *,
    subscriptions: Sequence[Subscription],
    labels: Mapping[str, str],
    csrf: str,
    deliveries: DeliveriesView | None,
    confirm_delete: Subscription | None,
) -> str:
    rows = []
    for sub in subscriptions:
        status = escape(sub.status) + (f" ({escape(str(sub.paused_reason))})" if sub.paused_reason else "")
        rows.append(
            [
                escape(labels.get(sub.owner_key, "Unknown credential")),
                f"<code>{escape(sub.url)}</code>",
                " ".join(f"<code>{escape(e)}</code>" for e in sub.events),
                status,
                escape(str(sub.failures)),
                _hook_actions(sub, csrf),
            ]
        )
    head = ""
    if confirm_delete is not None:
        head = _confirm(
            f"/360/api/webhooks/{quote(confirm_delete.id)}/delete",
            csrf,
            f"Delete the webhook to {confirm_delete.url}? Pending deliveries are dropped.",
            "Delete",
            "/360/api?tab=webhooks",
        )
    headers = ["Sandbox", "URL", "Events", "Status", "Consecutive failures", "Actions"]
    listing = table(headers, rows, "Webhook subscriptions of the organization", "No webhooks yet.")
    return head + listing + (_deliveries(deliveries, csrf) if deliveries is not None else "")
