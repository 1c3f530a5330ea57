"""HTML of the sign-in, consent and error pages. Mobile-first, accessible, no scripts."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FORM_ACTION = "/v1/oauth/authorize"
SIGN_IN_FAILED_MESSAGE = "Incorrect email or password."

# Body text #1f2328 on #ffffff ≈ 15.8:1; buttons #ffffff on #1d4ed8 ≈ 6.7:1; secondary
# #1f2328 on #e7e9ee ≈ 12.8:1; error #8a1c1c on #fdecec ≈ 8.3:1 (all above WCAG AA).
STYLE = """
*{box-sizing:border-box}
html{font-size:100%}
body{
  margin:0;
  background:#f3f4f6;
  color:#1f2328;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  line-height:1.5;
}
main{
  max-width:30rem;
  margin:2rem auto;
  padding:1.5rem;
  background:#ffffff;
  border:1px solid #d0d7de;
  border-radius:.5rem;
}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
p{margin:0 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password]{
  width:100%;
  font-size:1rem;
  padding:.625rem .75rem;
  border:1px solid #57606a;
  border-radius:.375rem;
  color:#1f2328;
  background:#ffffff;
}
button{
  font-size:1rem;
  font-weight:600;
  padding:.625rem 1.25rem;
  border-radius:.375rem;
  border:1px solid #1d4ed8;
  background:#1d4ed8;
  color:#ffffff;
  cursor:pointer;
  min-height:2.75rem;
}
button.secondary{background:#e7e9ee;border-color:#57606a;color:#1f2328}
button.link{
  background:none;
  border:none;
  color:#1d4ed8;
  text-decoration:underline;
  padding:.5rem 0;
  font-weight:400;
}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
.error{
  background:#fdecec;
  color:#8a1c1c;
  border:1px solid #8a1c1c;
  border-radius:.375rem;
  padding:.75rem;
}
.muted{color:#57606a;font-size:.875rem}
ul.scopes{padding-left:1.25rem;margin:0 0 1rem}
ul.scopes li{margin:.25rem 0}
@media (max-width:32rem){
  main{margin:0;border:none;border-radius:0;min-height:100vh}
  .actions button{flex:1 1 100%}
}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)} · 42min</title>\n"
        f"<style>{STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        f"{body}"
        "</body>\n"
        "</html>\n"
    )


def _hidden(name: str, value: str) -> str:
    return f'  <input type="hidden" name="{escape(name)}" value="{escape(value)}">\n'


def _hidden_params(params: Sequence[tuple[str, str]]) -> str:
    return "".join(_hidden(name, value) for name, value in params)


def render_sign_in_page(
    *,
    client_name: str,
    redirect_host: str,
    csrf_token: str,
    params: Sequence[tuple[str, str]],
    email: str = "",
    error_message: str | None = None,
) -> str:
    """The sign-in page (§6.5.4, §6.6). `params` are the authorization parameters in hidden-field order;
    on a failed attempt pass `error_message` and the submitted `email` to refill it."""
    error_html = ""
    describedby = ""
    if error_message:
        error_html = f'<p id="sign-in-error" class="error" role="alert">{escape(error_message)}</p>\n'
        describedby = ' aria-describedby="sign-in-error"'
    body = (
        '<main id="oauth-sign-in">\n'
        "<h1>Sign in to 42min</h1>\n"
        f"<p><strong>{escape(client_name)}</strong> wants to connect to your 42min account. "
        f"After you decide, you will return to <strong>{escape(redirect_host)}</strong>.</p>\n"
        f"{error_html}"
        f'<form id="sign-in" method="post" action="{FORM_ACTION}">\n'
        f"{_hidden('action', 'sign_in')}"
        f"{_hidden('csrf_token', csrf_token)}"
        f"{_hidden_params(params)}"
        '  <label for="email">Email</label>\n'
        f'  <input type="email" id="email" name="email" autocomplete="username" required'
        f' value="{escape(email)}"{describedby}>\n'
        '  <label for="password">Password</label>\n'
        '  <input type="password" id="password" name="password" autocomplete="current-password"'
        f" required{describedby}>\n"
        '  <div class="actions"><button type="submit">Sign in</button></div>\n'
        "</form>\n"
        "</main>\n"
    )
    return _page("Sign in", body)


