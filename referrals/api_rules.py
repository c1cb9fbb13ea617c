"""Rules on API input that document themselves in the OpenAPI schema.

Each is a field validator, so the serializer enforces the rule (a 400 naming the field)
and the schema at /api/schema/ states it: ``frontdoor.api_schema.AutoSchema`` merges a
validator's ``openapi`` into the field's schema. A rule JSON Schema can say exactly
(a length, a pattern) is said with its own keywords; one it cannot (a check digit, a
date relative to today, a count of words in text whose invisible characters are
stripped first) gets a named ``format`` and a description. Clients may ignore an
unknown format; schemathesis (tests/test_api_schema_conformance.py) registers a
generator for each, so that the values it sends as valid are valid.

Rules across fields (give a date of birth or an expected one, not both) are stated on
the serializer as ``openapi_rules``, a JSON Schema fragment merged into its component.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.text import INVISIBLE_CLASS, NOT_BLANK_PATTERN, WHITESPACE_CLASS
from referrals import coaching
from referrals.validation import (
    EXPECTED_BIRTH_WITHIN,
    OLDEST_BIRTH,
    birth_date_errors,
    validate_nhs_number,
    validate_postcode,
)


class SchemaRule:
    """A validator with the JSON Schema that states it (``openapi``)."""

    openapi: dict = {}

    def __call__(self, value) -> None:  # pragma: no cover - each rule says
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        # DRF compares validators when it builds fields; two rules alike are equal.
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None


class MinWords(SchemaRule):
    """At least ``minimum`` words (and ``min_chars`` characters), counted after the
    invisible characters are stripped and the ends trimmed; a word is a run of
    characters between whitespace."""

    def __init__(self, minimum: int, *, message: str, min_chars: int = 0):
        self.minimum = minimum
        self.min_chars = min_chars
        self.message = message

    @property
    def openapi(self) -> dict:
        name = f"words-{self.minimum}"
        rule = f"At least {self.minimum} words"
        if self.min_chars:
            name += f"-chars-{self.min_chars}"
            rule += f" and {self.min_chars} characters"
        return {"format": name, "x-rule": rule + " (a word: text between whitespace)."}

    def __call__(self, value) -> None:
        text = (value or "").strip()
        if text and (len(text.split()) < self.minimum or len(text) < self.min_chars):
            raise ValidationError(self.message, code="too_few_words")


class Answer(SchemaRule):
    """An answer, not a placeholder: not "n/a", "n/k", "none", "see above" and the like
    (``referrals.coaching.PLACEHOLDERS``), and at least 3 words (for the child's voice, a
    short reason such as "pre-verbal baby" is an answer too)."""

    def __init__(self, field: str):
        self.field = field

    openapi = {
        "format": "answer",
        "x-rule": f"At least {coaching.MIN_WORDS} words and not a placeholder such as "
        "'n/a', 'n/k', 'none' or 'see above'.",
    }

    def __call__(self, value) -> None:
        if coaching.is_placeholder(value, field=self.field):
            raise ValidationError(
                coaching.placeholder_message(self.field, value), code="placeholder"
            )


_SEPARATORS = f"[{WHITESPACE_CLASS}{INVISIBLE_CLASS}\\-]"


class NhsNumber(SchemaRule):
    openapi = {
        "format": "nhs-number",
        # Ten digits, with whitespace, hyphens and the invisible characters that are
        # stripped anywhere (or blank, where blank is allowed); the check digit is the
        # format's.
        "pattern": f"^{_SEPARATORS}*(?:(?:[0-9]{_SEPARATORS}*){{10}})?$",
        "x-rule": "10 digits (spaces or hyphens between them are ignored) whose last digit "
        "is the modulus 11 check digit of the first nine.",
    }

    def __call__(self, value) -> None:
        validate_nhs_number(value)


def _spaced(*parts: str) -> str:
    """Parts of a code, with whitespace and stripped characters allowed around each."""
    gap = f"[{WHITESPACE_CLASS}{INVISIBLE_CLASS}]*"
    return "^" + gap + "".join(f"{part}{gap}" for part in parts) + "$"


class Postcode(SchemaRule):
    # Exact as a pattern: letters in either case, the spacing anywhere (or blank, where
    # blank is allowed).
    openapi = {
        "pattern": _spaced(
            "[A-Za-z]", "[A-Za-z]?", "[0-9]", "[A-Za-z0-9]?", "[0-9]", "[A-Za-z]", "[A-Za-z]"
        )
        + "|"
        + _spaced(),
        "x-rule": "A full UK postcode: outward code (1 or 2 letters, a digit, and an "
        "optional letter or digit) and inward code (a digit and 2 letters); case and "
        "spaces do not matter.",
    }

    def __call__(self, value) -> None:
        validate_postcode(value)


def _today() -> date:
    return timezone.localdate()


class BirthDate(SchemaRule):
    openapi = {
        "format": "date-of-birth",
        "x-rule": "A date (YYYY-MM-DD), today or earlier (London time), and less than "
        f"{OLDEST_BIRTH.days} days ago.",
    }

    def __call__(self, value) -> None:
        errors = birth_date_errors(date_of_birth=value, expected_date_of_birth=None, today=_today())
        if errors:
            raise ValidationError(errors["child_date_of_birth"])


class ExpectedBirthDate(SchemaRule):
    openapi = {
        "format": "expected-date-of-birth",
        "x-rule": "A date (YYYY-MM-DD), from today (London time) to "
        f"{EXPECTED_BIRTH_WITHIN.days} days on.",
    }

    def __call__(self, value) -> None:
        errors = birth_date_errors(date_of_birth=None, expected_date_of_birth=value, today=_today())
        if errors:
            raise ValidationError(errors["child_expected_date_of_birth"])


def given(field: str, rule: SchemaRule | None = None) -> dict:
    """JSON Schema: ``field`` is given and not blank (or keeps ``rule``)."""
    text = {key: value for key, value in (rule.openapi if rule else {}).items() if key != "x-rule"}
    if "pattern" in text:
        text["allOf"] = [{"pattern": NOT_BLANK_PATTERN}]
    else:
        text["pattern"] = NOT_BLANK_PATTERN
    return {"required": [field], "properties": {field: {"type": "string", **text}}}


def required_unless_given(field: str, *alternatives: str) -> dict:
    """JSON Schema: ``field`` is given and not blank, unless one of ``alternatives`` is."""
    return {"anyOf": [given(field), *(given(a) for a in alternatives)]}


def required_when(field: str, condition: dict, rule: SchemaRule | None = None) -> dict:
    """JSON Schema: ``field`` is given and not blank (or keeps ``rule``) whenever
    ``condition`` holds."""
    return {"anyOf": [given(field, rule), {"not": condition}]}


class NotInFuture(SchemaRule):
    """A date and time no later than now (or than ``grace`` from now). ``name``, where
    given, names the format instead: for a time whose other rule depends on stored data
    (a discussion held after its referral was received), so that a client, or the
    conformance test's generator, can tell it from another time with the same bound."""

    def __init__(self, *, message: str, grace: timedelta = timedelta(0), name: str = ""):
        self.message = message
        self.grace = grace
        self.name = name

    @property
    def openapi(self) -> dict:
        rule = self._openapi()
        return {**rule, "format": self.name} if self.name else rule

    def _openapi(self) -> dict:
        if not self.grace:
            return {"format": "past-date-time", "x-rule": "A date and time, not in the future."}
        seconds = int(self.grace.total_seconds())
        if seconds % 3600:
            minutes = seconds // 60
            return {
                "format": f"date-time-before-{minutes}min-ahead",
                "x-rule": f"A date and time, not in the future ({minutes} minutes' leeway "
                "for a clock a little ahead).",
            }
        hours = seconds // 3600
        return {
            "format": f"date-time-before-{hours}h-ahead",
            "x-rule": f"A date and time no more than {hours} hours from now.",
        }

    def __call__(self, value) -> None:
        if value is not None and value > timezone.now() + self.grace:
            raise ValidationError(self.message, code="future")
