"""Invitee answers (20-scheduling §2.7, 30-bookings §5.4 and §8)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fortytwo.domain import storable
from fortytwo.domain.bookings.addresses import is_valid_email, is_valid_phone
from fortytwo.domain.bookings.errors import ErrorCollector
from fortytwo.domain.bookings.event_types import Question

TEXT_MAX = 1000
TEXTAREA_MAX = 5000
_STRING_TYPES = frozenset({"text", "textarea", "email", "phone", "select", "radio"})


def is_missing(question: Question, value: Any) -> bool:
    """Absent, null, blank, empty list, or an unticked checkbox (§2.7)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list):
        return not value
    return question.type == "checkbox" and value is False


def _text_problem(question: Question, value: Any) -> str | None:
    limit = TEXT_MAX if question.type == "text" else TEXTAREA_MAX
    if not isinstance(value, str):
        return "must be a string"
    return f"must be at most {limit} characters" if len(value) > limit else None


def _email_problem(question: Question, value: Any) -> str | None:
    return None if isinstance(value, str) and is_valid_email(value) else "must be a valid email address"


def _phone_problem(question: Question, value: Any) -> str | None:
    if isinstance(value, str) and is_valid_phone(value):
        return None
    return "must be an international phone number such as +49 30 1234567"


def _number_problem(question: Question, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return "must be a number"
    return None if storable.is_storable_number(value) else storable.NUMBER_MESSAGE


def _option_problem(question: Question, value: Any) -> str | None:
    options = question.options or ()
    return None if isinstance(value, str) and value in options else "must be one of the options"


def _options_problem(question: Question, value: Any) -> str | None:
    options = question.options or ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v in options for v in value):
        return "must be a list of the options"
    return "must not repeat an option" if len(set(value)) != len(value) else None


def _checkbox_problem(question: Question, value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be a boolean"


_PROBLEMS: dict[str, Callable[[Question, Any], str | None]] = {
    "text": _text_problem,
    "textarea": _text_problem,
    "email": _email_problem,
    "phone": _phone_problem,
    "number": _number_problem,
    "select": _option_problem,
    "radio": _option_problem,
    "multiselect": _options_problem,
    "checkbox": _checkbox_problem,
}


def _type_problem(question: Question, value: Any) -> str | None:
    kind = question.type
    # A blank answer is simply "not answered"; whether that is allowed is the required check's job.
    if value is None or (kind in _STRING_TYPES and isinstance(value, str) and not value.strip()):
        return None
    problem = _PROBLEMS.get(kind)
    return problem(question, value) if problem is not None else "has an unsupported question type"


def _stored(question: Question, value: Any) -> Any:
    # Phone answers are stored trimmed; everything else exactly as given.
    if question.type == "phone" and isinstance(value, str):
        return value.strip()
    return value


def check_answers(
    questions: Sequence[Question], responses: Mapping[str, Any], errors: ErrorCollector
) -> dict[str, Any]:
    """The kept answers (unknown keys dropped); type problems reported as `responses.<key>`, body order."""
    by_key = {q.key: q for q in questions}
    kept: dict[str, Any] = {}
    for key, value in responses.items():
        question = by_key.get(key)
        if question is None:
            continue
        problem = _type_problem(question, value)
        if problem is not None:
            errors.add(f"responses.{key}", problem)
        else:
            kept[key] = _stored(question, value)
    return kept


def missing_required(questions: Sequence[Question], kept: Mapping[str, Any]) -> list[str]:
    """Keys of required questions without an answer, in display order."""
    return [q.key for q in questions if q.required and is_missing(q, kept.get(q.key))]


def answers_by_label(questions: Sequence[Question], responses: Mapping[str, Any]) -> dict[str, Any]:
    """Webhook `answers`: keyed by the current label; a key with no question keeps its key."""
    labels = {q.key: q.label for q in questions}
    return {labels.get(key, key): value for key, value in responses.items()}


def answers_by_id(questions: Sequence[Question], responses: Mapping[str, Any]) -> dict[str, Any]:
    """Webhook `answersById`: keyed by `q_<key>`; a key with no question keeps its key."""
    ids = {q.key: q.id for q in questions}
    return {ids.get(key, key): value for key, value in responses.items()}