def render_consent_page(
    *,
    client_name: str,
    redirect_host: str,
    user_email: str,
    organization_name: str | None,
    scopes: Sequence[tuple[str, str]],
    csrf_token: str,
    params: Sequence[tuple[str, str]],
) -> str:
    """The consent page (§6.5.4, §6.7). `scopes` are (scope, wording) pairs in §5.1 order, aliases
    already expanded (see `fortytwo.domain.scopes.consent_items`)."""
    items = "".join(
        f'  <li data-scope="{escape(scope)}">{escape(wording)}</li>\n' for scope, wording in scopes
    )
    org = f" in <strong>{escape(organization_name)}</strong>" if organization_name else ""
    hidden = f"{_hidden('csrf_token', csrf_token)}{_hidden_params(params)}"
    body = (
        '<main id="oauth-consent">\n'
        f"<h1>Allow {escape(client_name)} to access your 42min account?</h1>\n"
        f"<p>Signed in as <strong>{escape(user_email)}</strong>{org}.</p>\n"
        f"<p>If you approve, you will return to <strong>{escape(redirect_host)}</strong>.</p>\n"
        f'<h2 id="scopes-heading">{escape(client_name)} will be able to:</h2>\n'
        f'<ul class="scopes" aria-labelledby="scopes-heading">\n{items}</ul>\n'
        f'<form id="consent" method="post" action="{FORM_ACTION}">\n'
        f"{hidden}"
        '  <div class="actions">\n'
        '  <button type="submit" name="action" value="approve">Approve</button>\n'
        '  <button type="submit" name="action" value="deny" class="secondary">Deny</button>\n'
        "  </div>\n"
        "</form>\n"
        f'<form id="switch-account" method="post" action="{FORM_ACTION}">\n'
        f"{_hidden('action', 'switch_account')}"
        f"{hidden}"
        '  <p class="muted">Not you? <button type="submit" class="link">Use another account</button></p>\n'
        "</form>\n"
        "</main>\n"
    )
    return _page("Authorize application", body)


#: data-error → (status, heading, message). 413 `invalid_request` is keyed separately.
_ERRORS: dict[tuple[str, int], tuple[str, str]] = {
    ("invalid_request", 400): (
        "This request cannot be processed",
        "The authorization request is malformed. Go back to the application and try again.",
    ),
    ("invalid_request", 413): (
        "This request cannot be processed",
        "The request is too large. Go back to the application and try again.",
    ),
    ("invalid_csrf", 400): (
        "Your session expired",
        "This form has expired or was not sent from this site. Go back to the application and start again.",
    ),
    ("invalid_client", 400): (
        "This application cannot sign you in",
        "The application is not registered with 42min.",
    ),
    ("invalid_redirect_uri", 400): (
        "This application cannot sign you in",
        "The redirect URI is not registered for this application.",
    ),
    ("rate_limited", 429): (
        "Too many attempts",
        "Too many requests came from your network. Wait a minute, then try again.",
    ),
    ("server_error", 500): (
        "Something went wrong",
        "An unexpected error occurred on our side. Try again later.",
    ),
    ("temporarily_unavailable", 503): (
        "Service temporarily unavailable",
        "42min cannot complete the request right now. Try again in a moment.",
    ),
}

#: Default status of each error page code.
ERROR_STATUS: dict[str, int] = {
    "invalid_request": 400,
    "invalid_csrf": 400,
    "invalid_client": 400,
    "invalid_redirect_uri": 400,
    "rate_limited": 429,
    "server_error": 500,
    "temporarily_unavailable": 503,
}


def render_error_page(
    error: str, *, request_id: str, status: int | None = None, message: str | None = None
) -> str:
    """The error page (§6.5.3): `<main id="oauth-error" data-error="…">`, a message and the request id.

    It never links to the redirect URI. `message` overrides the default text (e.g. the
    rate-limit wait in seconds).
    """
    code_status = status if status is not None else ERROR_STATUS.get(error, 400)
    heading, default_message = _ERRORS.get(
        (error, code_status), ("This request cannot be processed", "The authorization request failed.")
    )
    body = (
        f'<main id="oauth-error" data-error="{escape(error)}">\n'
        f"<h1>{escape(heading)}</h1>\n"
        f"<p>{escape(message or default_message)}</p>\n"
        f'<p class="muted">Request id: {escape(request_id)}</p>\n'
        "</main>\n"
    )
    return _page("Authorization error", body)
