"""Webhooks as pure domain logic (40-webhooks): events, validation, signing, envelopes,
retries, the delivery and health state machines and the URL policy. No I/O lives here."""
