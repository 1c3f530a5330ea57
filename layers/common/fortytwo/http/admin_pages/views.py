"""GET /360/api: the tab a signed-in user asked for, with its panels (55-admin-center §3–§5)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from fortytwo.contract.errors import NotFound
from fortytwo.domain.admin.sessions import Notice
from fortytwo.domain.timefmt import TimestampError, format_ts, parse_ts
from fortytwo.http.admin_pages import tabs
from fortytwo.http.admin_pages.layout import DEFAULT_TAB, TABS, Frame, page
from fortytwo.services import admin_center, deliveries, webhooks
from fortytwo.services.admin_center import Signed

DELIVERIES_PER_PAGE = 20
TITLES = dict(TABS)


@dataclass(frozen=True, slots=True)
class Query:
    """The page's query parameters (unknown ones ignored; an unknown tab is the default tab)."""

    tab: str = DEFAULT_TAB
    item_id: str = ""
    confirm: str = ""
    panel: str = ""
    webhook: str = ""
    cursor: str = ""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Query:
        tab = params.get("tab", DEFAULT_TAB)
        return cls(
            tab=tab if tab in TITLES else DEFAULT_TAB,
            item_id=params.get("id", ""),
            confirm=params.get("confirm", ""),
            panel=params.get("panel", ""),
            webhook=params.get("webhook", ""),
            cursor=params.get("after", ""),
        )


@dataclass(frozen=True, slots=True)
class Rerender:
    """A form that failed: shown again (422) with the messages next to its fields."""

    tab: str
    pat_form: tabs.PatForm = field(default_factory=tabs.PatForm)
    client_form: tabs.ClientForm = field(default_factory=tabs.ClientForm)
    panel: tabs.ClientPanel | None = None

    @property
    def errors(self) -> Mapping[str, str]:
        return self.pat_form.errors or self.client_form.errors


def frame(signed: Signed, tab: str, notice: Notice | None, errors: Mapping[str, str] | None = None) -> Frame:
    user = signed.user
    org = signed.organization.name if signed.organization is not None else ""
    label = f"{user.first_name or ''} {user.last_name or ''}".strip() or user.email
    return Frame(tab, signed.csrf_token, f"{label} ({user.email})", org, notice, errors or {})


def _cursor(text: str) -> tuple[str, str, int] | None:
    try:
        created, delivery_id, attempt = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return format_ts(parse_ts(created)), delivery_id, int(attempt)
    except (ValueError, TimestampError, UnicodeDecodeError):
        return None  # a page link that was tampered with shows the first page


def _deliveries(signed: Signed, q: Query, now: datetime) -> tabs.DeliveriesView | None:
    if not q.webhook:
        return None
    sub = webhooks.get_webhook(q.webhook, signed.reach)
    after = _cursor(q.cursor) if q.cursor else None
    rows = deliveries.list_deliveries(
        sub.id, signed.reach, now=now, limit=DELIVERIES_PER_PAGE + 1, after=after
    )
    next_link = None
    if len(rows) > DELIVERIES_PER_PAGE:
        last = rows[DELIVERIES_PER_PAGE - 1]
        position = f"{format_ts(last.record.created_at)}|{last.delivery_id}|{last.record.attempt}"
        token = base64.urlsafe_b64encode(position.encode()).decode()
        next_link = f"/360/api?tab=webhooks&webhook={quote(sub.id)}&after={quote(token)}#deliveries"
    return tabs.DeliveriesView(sub, rows[:DELIVERIES_PER_PAGE], next_link)


def _api_keys(signed: Signed, q: Query, now: datetime, again: Rerender | None) -> str:
    confirm = None
    if q.confirm in ("regenerate", "revoke"):
        confirm = (q.confirm, admin_center.my_pat(signed, q.item_id))
    form = again.pat_form if again is not None else tabs.PatForm()
    return tabs.api_keys(
        pats=admin_center.my_pats(signed), now=now, csrf=signed.csrf_token, form=form, confirm=confirm
    )


def _oauth_apps(signed: Signed, q: Query, again: Rerender | None) -> str:
    panel = again.panel if again is not None else None
    if panel is None and q.panel in ("edit", "delete"):
        panel = tabs.ClientPanel(q.panel, admin_center.client(signed, q.item_id))
    form = again.client_form if again is not None else tabs.ClientForm()
    return tabs.oauth_apps(
        clients=admin_center.clients(signed), csrf=signed.csrf_token, form=form, panel=panel
    )


def _webhooks(signed: Signed, q: Query, now: datetime) -> str:
    subs = webhooks.list_organization(signed.org_id)
    confirm = None
    if q.panel == "delete" and q.webhook:
        confirm = webhooks.get_webhook(q.webhook, signed.reach)
    return tabs.webhooks(
        subscriptions=subs,
        labels=admin_center.sandbox_labels(signed, {s.owner_key for s in subs}),
        csrf=signed.csrf_token,
        deliveries=None if confirm is not None else _deliveries(signed, q, now),
        confirm_delete=confirm,
    )


def render(signed: Signed, q: Query, now: datetime, again: Rerender | None = None) -> str:
    """The whole page; raises NotFound for an id outside the user's reach (→ 404 page)."""
    tab = again.tab if again is not None else q.tab
    if tab == "oauthApps":
        content = _oauth_apps(signed, q, again)
    elif tab == "webhooks":
        content = _webhooks(signed, q, now)
    else:
        content = _api_keys(signed, q, now, again)
    notice = admin_center.take_notice(signed) if again is None else None
    return page(frame(signed, tab, notice, again.errors if again else None), TITLES[tab], content)


__all__ = ["NotFound", "Query", "Rerender", "render"]
