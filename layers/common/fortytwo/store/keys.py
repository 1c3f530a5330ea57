"""Key builders for every entity of the single table (docs/single-table.md): no key literals elsewhere."""

from __future__ import annotations

from collections.abc import Callable

KeyOf = Callable[[str], tuple[str, str]]


def _same(value: str) -> str:
    return value


def _partition(template: str) -> Callable[[str], str]:
    """A partition named by one id: the template with the id in place of `{}`."""
    return template.format


# Partitions (and index partitions) named by one id.
org_partition = _partition("ORG#{}")
pats_of_org = _partition("ORG#{}#PATS")  # gsi1: an organization's PATs by created_at
pat_id_index = _partition("PATID#{}")  # gsi2: finds a PAT by id
user_grants_partition = _partition("USER#{}#GRANTS")
webhook_partition = _partition("WEBHOOK#{}")  # a subscription; its deliveries-log rows live there too
webhooks_of_org = _partition("WHACCT#{}")  # gsi2: every subscription of an organization (fan-out, admin)
bookings_of_account = _partition("ACCT#{}#BK")  # gsi1/2/3: an organization's bookings by start etc.
idempotency_partition = _partition("IDEMPOTENCY#{}")  # per organization (30-bookings §9.2); sk: the key hash
ledger_partition = _partition("LEDGER#{}")  # a host's busy ledger: one item per active meeting, by UTC date
oauth_clients_of_org = _partition("ORG#{}#OAUTHCLIENTS")  # gsi1: the clients an organization manages
oauth_grants_of_client = _partition("OAUTHCLIENT#{}#GRANTS")  # gsi2: a client's grants
event_types_of_account = _partition("ACCT#{}#ET")  # gsi1 (by created_at) and gsi2 (by title) of event types
series_of_account = _partition("ACCT#{}#SERIES")  # gsi1/gsi2: an organization's series by created, updated


def _alone(prefix: str, sort: str, fold: Callable[[str], str] = _same) -> KeyOf:
    """The key of an item alone in its partition: pk `PREFIX#<value>`, sk the fixed word `sort`."""

    def key(value: str) -> tuple[str, str]:
        return f"{prefix}#{fold(value)}", sort

    return key


def _in_org(kind: str, fold: Callable[[str], str] = _same) -> Callable[[str, str], tuple[str, str]]:
    """The key of an item in its organization's partition: pk `ORG#<org>`, sk `KIND#<value>`."""

    def key(org_id: str, value: str) -> tuple[str, str]:
        return org_partition(org_id), f"{kind}#{fold(value)}"

    return key


# Items alone in their partition. Lookups by a name or address fold it first (lower or casefold).
org = _alone("ORG", "ORG")
user_pointer = _alone("USER", "USER")  # finds a user's organization from the user id alone (CLI, OAuth)
username = _alone("USERNAME", "USERNAME", str.lower)
email = _alone("EMAIL", "EMAIL", str.lower)
org_name = _alone("ORGNAME", "ORGNAME", str.casefold)  # scan-free lookup of an organization by name
pat = _alone("PAT", "PAT")  # by the token's lookup part
oauth_client = _alone("OAUTHCLIENT", "CLIENT")
oauth_code = _alone("OAUTHCODE", "CODE")  # by the code's hash
oauth_grant = _alone("GRANT", "GRANT")
oauth_access_token = _alone("OAUTHAT", "AT")  # by the token's hash
oauth_refresh_token = _alone("OAUTHRT", "RT")  # by the token's hash
oauth_session = _alone("OAUTHSESSION", "SESSION")  # by the session cookie's hash
admin_session = _alone("ADMINSESSION", "SESSION")  # by the session cookie's hash
delivery = _alone("DELIVERY", "DELIVERY")
outbox_event = _alone("OUTBOX", "EVENT")
booking = _alone("BOOKING", "BOOKING")
series = _alone("SERIES", "SERIES")
event_type_pointer = _alone("ETID", "ETID")  # finds an event type's organization from its id (admin)

