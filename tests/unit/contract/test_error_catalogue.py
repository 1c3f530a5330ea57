"""The error catalogue is complete and the error classes, `error_for` and the code raised anywhere in
the layer, functions and local tooling agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from fortytwo.contract import errors
from fortytwo.contract.errors import CATALOGUE, CLASSES, OAUTH_CATALOGUE, ApiError, error_for
from fortytwo.contract.operations import ERROR_RESPONSES, OPERATIONS
from tests.support import aws

SOURCES = [aws.ROOT / "layers" / "common" / "fortytwo", aws.ROOT / "functions", aws.ROOT / "local"]
# A code passed as the first argument of an exception that carries a contract code.
RAISED = re.compile(r"\b(BookingRuleError|AuthFailure|AuthError|OAuthError|error_for)\(\s*\"([a-z][a-z_]+)\"")
OAUTH_RAISERS = {"AuthError", "OAuthError"}


def python_files() -> list[Path]:
    return [path for root in SOURCES for path in root.rglob("*.py")]


def raised_codes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in python_files():
        for raiser, code in RAISED.findall(path.read_text()):
            found.setdefault(raiser, set()).add(code)
    return found


def test_the_scan_finds_the_raisers() -> None:
    found = raised_codes()
    assert {"BookingRuleError", "AuthFailure"} <= set(found), found
    assert "slot_unavailable" in found["BookingRuleError"]


def test_every_code_raised_anywhere_is_catalogued() -> None:
    for raiser, codes in raised_codes().items():
        catalogue = OAUTH_CATALOGUE if raiser in OAUTH_RAISERS else CATALOGUE
        missing = codes - set(catalogue)
        assert not missing, f"{raiser} raises codes missing from the catalogue: {sorted(missing)}"


def test_every_error_class_used_anywhere_exists_and_is_catalogued() -> None:
    imported = re.compile(r"from fortytwo\.contract\.errors import \(?([^)]*?)\)?\n(?!\s)", re.S)
    attribute = re.compile(r"\b(?:http_errors|errors)\.([A-Z]\w+)\b")
    names: set[str] = set()
    for path in python_files():
        text = path.read_text()
        for group in imported.findall(text):
            names |= {n.strip() for n in group.replace("\n", ",").split(",") if n.strip()}
        names |= set(attribute.findall(text))
    names = {
        n
        for n in names
        if n[0].isupper() and not n.isupper() and not n.endswith(("Spec", "Details", "Problem"))
    }
    assert len(names) > 20, names
    for name in sorted(names):
        cls = getattr(errors, name, None)
        assert isinstance(cls, type) and issubclass(cls, ApiError), name
        if name != "ApiError":
            spec = CATALOGUE[cls.key]
            assert (cls.status, cls.default_message) == (spec.status, spec.message), name


def test_every_rest_code_has_a_class_with_the_catalogued_status() -> None:
    for key, spec in CATALOGUE.items():
        cls = CLASSES[key]
        assert (cls.code, cls.status, cls.default_message) == (spec.code, spec.status, spec.message)


def test_a_code_answered_with_two_statuses_has_one_entry_per_status() -> None:
    """406 `invalid_request` (50-mcp §2.2 step 6) is its own entry; the 400 stays the code's own."""
    assert CLASSES["invalid_request"] is errors.InvalidRequest and errors.InvalidRequest.status == 400
    not_acceptable = errors.NotAcceptable()
    assert (not_acceptable.status, not_acceptable.code, not_acceptable.key) == (
        406,
        "invalid_request",
        "not_acceptable",
    )
    assert error_for("not_acceptable").status == 406
    statuses = [(spec.code, spec.status) for spec in CATALOGUE.values()]
    assert len(statuses) == len(set(statuses))
    assert all(key == spec.code or spec.name == key for key, spec in CATALOGUE.items())


def test_a_class_cannot_name_an_uncatalogued_code() -> None:
    with pytest.raises(TypeError, match="not in the catalogue"):
        type("Made", (ApiError,), {}, code="made_up_code")


def test_details_examples_fit_their_declared_shapes() -> None:
    for code, spec in CATALOGUE.items():
        assert set(spec.example) == set(spec.details.__annotations__), code
        TypeAdapter(spec.details).validate_python(dict(spec.example))


def test_error_response_groups_cover_every_rest_code_once_per_status() -> None:
    grouped = {code for _, codes in ERROR_RESPONSES.values() for code in codes}
    rest = {code for code, spec in CATALOGUE.items() if spec.surface == "rest"}
    assert rest <= grouped, sorted(rest - grouped)
    for name, (status, codes) in ERROR_RESPONSES.items():
        for code in codes:
            assert CATALOGUE[code].status == status, (name, code)


def test_operations_declare_only_catalogued_codes() -> None:
    for op in OPERATIONS:
        for code in op.errors:
            assert CATALOGUE[code].surface == "rest", (op.operation_id, code)
        for status in op.oauth_errors:
            assert any(status in spec.statuses for spec in OAUTH_CATALOGUE.values()), op.operation_id


# Their headers come from the request (Retry-After of the window, the route's methods).
BUILT_BY_THEIR_CLASS = {"rate_limited", "method_not_allowed"}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_error_for_builds_the_catalogued_error(code: str) -> None:
    spec = CATALOGUE[code]
    if code in BUILT_BY_THEIR_CLASS:
        with pytest.raises(ValueError, match="depend on the request"):
            error_for(code)
        return
    error = error_for(code, "Because.", {**spec.example, "stray": "never shown"})
    assert isinstance(error, CLASSES[code])
    assert (error.status, error.code, error.details) == (spec.status, spec.code, dict(spec.example))
    assert set(error.headers) == set(spec.headers)
    assert dict(spec.fixed_headers).items() <= error.headers.items()
    if code != "insufficient_scope":  # its message names the scope
        assert error.message == "Because." and error_for(code).message == spec.message


def test_error_for_and_the_classes_give_the_same_challenges() -> None:
    for cls in (errors.InvalidToken, errors.TokenExpired, errors.TokenRevoked):
        assert error_for(cls.code).headers == cls().headers
        assert cls().headers["WWW-Authenticate"].endswith(f'error_description="{cls.code}"')
    scope = error_for("insufficient_scope", details={"required_scope": "slots:read"})
    assert scope.headers == errors.InsufficientScope("slots:read").headers


def test_error_for_an_unknown_code_is_an_internal_error() -> None:
    error = error_for("no_such_code", "secret detail", {"x": 1})
    assert (error.status, error.code, error.details) == (500, "internal_error", {})
    assert "secret" not in error.message


def test_error_for_names_a_reason_for_every_slot_unavailable() -> None:
    assert error_for("slot_unavailable").details == {"reason": "slot_busy"}
    assert error_for("booking_already_rescheduled").details == {"replaced_by": None}


def test_booking_rule_failures_render_as_their_catalogue_entries() -> None:
    """Every catalogued code a booking rule can carry leaves as its class, status and details."""
    from fortytwo.domain.bookings.errors import BookingRuleError
    from fortytwo.services.bookings_errors import api_error

    for code, spec in CATALOGUE.items():
        if spec.surface != "rest" or code in BUILT_BY_THEIR_CLASS:
            continue
        got = api_error(BookingRuleError(code, "Because.", {**spec.example, "not_declared": 1}))
        assert type(got) is CLASSES[code] and got.code == spec.code and got.status == spec.status, code
        assert set(got.details) == set(spec.details.__annotations__), code  # undeclared members dropped
