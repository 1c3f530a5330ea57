"""The API contract, declared once (design.md §2): `errors` (the error catalogue and classes),
`operations` (the route table), the pydantic models of requests, responses and webhook payloads
(`envelope`, `meta`, `event_types`, `slots`, `bookings`, `webhooks`, `webhook_events`, `oauth`),
and `openapi`, which generates the OpenAPI document from them."""
