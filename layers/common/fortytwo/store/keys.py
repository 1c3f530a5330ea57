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


# --------------------------------------------------------------------------- bookings and idempotency


def booking(uid: str) -> tuple[str, str]:
    return f"BOOKING#{uid}", "BOOKING"


def bookings_of_account(org_id: str) -> str:
    """gsi1/gsi2/gsi3 partition: an organization's bookings by start, created_at, updated_at."""
    return f"ACCT#{org_id}#BK"


def bookings_of_host(user_id: str) -> str:
    """gsi4 partition: a host's bookings by start."""
    return f"HOST#{user_id}#BK"


def bookings_of_attendee(org_id: str, email: str) -> str:
    """gsi5 partition: an organization's bookings of one attendee address (lower-cased) by start."""
    return f"ACCT#{org_id}#EMAIL#{email.lower()}"


def limit_counter(scope: str, period: str) -> tuple[str, str]:
    return f"COUNTER#{scope}", period


def group_session(event_type_id: str, start_text: str) -> tuple[str, str]:
    return f"SESSION#{event_type_id}", start_text


def idempotency_partition(org_id: str) -> str:
    """Idempotency records are per organization (30-bookings §9.2); the sk is Powertools' key hash."""
    return f"IDEMPOTENCY#{org_id}"


def ledger_partition(host_user_id: str) -> str:
    """A host's busy ledger: one item per UTC day of a meeting's start."""
    return f"LEDGER#{host_user_id}"


def ledger_day_sort_key(day_iso: str) -> str:
    return f"DAY#{day_iso}"
