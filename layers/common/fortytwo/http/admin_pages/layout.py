"""The frame of every Admin Center page: document, header with Sign out, tabs, notice and the error
summary; plus the small form helpers the tabs share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from fortytwo.domain.admin.sessions import Notice
from fortytwo.http.oauth_pages.render import STYLE

STYLESHEET_PATH = "/360/admin.css"
TABS: tuple[tuple[str, str], ...] = (
    ("apiKeys", "API keys"),
    ("oauthApps", "OAuth apps"),
    ("webhooks", "Webhooks"),
)
DEFAULT_TAB = "apiKeys"

# The OAuth pages' look (one source), widened for tables and tabs. Served as a file: the CSP
# allows no inline style.
STYLESHEET = (
    STYLE
    + """
main{max-width:72rem}
header.bar{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;
  max-width:72rem;margin:1rem auto 0;padding:0 1.5rem}
header.bar p{margin:0}
nav ul.tabs{display:flex;gap:.5rem;list-style:none;padding:0;margin:0 0 1.5rem;
  border-bottom:1px solid #d0d7de}
nav ul.tabs a{display:inline-block;padding:.5rem 1rem;color:#1d4ed8;text-decoration:none}
nav ul.tabs a[aria-current=page]{border-bottom:3px solid #1d4ed8;color:#1f2328;font-weight:600}
table{border-collapse:collapse;width:100%;margin:0 0 1.5rem;font-size:.9375rem}
th,td{border-bottom:1px solid #d0d7de;padding:.5rem;text-align:left;vertical-align:top}
td code{overflow-wrap:anywhere}
td form{display:inline}
td .actions{margin-top:0;gap:.5rem}
td button,td a.button{min-height:2.25rem;padding:.25rem .75rem;font-size:.875rem}
a.button{display:inline-block;border:1px solid #57606a;border-radius:.375rem;color:#1f2328;
  background:#e7e9ee;text-decoration:none;font-weight:600}
fieldset{border:1px solid #d0d7de;border-radius:.375rem;margin:1rem 0;padding:.5rem 1rem}
fieldset label{display:inline;font-weight:400;margin:0 1rem 0 .25rem}
input[type=text],input[type=url],select,textarea{width:100%;max-width:40rem;font-size:1rem;
  padding:.5rem .75rem;border:1px solid #57606a;border-radius:.375rem;background:#ffffff;color:#1f2328}
textarea{min-height:6rem;font-family:ui-monospace,monospace}
.notice{background:#e8f5e9;color:#14532d;border:1px solid #14532d;border-radius:.375rem;padding:.75rem;
  margin:0 0 1rem}
.secret{font-family:ui-monospace,monospace;word-break:break-all}
.field-error{color:#8a1c1c;font-weight:600;margin:.25rem 0}
code{font-family:ui-monospace,monospace}
.confirm{border:2px solid #b45309;border-radius:.375rem;padding:1rem;margin:0 0 1.5rem}
"""
)


@dataclass(frozen=True, slots=True)
class Frame:
    """What every signed-in page shows around its tab."""

    tab: str
    csrf: str
    user_label: str
    organization: str
    notice: Notice | None = None
    errors: Mapping[str, str] = field(default_factory=dict)  # field id → message


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def post_form(action: str, csrf: str, label: str, *, extra: str = "", css: str = "", fields: str = "") -> str:
    """A one-button form (every action works without JavaScript)."""
    klass = f' class="{css}"' if css else ""
    return (
        f'<form method="post" action="{escape(action)}">{hidden("csrf_token", csrf)}{fields}'
        f'<button type="submit"{klass}{extra}>{escape(label)}</button></form>'
    )


def field_error(errors: Mapping[str, str], field_id: str) -> tuple[str, str]:
    """(the message element, the aria attributes) for a field."""
    message = errors.get(field_id)
    if message is None:
        return "", ""
    return (
        f'<p class="field-error" id="{field_id}-error">{escape(message)}</p>',
        f' aria-invalid="true" aria-describedby="{field_id}-error"',
    )


def _summary(errors: Mapping[str, str]) -> str:
    if not errors:
        return ""
    items = "".join(f'<li><a href="#{escape(k)}">{escape(v)}</a></li>' for k, v in errors.items())
    return (
        '<div id="error-summary" class="error" role="alert" tabindex="-1">'
        f"<h2>There is a problem</h2><ul>{items}</ul></div>\n"
    )


def _notice(notice: Notice | None) -> str:
    if notice is None:
        return ""
    secret = ""
    if notice.secret is not None:
        label = notice.secret_label or "Secret"
        secret = (
            f'<p><label for="shown-secret">{escape(label)} (shown once: copy it now)</label>'
            '<input type="text" id="shown-secret" class="secret" readonly'
            f' value="{escape(notice.secret)}"></p>'
        )
    return f'<div id="notice" class="notice" role="status"><p>{escape(notice.message)}</p>{secret}</div>\n'


def _tabs(current: str) -> str:
    current_attr = ' aria-current="page"'
    links = "".join(
        f'<li><a href="/360/api?tab={key}"{current_attr if key == current else ""}>{label}</a></li>'
        for key, label in TABS
    )
    return f'<nav aria-label="API sections"><ul class="tabs">{links}</ul></nav>\n'


def document(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)} · 42min Admin Center</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}">\n'
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


def page(frame: Frame, title: str, content: str) -> str:
    header = (
        '<header class="bar">'
        f"<p><strong>42min Admin Center</strong> · {escape(frame.organization)}"
        f" · {escape(frame.user_label)}</p>"
        f"{post_form('/360/signout', frame.csrf, 'Sign out', css='secondary')}"
        "</header>\n"
    )
    body = (
        f'{header}<main id="admin-api" data-tab="{escape(frame.tab)}">\n<h1>API</h1>\n'
        f"{_tabs(frame.tab)}{_summary(frame.errors)}{_notice(frame.notice)}"
        f"<h2>{escape(title)}</h2>\n{content}</main>\n"
    )
    return document(title, body)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str, empty: str) -> str:
    """`rows` hold already-escaped cell HTML."""
    if not rows:
        return f"<p>{escape(empty)}</p>\n"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>\n"
    )


def sign_in_page(*, csrf: str, next_path: str, login: str = "", error: str | None = None) -> str:
    error_html = ""
    described = ""
    if error:
        error_html = f'<p id="sign-in-error" class="error" role="alert">{escape(error)}</p>\n'
        described = ' aria-describedby="sign-in-error" aria-invalid="true"'
    body = (
        '<main id="admin-sign-in">\n<h1>Sign in to Admin Center</h1>\n'
        "<p>For organization owners and admins: API keys, OAuth apps and webhooks.</p>\n"
        f"{error_html}"
        '<form id="sign-in" method="post" action="/360/signin">\n'
        f"{hidden('csrf_token', csrf)}{hidden('next', next_path)}\n"
        '<label for="login">Email or username</label>\n'
        f'<input type="text" id="login" name="login" autocomplete="username" required value="{escape(login)}"'
        f"{described}>\n"
        '<label for="password">Password</label>\n'
        '<input type="password" id="password" name="password" autocomplete="current-password"'
        f" required{described}>\n"
        '<div class="actions"><button type="submit">Sign in</button></div>\n'
        "</form>\n</main>\n"
    )
    return document("Sign in", body)


def problem_page(status: int, heading: str, message: str, request_id: str) -> str:
    body = (
        f'<main id="admin-error" data-status="{status}">\n<h1>{escape(heading)}</h1>\n'
        f"<p>{escape(message)}</p>\n"
        '<p><a href="/360/api">Back to Admin Center</a></p>\n'
        f'<p class="muted">Request id: {escape(request_id)}</p>\n</main>\n'
    )
    return document(heading, body)
