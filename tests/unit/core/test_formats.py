"""Ids, timestamps and token formats (00-conventions §6–7, 10-auth §3.1)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain import ids, pats
from fortytwo.domain.timefmt import NaiveTimestamp, TimestampError, format_ts, parse_ts

REQUEST_ID = re.compile(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def test_request_ids_match_the_contract_regex_and_are_unique():
    made = {ids.request_id() for _ in range(500)}
    assert len(made) == 500
    assert all(REQUEST_ID.match(r) for r in made)


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_ulid_text_is_the_value_in_crockford_base32(value):
    text = ids._crockford_130(value)
    assert len(text) == 26
    assert sum(ids.CROCKFORD.index(c) << (5 * i) for i, c in enumerate(reversed(text))) == value


def test_a_ulid_starts_with_its_millisecond_timestamp():
    ms = 1_779_271_200_000
    assert ids.ulid(now_ms=ms)[:10] == ids.crockford(ms.to_bytes(6, "big"), 10)


def test_uuid7_is_version_7_lower_case_and_carries_the_time():
    value = ids.uuid7(now_ms=1_779_271_200_000)
    parsed = uuid.UUID(value)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert value == value.lower()
    assert ids.uuid7_ms(value) == 1_779_271_200_000


def test_normalize_uuid_accepts_any_case_and_rejects_garbage():
    assert (
        ids.normalize_uuid("019DAA5B-3F7C-751F-B034-0AE6CA265E2B") == "019daa5b-3f7c-751f-b034-0ae6ca265e2b"
    )
    assert ids.normalize_uuid("not-a-uuid") is None
    assert ids.normalize_uuid("019daa5b3f7c751fb0340ae6ca265e2b") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-20T10:00:00Z", "2026-05-20T10:00:00.000Z"),
        ("2026-05-20t10:00:00z", "2026-05-20T10:00:00.000Z"),
        ("2026-05-20T12:00:00+02:00", "2026-05-20T10:00:00.000Z"),
        ("2026-05-20T05:00:00-05:00", "2026-05-20T10:00:00.000Z"),
        ("2026-05-20T10:00:00-00:00", "2026-05-20T10:00:00.000Z"),
        ("2026-05-20T10:00:00.123456789Z", "2026-05-20T10:00:00.123Z"),
        ("2026-05-20T10:00:00.9999Z", "2026-05-20T10:00:00.999Z"),
    ],
)
def test_parse_ts_accepts_rfc3339_with_offsets_and_truncates(text, expected):
    assert format_ts(parse_ts(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-20T10:00:00",
        "2026-05-20",
        "2026-05-20 10:00:00Z",
        "2026-05-20T24:00:00Z",
        "2026-05-20T10:00:60Z",
        "2026-02-30T10:00:00Z",
        "2026-05-20T10:00:00.1234567890Z",
        "2026-05-20T10:00:00+2:00",
        # the stored shape (`format_ts`'s, read by the fast path) with what it must still refuse
        "2026-05-20T24:00:00.000Z",
        "2026-02-30T10:00:00.000Z",
        "0000-05-20T10:00:00.000Z",
        "2026-W21-3T10:00:00.000Z",  # an ISO week date: datetime.fromisoformat reads it
    ],
)
def test_parse_ts_rejects_what_the_contract_rejects(text):
    with pytest.raises(TimestampError):
        parse_ts(text)


def test_query_strings_may_carry_the_offset_sign_as_a_space():
    assert (
        format_ts(parse_ts("2026-05-20T12:00:00 02:00", space_means_plus=True)) == "2026-05-20T10:00:00.000Z"
    )
    with pytest.raises(TimestampError):
        parse_ts("2026-05-20T12:00:00 02:00")


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_format_then_parse_is_identity_at_millisecond_precision(value):
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    assert parse_ts(format_ts(value)) == value


def test_the_stored_form_parses_to_utc_at_millisecond_precision():
    parsed = parse_ts("2026-05-20T10:00:00.123Z")
    assert parsed == datetime(2026, 5, 20, 10, 0, 0, 123000, tzinfo=UTC)
    assert parsed.tzinfo is UTC


@given(st.integers(min_value=-23 * 60, max_value=23 * 60))
def test_offsets_convert_to_the_same_instant(minutes):
    instant = datetime(2026, 5, 20, 10, tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    assert parse_ts(local.isoformat()) == instant


def test_pat_tokens_have_the_documented_shape():
    lookup, secret = pats.new_lookup(), pats.new_secret()
    token = pats.format_token(lookup, secret)
    assert len(token) == 55
    assert pats.parse_token(token) == pats.ParsedPat(lookup, secret)


@pytest.mark.parametrize(
    "token",
    [
        "42min_pat_hhaptqyapamc_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG",  # lower case
        "42min_pat_HHAPTQYAPAMI_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG",  # I is not Crockford
        "42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKR",  # secret too short
        "42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRGG",  # secret too long
        "42min_pat_HHAPTQYAPAMCCBPMX33Y83YJ3967F3CMJT4PNCV0VKRG",
    ],
)
def test_malformed_pats_do_not_parse(token):
    assert pats.parse_token(token) is None


def test_pat_status_is_derived_in_the_documented_order():
    now = datetime(2026, 5, 20, tzinfo=UTC)
    assert pats.status(None, None, now) == "active"
    assert pats.status(None, now, now) == "expired"
    assert pats.status(now, now - timedelta(days=1), now) == "revoked"
    assert pats.status(None, now + timedelta(seconds=1), now) == "active"


def test_last_used_is_throttled_to_once_a_minute():
    now = datetime(2026, 5, 20, tzinfo=UTC)
    assert pats.needs_last_used_update(None, now)
    assert not pats.needs_last_used_update(now - timedelta(seconds=59), now)
    assert pats.needs_last_used_update(now - timedelta(seconds=60), now)


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2027-01-16T18:00:00", "UTC", "2027-01-16T18:00:00.000Z"),  # n8n's date picker
        ("2027-01-16T18:00:00", "Europe/Berlin", "2027-01-16T17:00:00.000Z"),
        ("2027-07-16T18:00:00.1239", "Europe/Berlin", "2027-07-16T16:00:00.123Z"),
        ("2027-01-16t18:00:00", "America/New_York", "2027-01-16T23:00:00.000Z"),
        # spring-forward gap: the transition instant (03:00 EDT), as the slot engine reads it
        ("2027-03-14T02:30:00", "America/New_York", "2027-03-14T07:00:00.000Z"),
        # fall-back overlap: the earlier occurrence (EDT)
        ("2027-11-07T01:30:00", "America/New_York", "2027-11-07T05:30:00.000Z"),
        ("2027-01-16T18:00:00+05:00", "Europe/Berlin", "2027-01-16T13:00:00.000Z"),  # offsets win
    ],
)
def test_naive_input_is_wall_clock_time_in_the_given_zone(text, zone, expected):
    assert format_ts(parse_ts(text, naive_zone=zone)) == expected


def test_naive_input_without_a_zone_or_in_an_impossible_place_is_refused():
    with pytest.raises(NaiveTimestamp):
        parse_ts("2027-01-16T18:00:00")
    for text in ("2027-01-16", "2027-01-16 18:00:00", "2027-01-16T18:00", "2027-01-16T24:00:00"):
        with pytest.raises(TimestampError) as caught:
            parse_ts(text, naive_zone="UTC")
        assert not isinstance(caught.value, NaiveTimestamp)
    with pytest.raises(TimestampError):
        parse_ts("9999-12-31T23:00:00", naive_zone="America/New_York")  # year 10000 in UTC
    with pytest.raises(TimestampError):
        parse_ts("2027-01-16T18:00:00", naive_zone="Mars/Base")
