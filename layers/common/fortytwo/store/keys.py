"""Key builders for every entity of the single table (docs/single-table.md): no key literals elsewhere."""

from __future__ import annotations


def org(org_id: str) -> tuple[str, str]:
    return f"ORG#{org_id}", "ORG"


def user(org_id: str, user_id: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"USER#{user_id}"


def user_pointer(user_id: str) -> tuple[str, str]:
    """Finds a user's organization from the user id alone (CLI, OAuth)."""
    return f"USER#{user_id}", "USER"


def username(name: str) -> tuple[str, str]:
    return f"USERNAME#{name.lower()}", "USERNAME"


def email(address: str) -> tuple[str, str]:
    return f"EMAIL#{address.lower()}", "EMAIL"


def team(org_id: str, team_id: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"TEAM#{team_id}"


def team_name(org_id: str, name: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"TEAMNAME#{name.casefold()}"


def schedule(org_id: str, schedule_id: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"SCHEDULE#{schedule_id}"


def org_partition(org_id: str) -> str:
    return f"ORG#{org_id}"


def pat(lookup: str) -> tuple[str, str]:
    return f"PAT#{lookup}", "PAT"


def pat_name(org_id: str, name: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"PATNAME#{name.casefold()}"


def pats_of_org(org_id: str) -> str:
    """gsi1 partition listing an organization's PATs by created_at."""
    return f"ORG#{org_id}#PATS"


def pat_id_index(pat_id: str) -> str:
    """gsi2 partition finding a PAT by id."""
    return f"PATID#{pat_id}"


def rate_counter(bucket: str, bucket_key: str, window_start: int) -> tuple[str, str]:
    return f"RL#{bucket}#{bucket_key}", f"W#{window_start}"


# --- authentication, OAuth, PATs, accounts (svc-auth) ------------------------------------------


def org_name(name: str) -> tuple[str, str]:
    """Scan-free lookup of an organization by exact (case-folded) name."""
    return f"ORGNAME#{name.casefold()}", "ORGNAME"


def team_slug(org_id: str, slug: str) -> tuple[str, str]:
    return f"ORG#{org_id}", f"TEAMSLUG#{slug}"


def oauth_client(client_id: str) -> tuple[str, str]:
    return f"OAUTHCLIENT#{client_id}", "CLIENT"


def oauth_code(code_hash: str) -> tuple[str, str]:
    return f"OAUTHCODE#{code_hash}", "CODE"


def oauth_grant(grant_id: str) -> tuple[str, str]:
    return f"GRANT#{grant_id}", "GRANT"


def oauth_access_token(token_hash: str) -> tuple[str, str]:
    return f"OAUTHAT#{token_hash}", "AT"


def oauth_refresh_token(token_hash: str) -> tuple[str, str]:
    return f"OAUTHRT#{token_hash}", "RT"


def oauth_session(session_hash: str) -> tuple[str, str]:
    return f"OAUTHSESSION#{session_hash}", "SESSION"


def user_grants(user_id: str, created_at: str, grant_id: str) -> tuple[str, str]:
    """gsi1 key listing the grants a user approved, oldest first."""
    return user_grants_partition(user_id), f"{created_at}#{grant_id}"


def user_grants_partition(user_id: str) -> str:
    return f"USER#{user_id}#GRANTS"


def pats_of_org_entry(org_id: str, created_at: str, pat_id: str) -> tuple[str, str]:
    """gsi1 key of one PAT in its organization's listing (newest first when read backwards)."""
    return pats_of_org(org_id), f"{created_at}#{pat_id}"


def pat_id_entry(pat_id: str) -> tuple[str, str]:
    return pat_id_index(pat_id), "PAT"


# --- Webhooks: subscriptions, URL locks, sandbox counters, deliveries, attempt rows, outbox -------


def webhook(webhook_id: str) -> tuple[str, str]:
    return webhook_partition(webhook_id), "WEBHOOK"


def webhook_partition(webhook_id: str) -> str:
    """The subscription's partition; its deliveries-log rows live there too."""
    return f"WEBHOOK#{webhook_id}"


def webhook_sandbox(org_id: str, owner_key: str) -> str:
    """gsi1 partition of a sandbox's subscriptions; also the pk of its counter."""
    return f"WHBOX#{org_id}#{owner_key}"


def webhook_sandbox_sort(created_at: str, webhook_id: str) -> str:
    """gsi1 sort key: newest first when queried backwards."""
    return f"{created_at}#{webhook_id}"


def webhook_sandbox_counter(org_id: str, owner_key: str) -> tuple[str, str]:
    return webhook_sandbox(org_id, owner_key), "COUNT"


def webhooks_of_org(org_id: str) -> str:
    """gsi2 partition of every subscription of an organization (fan-out, admin list)."""
    return f"WHACCT#{org_id}"


def webhook_url_lock(org_id: str, owner_key: str, url_digest: str) -> tuple[str, str]:
    return f"WHURL#{org_id}#{owner_key}#{url_digest}", "LOCK"


def delivery(delivery_id: str) -> tuple[str, str]:
    return f"DELIVERY#{delivery_id}", "DELIVERY"


# Zero-padded so attempt 10 sorts after attempt 9 within one delivery and instant.
ATTEMPT_DIGITS = 6


def delivery_attempt(webhook_id: str, created_at: str, delivery_id: str, attempt: int) -> tuple[str, str]:
    return webhook_partition(webhook_id), f"ATTEMPT#{created_at}#{delivery_id}#{attempt:0{ATTEMPT_DIGITS}d}"


def delivery_attempts_since(created_at: str) -> tuple[str, str]:
    """Sort-key bounds of the attempt rows created at or after `created_at` (format_ts text)."""
    return f"ATTEMPT#{created_at}", "ATTEMPT#~"


def outbox_event(event_id: str) -> tuple[str, str]:
    return f"OUTBOX#{event_id}", "EVENT"


# --------------------------------------------------------------------------- bookings and idempotency


def booking(uid: str) -> tuple[str, str]:
    return f"BOOKING#{uid}", "BOOKING"


def bookings_of_account(org_id: str) -> str:
    """gsi1/gsi2/gsi3 partition: an organization's bookings by start, created_at, updated_at."""
    return f"ACCT#{org_id}#BK"


def bookings_of_host(org_id: str, user_id: str) -> str:
    """gsi4 partition: a host's bookings by start. The organization is part of the key, so a
    foreign host id matches nothing (never a filter afterwards: issue 12)."""
    return f"ACCT#{org_id}#HOST#{user_id}#BK"


def bookings_of_attendee(org_id: str, email: str) -> str:
    """gsi5 partition: an organization's bookings of one attendee address (lower-cased) by start."""
    return f"ACCT#{org_id}#EMAIL#{email.lower()}"


_COUNTER_OWNERS = {"event_type": "ET", "user": "USER"}  # domain/bookings/limits.CounterOwner
_COUNTER_PERIODS = {"day": "DAY", "week": "WEEK", "month": "MONTH"}  # domain/scheduling PeriodKind


def limit_counter(owner: str, owner_id: str, period: str, period_key: str) -> tuple[str, str]:
    """A limit counter (`domain/bookings/limits.CounterId`'s four parts): pk `COUNTER#ET#<event type>`
    or `COUNTER#USER#<user>`, sk `DAY#<YYYY-MM-DD>` / `WEEK#<Monday>` / `MONTH#<YYYY-MM>`."""
    return f"COUNTER#{_COUNTER_OWNERS[owner]}#{owner_id}", f"{_COUNTER_PERIODS[period]}#{period_key}"


def group_session(event_type_id: str, start_text: str) -> tuple[str, str]:
    return f"SESSION#{event_type_id}", start_text


def idempotency_partition(org_id: str) -> str:
    """Idempotency records are per organization (30-bookings §9.2); the sk is Powertools' key hash."""
    return f"IDEMPOTENCY#{org_id}"


def ledger_partition(host_user_id: str) -> str:
    """A host's busy ledger: one item per active meeting, sorted by the UTC date of its start."""
    return f"LEDGER#{host_user_id}"


def ledger_entry(host_user_id: str, day_iso: str, entry_key: str) -> tuple[str, str]:
    return ledger_partition(host_user_id), f"DAY#{day_iso}#{entry_key}"


def ledger_day_range(first_day_iso: str, last_day_iso: str) -> tuple[str, str]:
    """Sort-key bounds (BETWEEN) of every entry whose start lies on a UTC date in the range."""
    return f"DAY#{first_day_iso}#", f"DAY#{last_day_iso}#~"  # '~' sorts after every entry key


def busy_hour(host_user_id: str, hour_iso: str) -> tuple[str, str]:
    """A host's busy-minute claims of one UTC hour (`YYYY-MM-DDTHH`): one attribute per minute."""
    return f"BUSY#{host_user_id}", f"HOUR#{hour_iso}"


def busy_minute_attribute(minute: int) -> str:
    """The attribute of one claimed minute (0–59) of a busy-hour item."""
    return f"m{minute:02d}"


# --- Admin Center and redelivery (55-admin-center) ------------------------------------------------


def delivery_chain(webhook_id: str, event_id: str) -> tuple[str, str]:
    """The newest delivery of one event to one subscription (redelivery's check 4)."""
    return webhook_partition(webhook_id), f"CHAIN#{event_id}"


def admin_session(session_hash: str) -> tuple[str, str]:
    return f"ADMINSESSION#{session_hash}", "SESSION"


def oauth_clients_of_org(org_id: str) -> str:
    """gsi1 partition: the OAuth clients an organization manages (admin and page), by created_at."""
    return f"ORG#{org_id}#OAUTHCLIENTS"


def oauth_client_of_org(org_id: str, created_at: str, client_id: str) -> tuple[str, str]:
    """gsi1 key of a client an organization manages, by created_at."""
    return oauth_clients_of_org(org_id), f"{created_at}#{client_id}"


def oauth_grants_of_client(client_id: str) -> str:
    """gsi2 partition: every grant of a client (deleting the client revokes them)."""
    return f"OAUTHCLIENT#{client_id}#GRANTS"


def oauth_grant_of_client(client_id: str, created_at: str, grant_id: str) -> tuple[str, str]:
    """gsi2 key of a grant under its client."""
    return oauth_grants_of_client(client_id), f"{created_at}#{grant_id}"


# --------------------------------------------------------------------------- event types


def event_type(org_id: str, event_type_id: str) -> tuple[str, str]:
    return org_partition(org_id), f"ET#{event_type_id}"


def event_type_slug(org_id: str, owner_id: str, slug: str) -> tuple[str, str]:
    """The slug lock: a slug is unique per owner (user or team) among non-deleted event types."""
    return org_partition(org_id), f"ETSLUG#{owner_id}#{slug}"


def event_type_pointer(event_type_id: str) -> tuple[str, str]:
    """Finds an event type's organization from its id alone (admin commands)."""
    return f"ETID#{event_type_id}", "ETID"


def event_types_of_account(org_id: str) -> str:
    """gsi1 (by created_at) and gsi2 (by title) partition of an organization's event types."""
    return f"ACCT#{org_id}#ET"


def event_type_created_sort(created_at: str, event_type_id: str) -> str:
    return f"{created_at}#{event_type_id}"


def event_type_title_sort(title_key_hex: str, event_type_id: str) -> str:
    return f"{title_key_hex}#{event_type_id}"


# --------------------------------------------------------------------------- recurring series (series-svc)


def series(uid: str) -> tuple[str, str]:
    return f"SERIES#{uid}", "SERIES"


def series_of_account(org_id: str) -> str:
    """gsi1/gsi2 partition of series items: an organization's series by created_at, updated_at."""
    return f"ACCT#{org_id}#SERIES"


def series_list_sort(value: str, uid: str) -> str:
    """gsi1/gsi2 sort key of a series item: its created_at or updated_at text, then its uid."""
    return f"{value}#{uid}"


def bookings_of_series(org_id: str, series_id: str) -> str:
    """gsi6 partition (sparse: series meetings only): a series' meetings by start. The organization
    is part of the key, so another organization's series id matches nothing."""
    return f"ACCT#{org_id}#SERIES#{series_id}#BK"
