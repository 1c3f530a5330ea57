"""Admin Center sessions (55-admin-center §2), pure: expiry, touch throttle, CSRF, sealed notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fortytwo.domain.admin import sessions as s

PEPPER = b"p" * 32
T0 = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def test_ids_are_long_random_and_only_their_hash_is_kept() -> None:
    a, b = s.new_session_value(), s.new_session_value()
    assert a != b and len(a) == 43  # 256 bits
    session = s.start(PEPPER, a, "u", "o", T0)
    assert a not in session.session_hash and session.session_hash == s.session_hash(PEPPER, a)


def test_idle_and_absolute_expiry() -> None:
    session = s.start(PEPPER, "v", "u", "o", T0)
    assert s.alive(session, T0 + timedelta(minutes=29, seconds=59))
    assert not s.alive(session, T0 + timedelta(minutes=30))
    kept = session
    now = T0
    while now < T0 + timedelta(hours=12) - timedelta(minutes=20):
        now += timedelta(minutes=20)
        touched = s.touched(kept, now)
        assert touched is not None
        kept = touched
        assert s.alive(kept, now) == (now < T0 + timedelta(hours=12))
    assert not s.alive(kept, T0 + timedelta(hours=12))


def test_touch_at_most_once_a_minute() -> None:
    session = s.start(PEPPER, "v", "u", "o", T0)
    assert s.touched(session, T0 + timedelta(seconds=59)) is None
    touched = s.touched(session, T0 + timedelta(seconds=60))
    assert touched is not None and touched.version == 2


def test_csrf_token_is_bound_to_the_session() -> None:
    token = s.csrf_token(PEPPER, "v")
    assert s.csrf_ok(PEPPER, "v", token)
    assert not s.csrf_ok(PEPPER, "w", token)
    assert not s.csrf_ok(PEPPER, "v", None) and not s.csrf_ok(PEPPER, "v", "")


def test_notices_open_only_with_the_cookie_they_were_sealed_for() -> None:
    notice = s.Notice("created", "42min_pat_SECRET", "Token")
    sealed = s.seal(PEPPER, "v", notice)
    assert "SECRET" not in sealed and sealed != s.seal(PEPPER, "v", notice)  # fresh nonce each time
    assert s.unseal(PEPPER, "v", sealed) == notice
    assert s.unseal(PEPPER, "w", sealed) is None
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    assert s.unseal(PEPPER, "v", tampered) is None


def test_only_owners_and_admins() -> None:
    assert s.may_sign_in("owner") and s.may_sign_in("admin")
    assert not s.may_sign_in("user") and not s.may_sign_in(None)
