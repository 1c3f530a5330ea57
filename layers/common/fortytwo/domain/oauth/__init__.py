"""OAuth 2.1 + PKCE authorization server domain (10-auth §6, §7): pure functions, no I/O.

Modules: `artifacts` (formats, generators, hashing, lifetimes), `pkce`, `redirect_uris`,
`models` (records), `authorize` (authorization-request validation), `client_auth` (token /
revoke / introspect client authentication), `grants` (codes, grants, token families),
`clients` (admin and dynamic registration), `discovery` (well-known documents).
"""
