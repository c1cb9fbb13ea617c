"""Validators shared by the web form, the API and the models."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    if value and not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a valid NHS number: 10 digits, like 943 476 5919", code="invalid_nhs_number"
        )


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def validate_postcode(value: str) -> None:
    if value and not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like LS1 4AP", code="invalid_postcode")


# An unborn baby's expected date of birth: from today to a little over nine months on.
EXPECTED_BIRTH_WITHIN = timedelta(days=310)
# Front Door is for children; a little slack lets a referral about a young person
# turning 18 through.
OLDEST_BIRTH = timedelta(days=365 * 19)


def birth_date_errors(
    *, date_of_birth: date | None, expected_date_of_birth: date | None, today: date
) -> dict[str, list[str]]:
    """What is wrong with a child's date of birth and expected date of birth, by field.

    The web form, the API and ``submit_referrals`` all ask this one function."""
    errors: dict[str, list[str]] = {}
    if date_of_birth and expected_date_of_birth:
        errors["child_expected_date_of_birth"] = [
            "Give a date of birth or an expected date of birth, not both"
        ]
    if date_of_birth and date_of_birth > today:
        errors.setdefault("child_date_of_birth", []).append(
            "Date of birth must be today or in the past. For an unborn baby, give the "
            "expected date of birth"
        )
    if date_of_birth and date_of_birth < today - OLDEST_BIRTH:
        errors.setdefault("child_date_of_birth", []).append("Front Door is for children under 18")
    if expected_date_of_birth and not (
        today <= expected_date_of_birth <= today + EXPECTED_BIRTH_WITHIN
    ):
        errors.setdefault("child_expected_date_of_birth", []).append(
            "Expected date of birth must be in the next 10 months"
        )
    return errors


RECEIVED_IN_FUTURE = "The time received cannot be in the future"


def received_at_error(received_at: datetime, *, now: datetime, max_age: timedelta) -> str | None:
    """What is wrong with the time a referral recorded for a caller was received: it may
    not be in the future, nor longer ago than ``max_age`` (settings.RECEIVED_AT_MAX_AGE).
    The web form and ``submit_referrals`` (so the API) both ask this one function."""
    if received_at > now:
        return RECEIVED_IN_FUTURE
    if received_at < now - max_age:
        days = max(1, max_age.days)
        return f"The date received must be within the last {days} day{'s' if days != 1 else ''}"
    return None