# Items in their organization's partition; unique names are case-folded.
user = _in_org("USER")
team = _in_org("TEAM")
team_name = _in_org("TEAMNAME", str.casefold)
team_slug = _in_org("TEAMSLUG")
schedule = _in_org("SCHEDULE")
pat_name = _in_org("PATNAME", str.casefold)
event_type = _in_org("ET")


def rate_counter(bucket: str, bucket_key: str, window_start: int) -> tuple[str, str]:
    return f"RL#{bucket}#{bucket_key}", f"W#{window_start}"


# --- authentication, OAuth, PATs, accounts (svc-auth) ------------------------------------------


def pat_id_entry(pat_id: str) -> tuple[str, str]:
    return pat_id_index(pat_id), "PAT"


# --- Webhooks: subscriptions, URL locks, sandbox counters, deliveries, attempt rows, outbox -------


def webhook(webhook_id: str) -> tuple[str, str]:
    return webhook_partition(webhook_id), "WEBHOOK"


def webhook_sandbox(org_id: str, owner_key: str) -> str:
    """gsi1 partition of a sandbox's subscriptions; also the pk of its counter."""
    return f"WHBOX#{org_id}#{owner_key}"


def webhook_sandbox_counter(org_id: str, owner_key: str) -> tuple[str, str]:
    return webhook_sandbox(org_id, owner_key), "COUNT"


def webhook_url_lock(org_id: str, owner_key: str, url_digest: str) -> tuple[str, str]:
    return f"WHURL#{org_id}#{owner_key}#{url_digest}", "LOCK"


# Zero-padded so attempt 10 sorts after attempt 9 within one delivery and instant.
ATTEMPT_DIGITS = 6


def delivery_attempt(webhook_id: str, created_at: str, delivery_id: str, attempt: int) -> tuple[str, str]:
    return webhook_partition(webhook_id), f"ATTEMPT#{created_at}#{delivery_id}#{attempt:0{ATTEMPT_DIGITS}d}"


def delivery_attempts_since(created_at: str) -> tuple[str, str]:
    """Sort-key bounds of the attempt rows created at or after `created_at` (format_ts text)."""
    return f"ATTEMPT#{created_at}", "ATTEMPT#~"


# --------------------------------------------------------------------------- bookings and idempotency


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


# --------------------------------------------------------------------------- event types


def event_type_slug(org_id: str, owner_id: str, slug: str) -> tuple[str, str]:
    """The slug lock: a slug is unique per owner (user or team) among non-deleted event types."""
    return org_partition(org_id), f"ETSLUG#{owner_id}#{slug}"


# --------------------------------------------------------------------------- recurring series (series-svc)


def bookings_of_series(org_id: str, series_id: str) -> str:
    """gsi6 partition (sparse: series meetings only): a series' meetings by start. The organization
    is part of the key, so another organization's series id matches nothing."""
    return f"ACCT#{org_id}#SERIES#{series_id}#BK"


# --------------------------------------------------------------------------- index entries


def ordered(value: str, item_id: str) -> str:
    """An index sort key: the ordering value (a created_at or updated_at text, a title key), then the
    item's id, so ties break on it."""
    return f"{value}#{item_id}"


def _listed(partition: Callable[[str], str]) -> Callable[[str, str, str], tuple[str, str]]:
    """The index key of an item listed under `partition(owner)` by `ordered(value, item_id)`."""

    def key(owner: str, value: str, item_id: str) -> tuple[str, str]:
        return partition(owner), ordered(value, item_id)

    return key


webhook_sandbox_sort = ordered  # gsi1: newest first when queried backwards
event_type_created_sort = ordered  # gsi1 of event types
event_type_title_sort = ordered  # gsi2 of event types: the title key hex, then the id
series_list_sort = ordered  # gsi1/gsi2 of series: created_at or updated_at
user_grants = _listed(user_grants_partition)  # gsi1: the grants a user approved, oldest first
pats_of_org_entry = _listed(pats_of_org)  # gsi1: an organization's PATs, newest first read backwards
oauth_client_of_org = _listed(oauth_clients_of_org)  # gsi1: the clients an organization manages
oauth_grant_of_client = _listed(oauth_grants_of_client)  # gsi2: every grant of a client
