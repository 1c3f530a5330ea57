"""POST /360/api/…: the form actions of 55-admin-center §3–§6. Each calls the SAME service function
as the CLI and the API, then either answers 303 to its tab with a one-time notice (`Done`) or asks
for the form again with its messages (`views.Rerender`, 422). Ids outside the user's reach raise
NotFound (→ 404 page)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fortytwo.contract.errors import ApiError, NotFound
from fortytwo.domain.admin.sessions import Notice
from fortytwo.domain.bookings.headers import fingerprint
from fortytwo.domain.oauth.clients import ClientInputError
from fortytwo.domain.pats import PatFieldError, PatRuleError
from fortytwo.http.admin_pages import tabs
from fortytwo.http.admin_pages.views import Rerender
from fortytwo.services import admin_center, idempotency, oauth, pats, redelivery, webhooks
from fortytwo.services.admin_center import Signed
from fortytwo.services.idempotency import Reply

REDELIVER_ROUTE = "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"  # one key space with the API
PAT_FIELDS = {"user": "pat-name", "name": "pat-name", "scopes": "pat-scopes", "expires_in_days": "pat-expiry"}


@dataclass(frozen=True, slots=True)
class Done:
    tab: str
    notice: Notice
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    signed: Signed
    form: Mapping[str, Sequence[str]]
    now: datetime
    request_id: str
    tools: webhooks.Outbound
    lambda_context: object = None

    def one(self, name: str) -> str:
        values = self.form.get(name) or [""]
        return values[0]


Outcome = Done | Rerender
Action = Callable[[Context, list[str]], Outcome]


# --- API keys (§3) ----------------------------------------------------------------------------


def _create_pat(ctx: Context, _: list[str]) -> Outcome:
    name, scopes, expiry = ctx.one("name"), list(ctx.form.get("scopes") or []), ctx.one("expiry") or "never"
    days: object = None if expiry == "never" else (int(expiry) if expiry.isdigit() else expiry)
    try:
        pat, token = pats.create_for_user(ctx.signed.user, name, scopes, days, ctx.now)
    except PatRuleError as exc:
        field = PAT_FIELDS.get(exc.field, "pat-name") if isinstance(exc, PatFieldError) else "pat-name"
        message = _sentence(str(exc), exc.field if isinstance(exc, PatFieldError) else None)
        form = tabs.PatForm(name, tuple(scopes), expiry, {field: message})
        return Rerender("apiKeys", pat_form=form)
    return Done("apiKeys", Notice(f"API key “{pat.name}” created.", token, "Token"))


def _sentence(message: str, field: str | None) -> str:
    text = (
        f"{field.replace('_', ' ').capitalize()} {message}"
        if field in ("name", "scopes") and message.startswith(("is ", "must "))
        else message
    )
    return text[:1].upper() + text[1:]


def _pat_action(ctx: Context, args: list[str]) -> Outcome:
    pat_id, verb = args
    pat = admin_center.my_pat(ctx.signed, pat_id)
    if verb == "regenerate":
        try:
            renewed, token = pats.regenerate(pat, ctx.now)
        except PatRuleError as exc:
            return Done("apiKeys", Notice(str(exc)))
        return Done(
            "apiKeys",
            Notice(f"API key “{renewed.name}” regenerated; the old token no longer works.", token, "Token"),
        )
    pats.revoke(pat, ctx.now)
    return Done("apiKeys", Notice(f"API key “{pat.name}” revoked."))


# --- OAuth apps (§4) --------------------------------------------------------------------------


def _uris(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _register(ctx: Context, _: list[str]) -> Outcome:
    name, kind, text = ctx.one("name"), ctx.one("type"), ctx.one("redirect_uris")
    try:
        client, secret = oauth.create_managed(
            organization_id=ctx.signed.org_id,
            name=name,
            client_type=kind,
            redirect_uris=_uris(text),
            via="page",
        )
    except ClientInputError as exc:
        message = str(exc)
        field = "app-redirect-uris" if "redirect_uri" in message else "app-name"
        return Rerender("oauthApps", client_form=tabs.ClientForm(name, kind, text, {field: message}))
    note = f"OAuth app “{client.client_name}” registered. Client ID: {client.client_id}."
    return Done("oauthApps", Notice(note, secret, "Client secret") if secret else Notice(note))


def _client_action(ctx: Context, args: list[str]) -> Outcome:
    client_id, verb = args
    client = admin_center.client(ctx.signed, client_id)
    try:
        if verb == "redirect-uris":
            text = ctx.one("redirect_uris")
            try:
                oauth.set_redirect_uris(client, _uris(text))
            except ClientInputError as exc:
                form = tabs.ClientForm(errors={"edit-redirect-uris": str(exc)})
                return Rerender("oauthApps", client_form=form, panel=tabs.ClientPanel("edit", client, text))
            return Done("oauthApps", Notice(f"Redirect URIs of “{client.client_name}” saved."))
        if verb == "rotate-secret":
            _, secret = oauth.rotate_client_secret(client)
            note = f"Secret of “{client.client_name}” rotated; the old secret no longer works."
            return Done("oauthApps", Notice(note, secret, "Client secret"))
    except (ClientInputError, oauth.ClientChanged) as exc:
        return Done("oauthApps", Notice(f"Nothing changed: {exc}"))
    revoked = oauth.delete_client(client, ctx.now)
    return Done("oauthApps", Notice(f"OAuth app “{client.client_name}” deleted; {revoked} grants revoked."))


# --- Webhooks (§5, §6) ------------------------------------------------------------------------


def _webhook_action(ctx: Context, args: list[str]) -> Outcome:
    hook_id, verb = args
    reach = ctx.signed.reach
    if verb in ("pause", "resume"):
        sub = webhooks.update_webhook(
            hook_id, reach, {"status": "paused" if verb == "pause" else "active"}, ctx.tools
        )
        return Done("webhooks", Notice(f"Webhook to {sub.url} {'paused' if verb == 'pause' else 'resumed'}."))
    if verb == "rotate-secret":
        sub = webhooks.rotate_secret(hook_id, reach, ctx.tools)
        return Done(
            "webhooks",
            Notice(f"Signing secret of the webhook to {sub.url} rotated.", sub.secret, "Signing secret"),
        )
    if verb == "test":
        logged = webhooks.test_webhook(hook_id, reach, ctx.tools)
        r = logged.record
        result = f"status {r.status_code}" if r.status_code is not None else str(r.error)
        return Done("webhooks", Notice(f"Test event sent ({logged.delivery_id}): {result}."))
    deleted = webhooks.delete_webhook(hook_id, reach)
    return Done("webhooks", Notice(f"Webhook to {deleted.subscription.url} deleted."))


def _redeliver(ctx: Context, args: list[str]) -> Outcome:
    hook_id, delivery_id = args
    key = ctx.one("idempotency_key")
    sub = webhooks.get_webhook(hook_id, ctx.signed.reach)  # 404 page before anything else

    def render(done: redelivery.Redelivered) -> Reply:
        body = json.dumps({"data": done.to_api(), "meta": {"request_id": ctx.request_id}})
        return Reply(202, body, ctx.request_id)

    try:
        reply, replayed = idempotency.run(
            idempotency.Request(
                organization_id=ctx.signed.org_id,
                credential_id=ctx.signed.user.id,
                request_id=ctx.request_id,
                key=key or ctx.request_id,
                fingerprint=fingerprint(
                    "POST", REDELIVER_ROUTE, {"id": sub.id, "delivery_id": delivery_id}, {}
                ),
                now=ctx.now,
                lambda_context=ctx.lambda_context,
            ),
            render,
            lambda finish: redelivery.redeliver(
                sub.id, delivery_id, ctx.signed.reach, now=ctx.now, finish=finish
            ),
        )
    except NotFound:
        raise
    except ApiError as exc:  # webhook_paused, delivery_pending, …: said on the tab
        return Done("webhooks", Notice(f"Not redelivered: {exc.message}"), f"&webhook={sub.id}")
    new_id = json.loads(reply.body)["data"]["id"]
    message = "already scheduled" if replayed else "scheduled"
    return Done("webhooks", Notice(f"Redelivery {new_id} of {delivery_id} {message}."), f"&webhook={sub.id}")


ROUTES: tuple[tuple[re.Pattern[str], Action], ...] = (
    (re.compile(r"^pats/create$"), _create_pat),
    (re.compile(r"^pats/([^/]+)/(regenerate|revoke)$"), _pat_action),
    (re.compile(r"^oauth-apps/register$"), _register),
    (re.compile(r"^oauth-apps/([^/]+)/(redirect-uris|rotate-secret|delete)$"), _client_action),
    (re.compile(r"^webhooks/([^/]+)/(pause|resume|rotate-secret|test|delete)$"), _webhook_action),
    (re.compile(r"^webhooks/([^/]+)/deliveries/([^/]+)/redeliver$"), _redeliver),
)


def perform(path: str, ctx: Context) -> Outcome:
    """Run the action named by the path after `/360/api/`; an unknown one is a 404."""
    for pattern, action in ROUTES:
        match = pattern.match(path)
        if match:
            return action(ctx, list(match.groups()))
    raise NotFound("No such action")
