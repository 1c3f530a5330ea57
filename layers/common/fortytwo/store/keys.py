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
